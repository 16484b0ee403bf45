"""A small bundled confusables table: letters that look like Latin letters, folded to that letter.

Chosen from Unicode's ``confusables.txt`` (UTS #39) for the scripts used to disguise English keywords:
Cyrillic, Greek, Armenian, Cherokee-free Latin variants and IPA letters. Fullwidth and mathematical forms
are already handled by NFKC. Each entry maps one character to one character, so folding keeps offsets.
"""

from __future__ import annotations

__all__ = ["CONFUSABLES"]

_PAIRS = (
    # Cyrillic lower case
    "аa вb гr дd еe ёe ђh ѕs іi їi јj кk лn мm нh оo пn рp сc тt уy фo хx цu чy шw щw ъb ыbl ьb эe юio"
    " һh ԁd ԛq ԝw ӏl ҫc ғf ұy үy ӓa ӧo ӱy ӹbl ӕae ѵv ѡw ԍg ԏt ԑe"
    # Cyrillic upper case
    " АA БB ВB ГR ДD ЕE ЁE ЅS ІI ЇI ЈJ КK ЛN МM НH ОO ПN РP СC ТT УY ФO ХX ЦU ЧY ШW ЪB ЬB ЭE Һh ԚQ ԜW Ӏl"
    # Greek
    " αa βb γy δd εe ζz ηn θo ιi κk λl μu νv οo πn ρp σo ςc τt υu φo χx ψw ωw ϲc ϳj ϵe"
    " ΑA ΒB ΓR ΔA ΕE ΖZ ΗH ΘO ΙI ΚK ΛA ΜM ΝN ΞE ΟO ΠN ΡP ΣE ΤT ΥY ΦO ΧX ΨW ΩO Ϲc Ϻm"
    # Armenian
    " աw բp գq դn եt զq հh յj ոn պw ռn սu վu տw րn ցg ւu օo ՍU ՏS ՕO Լl"
    # Latin variants and IPA
    " ıi ȷj ɑa ɡg ɩi ɪi ʟl ɴn ʀr ʏy ᴀa ᴄc ᴅd ᴇe ᴊj ᴋk ᴍm ᴏo ᴘp ᴛt ᴜu ᴠv ᴡw ᴢz ƅb ɒa ɔc ɛe ɜe ʋu"
    " ſs ƚl ɫl ℓl ℮e ǀl"
)

#: character -> the ASCII letter it imitates.
CONFUSABLES: dict[str, str] = {p[0]: p[1] for p in _PAIRS.split() if len(p) == 2}
