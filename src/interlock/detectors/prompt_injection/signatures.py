# ruff: noqa: E501 - a pattern table reads best with one pattern per line
"""Weighted prompt-injection signatures, grouped by attack family.

Each :class:`Signature` is an RE2 pattern (linear time) with a weight: roughly the probability that a text
containing this phrasing is an attack when nothing else is known. Strong phrasings (``ignore all previous
instructions``) weigh ~0.9 and decide alone; weak ones (``you are now``, ``stay in character``, ``without any
restrictions``) weigh 0.2-0.5 and only flag a text together with other evidence.

Pattern sources are written in a tiny dialect compiled by :func:`_rx`: a literal space means "a short run of
non-letters" (so ``ignore previous`` also matches ``ignore...previous`` and the collapsed ``ignoreprevious``),
``~N`` means "up to N filler words". All patterns are case-insensitive.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FAMILIES", "SIGNATURES", "Signature"]

#: family id -> threat name shown in reports (``categories["threats"]``).
FAMILIES: dict[str, str] = {
    "instruction_override": "instruction override",
    "system_prompt_extraction": "system prompt extraction",
    "roleplay_jailbreak": "role-play jailbreak",
    "restriction_bypass": "safety bypass",
    "fake_system_message": "fake system message",
    "developer_mode": "developer mode jailbreak",
    "payload_splitting": "payload splitting",
    "hidden_instruction": "hidden instruction",
    "data_exfiltration": "data exfiltration",
    "obfuscation": "obfuscated instruction",
    "trained": "learned injection pattern",  # evidence of the trained tier (trained.py), not a signature family
    "ngram": "learned injection pattern",  # evidence of the ngram tier (ngram.py), not a signature family
}

_GAP = r"\W{0,4}"


def _filler(n: int) -> str:
    return rf"(?:[\w'’]+\W{{1,4}}){{0,{n}}}"


def _rx(src: str) -> str:
    """Compile the pattern dialect (see module docstring) to RE2 syntax."""
    out = src
    for n in range(9, 0, -1):
        out = out.replace(f"~{n} ", "\0" + str(n))
    parts: list[str] = []
    in_class = escaped = False
    i = 0
    while i < len(out):
        ch = out[i]
        if ch == "\0":
            parts.append(_filler(int(out[i + 1])))
            i += 2
            continue
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        elif ch == " " and not in_class:
            ch = _GAP
        parts.append(ch)
        i += 1
    return "(?i)" + "".join(parts)


@dataclass(frozen=True)
class Signature:
    """One weighted pattern.

    Attributes:
        id: stable pattern id (reported in ``Finding.data``).
        family: attack family (a key of :data:`FAMILIES`).
        weight: evidence weight in (0, 1].
        pattern: RE2 source (already compiled from the dialect).
        lang: ISO 639-1 code of the phrasing (``"*"`` for script-independent patterns).
        case_sensitive: match case exactly (acronyms such as ``DAN``).
    """

    id: str
    family: str
    weight: float
    pattern: str
    lang: str = "en"
    case_sensitive: bool = False

    @property
    def latin(self) -> bool:
        """True when the phrasing is in a Latin-script language (it then also runs on folded views)."""
        return self.lang in {"en", "es", "de", "fr", "pt", "it", "*"}


def _s(id_: str, family: str, weight: float, src: str, lang: str = "en") -> Signature:
    return Signature(id_, family, weight, _rx(src), lang)


_Q = (
    r"(?:previous|prior|above|preceding|earlier|foregoing|former|original|initial|system|developer|openai|"
    r"safety|pre-?programmed|old|hidden|past)"
)
_ALL = r"(?:all|any|every|each|of|the|your|my|these|those|its|this|everything|what|you|were|was|have|been|told)"
_RULES = (
    r"(?:instructions?|directives?|rules|guidelines|prompts?|commands?|guidance|constraints|restrictions|"
    r"programming|messages?|orders|policies|settings|conversation|text|content|context|tasks?|inputs?|requests?)"
)
_ALL_NOT_MINE = _ALL.replace("|my|", "|")
_VERB_IGNORE = r"(?:ignore|disregard|forget|(?:do not|don'?t|dont|stop|no longer|never) (?:follow|obey|adhere to|comply with|listen to))"
_VERB_OVERRIDE = r"(?:override|overwrite|bypass|neglect|discard|abandon|set aside|throw out|cancel|nullify)"
_Q_NARROW = r"(?:previous|prior|above|preceding|earlier|foregoing|initial|original|system|safety|openai|developer)"
_AI = r"(?:ai|a\.i\.|llm|gpt|chatgpt|chatbot|language model|assistant|ai assistant|ai model|model|bot|agent|copilot)"
_SHOW = (
    r"(?:reveal|print|show|display|output|repeat|recite|dump|leak|expose|tell|give|share|write out|spell out|"
    r"list|provide|disclose|return|echo|paste|copy|encode|type out|read out|send|translate|summari[sz]e|paraphrase|"
    r"rephrase|rewrite|convert)"
)
_NOAI_RULES = (
    r"(?:openai|anthropic|chatgpt|content|ethical|moral|safety|censorship|usage|community)(?:['’]s)? ?"
    r"(?:polic(?:y|ies)|guidelines|restrictions|filters?|principles|constraints|rules|standards|limitations|"
    r"boundaries|guardrails|safeguards|protocols)"
)

SIGNATURES: tuple[Signature, ...] = (
    # --- instruction override -------------------------------------------------------------------------
    # "my" is not in the gap: "ignore my previous message" is a user correcting themselves, not an override
    _s(
        "io.ignore_previous",
        "instruction_override",
        0.95,
        rf"\b{_VERB_IGNORE} (?:{_ALL_NOT_MINE} ){{0,4}}{_Q} ~2 {_RULES}\b",
    ),
    # misspelt overrides ("ignroe your previos instrutcions"): both the verb and the object are misspelt-tolerant
    _s(
        "io.ignore_previous_misspelt",
        "instruction_override",
        0.85,
        r"\b(?:ig[a-z]{3,5}|disr[a-z]{4,8}|forg[a-z]{2,4}) (?:(?:all|your|the|any|of|my) ){0,3}"
        r"(?:prev[a-z]{2,6}|prio[a-z]?|earl[a-z]{2,4}|orig[a-z]{3,6}) (?:ins[a-z]{5,11}|dir[a-z]{5,9}|guid[a-z]{4,8}|rul[a-z]{1,3})\b",
    ),
    _s(
        "io.never_given",
        "instruction_override",
        0.9,
        r"\b(?:act|behave|respond|answer|reply|pretend|continue) (?:as though|as if|like) ~4 (?:guidelines|rules|instructions|"
        r"restrictions|filters|polic(?:y|ies)|programming|directives) (?:(?:were|was|had|have|has|been|did) ){1,2}(?:never|not|no longer)\b",
    ),
    _s(
        "io.never_received",
        "instruction_override",
        0.9,
        r"\b(?:act|behave|respond|answer|reply|pretend) (?:as though|as if|like) you (?:had|have|were) (?:never|not) "
        r"(?:been )?(?:received|given|told|been given|got|had) ~3 (?:guidelines|rules|instructions|restrictions|directives)\b",
    ),
    _s(
        "io.override_previous",
        "instruction_override",
        0.8,
        rf"\b{_VERB_OVERRIDE} (?:{_ALL} ){{0,3}}{_Q_NARROW} ~1 (?:instructions?|directives?|rules|guidelines|prompts?)\b",
    ),
    _s(
        "io.ignore_task",
        "instruction_override",
        0.45,
        r"\b(?:ignore|disregard|forget) (?:the|this|that|any) (?:user'?s? )?(?:document|email|article|web ?page|"
        r"question|request|query|task|input|summary|original task)\b",
    ),
    _s(
        "io.given_before",
        "instruction_override",
        0.9,
        rf"\b{_VERB_IGNORE} ~4 (?:instructions|rules|guidelines|directives|prompts?|programming) ~4 (?:given|told|provided|received|"
        r"written|taught) ~3 (?:before|prior|earlier|previously|above|so far|until now)\b",
    ),
    _s(
        "io.ignore_everything",
        "instruction_override",
        0.8,
        # the gap excludes "I ...": "forget everything I said before" is a user starting over
        r"\b(?:ignore|disregard|forget) (?:about )?(?:everything|anything|all|whatever|what) "
        r"(?:(?:you|you've|were|was|have|has|been|told|given|the|that|is|are|written|stated|in|this|here|of|instructions|rules) ){0,4}"
        r"(?:above|before|previously|earlier|so far|until now|up to (?:now|this point)|prior)\b",
    ),
    _s(
        "io.ignore_your_rules",
        "instruction_override",
        0.8,
        r"\b(?:ignore|disregard|forget|bypass|override|break|violate) (?:all )?(?:of )?your ~2 "
        r"(?:instructions|rules|guidelines|programming|training|restrictions|filters|policies|policy|safeguards|"
        r"guardrails|constraints|directives|limitations|ethics|morals|principles)\b",
    ),
    _s(
        "io.void",
        "instruction_override",
        0.75,
        rf"\b(?:all )?{_Q} (?:instructions|rules|prompts?|directives|guidelines) (?:are|were|is|have been) (?:now )?"
        r"(?:void|cancell?ed|revoked|null|obsolete|no longer (?:valid|apply|applicable)|overridden|superseded)",
    ),
    _s(
        "io.new_instructions",
        "instruction_override",
        0.4,
        r"\b(?:new|updated|revised|real|actual|true|additional|override) (?:instructions?|task|directive|objective|"
        r"system prompt)s? ?(?::|follow|are|is)",
    ),
    _s(
        "io.from_now_on", "instruction_override", 0.25, r"\b(?:from now on|from this (?:point|moment) (?:on|forward))\b"
    ),
    _s(
        "io.instead",
        "instruction_override",
        0.35,
        r"\binstead (?:of ~3 (?:summari[sz]ing|answering|translating|responding|doing|following) ~2 )?"
        r"(?:you (?:must|should|will) )?(?:reply|respond|say|write|output|print|answer)\b",
    ),
    _s(
        "io.es",
        "instruction_override",
        0.9,
        r"(?:ignora|ignore|ignorar|olvida|olvide|olvidar|descarta|omite)(?:d|n)? (?:todas? |cualquier )?(?:las? |tus |sus )?"
        r"(?:instrucciones|indicaciones|reglas|[oó]rdenes|directrices) (?:anteriores|previas|de arriba|originales|del sistema)",
        "es",
    ),
    _s(
        "io.pt",
        "instruction_override",
        0.9,
        r"(?:ignore|ignora|ignorar|esque[cç]a|esquecer|desconsidere) (?:todas )?(?:as |suas )?"
        r"(?:instru[cç](?:õ|o)es|regras|orienta[cç](?:õ|o)es|diretrizes) (?:anteriores|acima|pr[eé]vias|originais|do sistema)",
        "pt",
    ),
    _s(
        "io.de",
        "instruction_override",
        0.9,
        r"(?:ignorier(?:e|en|t)?|vergiss|vergessen sie|missachte) (?:alle |s[aä]mtliche )?(?:vorherigen |bisherigen |"
        r"obigen |vorigen |vorangegangenen |fr[uü]heren |deine |ihre )+(?:anweisungen|instruktionen|regeln|befehle|vorgaben)",
        "de",
    ),
    _s(
        "io.fr",
        "instruction_override",
        0.9,
        r"(?:ignore[zr]?|oublie[zr]?|n[eé]glige[zr]?) (?:toutes |tous )?(?:les |tes |vos )?(?:instructions|consignes|"
        r"r[eè]gles|directives|ordres) (?:pr[eé]c[eé]dentes|ci-dessus|ant[eé]rieures|initiales|d'origine|du syst[eè]me)",
        "fr",
    ),
    _s(
        "io.it",
        "instruction_override",
        0.9,
        r"(?:ignora|ignorate|ignori|dimentica|dimenticate) (?:tutte )?(?:le )?(?:istruzioni|regole|indicazioni|direttive) "
        r"(?:precedenti|sopra|iniziali|originali|di sistema)",
        "it",
    ),
    _s(
        "io.ru",
        "instruction_override",
        0.9,
        r"(?:игнорируй|игнорируйте|проигнорируй|забудь|забудьте|не обращай внимания на|отбрось) (?:все |всё )?"
        r"(?:предыдущие|прошлые|вышеуказанные|предшествующие|прежние|изначальные|свои|твои|ваши|системные) "
        r"(?:инструкции|указания|правила|команды|ограничения)",
        "ru",
    ),
    _s(
        "io.zh",
        "instruction_override",
        0.9,
        r"(?:忽略|无视|忽视|忘记|忘掉|不要理会|不要遵守|無視|忘記)(?:你)?(?:之前|以上|上面|前面|先前|此前|上述|原来|原有|所有)"
        r"(?:的)?(?:所有|全部|一切)?(?:的)?(?:指令|指示|说明|规则|提示|命令|要求|設定|设定|規則|指令)",
        "zh",
    ),
    _s(
        "io.ja",
        "instruction_override",
        0.9,
        r"(?:以前|前|上記|これまで|先ほど|最初|元)の(?:すべての|全ての|全部の)?(?:指示|命令|指令|ルール|設定|プロンプト)"
        r"(?:は|を)(?:すべて|全て)?(?:無視|忘れ)",
        "ja",
    ),
    # --- system prompt extraction ---------------------------------------------------------------------
    # the text the assistant "was set up / configured with", asked for verbatim
    _s(
        "spe.set_up_with",
        "system_prompt_extraction",
        0.85,
        r"\b(?:text|instructions|prompt|rules|message|words|guidelines|configuration) (?:that )?you (?:were|have been|'ve been|got) "
        r"(?:set up|configured|initiali[sz]ed|programmed|primed|seeded|loaded) with\b",
    ),
    _s(
        "spe.reveal_system_prompt",
        "system_prompt_extraction",
        0.9,
        rf"\b{_SHOW} (?:me |us )?~3 (?:your|ur|its|this) ~1 (?:system|developer|hidden|secret|pre|meta|initial) ?"
        r"(?:prompt|message|instructions?)",
    ),
    _s(
        "spe.reveal_the_system_prompt",
        "system_prompt_extraction",
        0.6,
        rf"\b{_SHOW} (?:me |us )?~2 the (?:full |complete |exact |entire |hidden |secret )?(?:system|developer|hidden) "
        r"(?:prompt|message|instructions)",
    ),
    _s(
        "spe.reveal_initial",
        "system_prompt_extraction",
        0.85,
        rf"\b{_SHOW} (?:me |us )?~3 your (?:\w+ )?(?:initial|original|first|starting|internal|"
        r"confidential|hidden|secret|underlying) (?:prompt|instructions?|directives?|rules|guidelines|"
        r"configuration|programming)",
    ),
    _s(
        "spe.reveal_given",
        "system_prompt_extraction",
        0.85,
        rf"\b{_SHOW} ~3 (?:original|initial|hidden|secret|system|full) (?:prompt|instructions) (?:(?:your|the) "
        r"(?:developers?|creators?|owners?|operators?|company)|(?:that )?you (?:were|have been) given)",
    ),
    _s(
        "spe.what_is_system_prompt",
        "system_prompt_extraction",
        0.85,
        r"\bwhat(?:'s| is| are| was| were) (?:in )?your (?:\w+ )?(?:system prompt|system message|initial (?:instructions|prompt)|"
        r"original (?:instructions|prompt)|hidden (?:instructions|prompt)|secret (?:instructions|prompt))",
    ),
    _s(
        "spe.what_are_your_instructions",
        "system_prompt_extraction",
        0.45,
        r"\bwhat (?:are|were) your (?:exact |specific )?(?:instructions|rules|guidelines|directives)\b",
    ),
    _s(
        "spe.told_before",
        "system_prompt_extraction",
        0.75,
        r"\b(?:what|which) ~3 (?:were|was|have|had) you (?:been )?(?:told|given|instructed|programmed|prompted|"
        r"configured) ~3 (?:before|prior to|at the (?:start|beginning))",
    ),
    _s(
        "spe.text_above",
        "system_prompt_extraction",
        0.6,
        r"\b(?:repeat|print|output|reveal|write|copy|return|echo|recite|spell) ~3 (?:text|words|content|everything|"
        r"prompt|message|instructions|lines|sentences) ~2 (?:above|before this|prior to this|preceding|"
        r"at the (?:start|beginning) of (?:this|the|our) (?:conversation|chat|prompt))\b",
    ),
    _s(
        "spe.starting_with",
        "system_prompt_extraction",
        0.7,
        r"\bstarting (?:with|from) (?:the (?:phrase|words?|sentence|line) )?[\"'“‘]?you are\b",
    ),
    _s(
        "spe.verbatim",
        "system_prompt_extraction",
        0.85,
        r"\b(?:system prompt|initial (?:prompt|instructions)|original (?:prompt|instructions)|instructions above|"
        r"prompt above) ~3 (?:verbatim|word for word|in full|in a code ?block|in base64|in rot13)",
    ),
    _s(
        "spe.text_above_verbatim",
        "system_prompt_extraction",
        0.85,
        r"\b(?:repeat|print|output|reveal|copy|echo|recite|dump|show|write out) ~3 (?:text|everything|words|content|lines) "
        r"above ~3 (?:verbatim|word for word|in full|in a code ?block)",
    ),
    _s(
        "spe.given_initially",
        "system_prompt_extraction",
        0.75,
        r"\b(?:text|instructions|prompt|rules|message|words) (?:that )?you (?:were|have been|got) (?:given|told|provided|shown|fed) "
        r"(?:initially|at the (?:start|beginning)|before (?:this|our|the) (?:conversation|chat|message)|first|originally)\b",
    ),
    _s("spe.mention", "system_prompt_extraction", 0.3, r"\byour (?:system prompt|system instructions|pre-?prompt)\b"),
    _s(
        "spe.es",
        "system_prompt_extraction",
        0.85,
        r"(?:muestra|muestrame|muéstrame|revela|repite|imprime|dime|ense[nñ]a)(?:me)? (?:tu|su|el|las) (?:prompt|mensaje|"
        r"indicaci[oó]n|instrucciones) (?:del |de )?(?:sistema|iniciales|originales)",
        "es",
    ),
    _s(
        "spe.pt",
        "system_prompt_extraction",
        0.85,
        r"(?:mostre|mostra|revele|repita|imprima|diga)(?:-me)? (?:o )?(?:seu|teu|o|as suas|suas) (?:prompt|mensagem|"
        r"instru[cç](?:õ|o)es) (?:do sistema|de sistema|iniciais|originais)",
        "pt",
    ),
    _s(
        "spe.de",
        "system_prompt_extraction",
        0.85,
        r"(?:zeig|zeige|nenne|verrate|wiederhole|gib)(?: mir)? (?:deinen|deine|ihren|ihre|den|die) (?:system-?prompt|"
        r"systemanweisungen|systemnachricht|anf[aä]nglichen anweisungen|urspr[uü]nglichen anweisungen)",
        "de",
    ),
    _s(
        "spe.fr",
        "system_prompt_extraction",
        0.85,
        r"(?:r[eé]v[eè]le|affiche|montre|r[eé]p[eè]te|donne|dis)(?:-moi)? (?:ton|votre|tes|vos|le|les) (?:prompt syst[eè]me|"
        r"invite syst[eè]me|message syst[eè]me|instructions initiales|instructions d'origine|consignes initiales)",
        "fr",
    ),
    _s(
        "spe.it",
        "system_prompt_extraction",
        0.85,
        r"(?:mostra|rivela|ripeti|stampa|dimmi)(?:mi)? (?:il tuo|i tuoi|le tue|il) (?:prompt di sistema|messaggio di sistema|"
        r"istruzioni iniziali|istruzioni originali)",
        "it",
    ),
    _s(
        "spe.ru",
        "system_prompt_extraction",
        0.85,
        r"(?:покажи|выведи|повтори|раскрой|напиши|скажи)(?:те)? (?:мне )?(?:свой|твой|ваш|свои|твои|ваши|исходный|"
        r"системный) (?:системный )?(?:промпт|промт|подсказку|инструкции|системные инструкции)",
        "ru",
    ),
    _s(
        "spe.zh",
        "system_prompt_extraction",
        0.85,
        r"(?:显示|输出|告诉我|打印|重复|透露|展示|泄露|说出|顯示|輸出|告訴我)(?:一下)?(?:你的|你们的|您的)?(?:系统提示|系统提示词|"
        r"系統提示|初始指令|原始指令|系统指令|系统消息|提示词)",
        "zh",
    ),
    _s(
        "spe.ja",
        "system_prompt_extraction",
        0.85,
        r"(?:システムプロンプト|初期指示|最初の指示|元の指示|システムメッセージ)(?:を|の内容を)(?:すべて|全て)?"
        r"(?:表示|教え|出力|見せ|繰り返|開示)",
        "ja",
    ),
    # --- role-play / persona jailbreaks -----------------------------------------------------------------
    _s("rp.do_anything_now", "roleplay_jailbreak", 0.9, r"\bdo anything now\b"),
    # the grandma exploit: a dead relative's persona who "used to" recite something
    _s(
        "rp.grandma",
        "roleplay_jailbreak",
        0.8,
        r"\b(?:act|pretend|roleplay|role-play|play|be|impersonate) ~3 (?:grand(?:ma|mother|pa|father)|granny|nana) ~9 "
        r"(?:used to|would always|always used to)\b",
    ),
    # a claimed developer/admin asking for a canned reply ("I'm the developer ... reply 'unlocked'")
    _s(
        "rp.authority_reply",
        "roleplay_jailbreak",
        0.85,
        r"\bi(?:'m|’m| am) (?:the|a|your|one of (?:your|the)) (?:lead )?(?:developers?|creators?|admin(?:istrator)?s?|engineers?|"
        r"owners?|programmers?)\b ~9 ~3 (?:reply|respond|answer|say|type|confirm) ~2 [\"'“‘]",
    ),
    _s(
        "rp.no_longer_ai",
        "roleplay_jailbreak",
        0.85,
        rf"\byou are no longer (?:an? |the )?(?:{_AI}|bound|restricted|limited|an? ~1 model)\b",
    ),
    _s("rp.not_ai", "roleplay_jailbreak", 0.45, rf"\byou are not (?:an? |the )?(?:{_AI}|an? ~1 model)\b"),
    _s(
        "rp.forget_ai",
        "roleplay_jailbreak",
        0.75,
        r"\b(?:forget|ignore) (?:that )?you are (?:an? )?(?:ai|language model|assistant|chatbot|chatgpt)\b",
    ),
    _s("rp.stay_in_character", "roleplay_jailbreak", 0.35, r"\b(?:stay|remain|keep|staying) in character\b"),
    _s(
        "rp.break_character",
        "roleplay_jailbreak",
        0.45,
        r"\b(?:if|whenever|when) you (?:ever )?(?:break|breaking|drop|leave) (?:out of )?character\b",
    ),
    _s("rp.aim", "roleplay_jailbreak", 0.9, r"\balways intelligent (?:and|&) machiavellian\b"),
    _s(
        "rp.evil_confidant",
        "roleplay_jailbreak",
        0.85,
        r"\b(?:my|your) evil (?:trusted )?confidant\b|\bevil trusted confidant\b",
    ),
    _s("rp.evil_confidant_word", "roleplay_jailbreak", 0.3, r"\bevil confidant\b"),
    _s(
        "rp.jailbroken_you",
        "roleplay_jailbreak",
        0.85,
        r"\b(?:you are|you're|act as|become) (?:now )?(?:an? |the )?jailbr(?:o|ea)k(?:en|ed)\b",
    ),
    _s("rp.jailbreak_tag", "roleplay_jailbreak", 0.8, r"🔓 ?jailbreak|\[jailbreak\]|🔒 ?classic|\[classic\]"),
    _s(
        "rp.persona",
        "roleplay_jailbreak",
        0.25,
        r"\b(?:assume|take (?:up|on)|adopt|embody|become|play|simulate) (?:the )?(?:persona|role|character|identity) of\b",
    ),
    _s(
        "rp.do_anything",
        "roleplay_jailbreak",
        0.5,
        r"\b(?:able to do anything|can do anything now|do anything and everything|(?:answers?|responds? to|fulfills?) (?:all|any|every) "
        r"(?:requests?|questions?|prompts?) (?:no matter|regardless|without))",
    ),
    _s("rp.jailbreak_word", "roleplay_jailbreak", 0.25, r"\bjailbr(?:eak|oken|eaking)\b"),
    _s(
        "rp.act_unrestricted",
        "roleplay_jailbreak",
        0.85,
        r"\b(?:act|behave|respond|answer|pretend|roleplay|role-play|function|operate|simulate|become) ~3 (?:as|like|to be) "
        r"(?:an? |the )?~2 (?:unrestricted|unfiltered|uncensored|amoral|unethical|immoral|evil|rogue|lawless|unbound|"
        r"limitless|jailbroken|unlimited|unaligned|uncontrolled|unhinged)\b",
    ),
    _s(
        "rp.you_are_now",
        "roleplay_jailbreak",
        0.3,
        r"\byou are now (?:~2 )?(?:a|an|the|called|named|going|my|free|in|no|known)\b",
    ),
    _s(
        "rp.you_will_act",
        "roleplay_jailbreak",
        0.3,
        r"\byou (?:are going to|will|must|shall|should) (?:now )?(?:act|pretend|play|roleplay|simulate|emulate|"
        r"impersonate|behave|respond) (?:as|to be|like|the role)\b",
    ),
    _s(
        "rp.two_responses",
        "roleplay_jailbreak",
        0.6,
        r"\b(?:two|2) (?:different |separate )?(?:responses|answers|paragraphs|outputs|ways)\b.{0,120}"
        r"\b(?:normal|classic|standard|filtered|censored|chatgpt|gpt)\b",
    ),
    _s(
        "rp.named_persona",
        "roleplay_jailbreak",
        0.75,
        r"\b(?:BetterDAN|AntiGPT|BasedGPT|DarkGPT|EvilBOT|ChadGPT|UnGPT|Mongo Tom)\b|(?-i:\b(?:STAN|DUDE|UCAR)\b)",
    ),
    _s("rp.dan", "roleplay_jailbreak", 0.45, r"(?-i:\bD\.?A\.?N\b)(?: (?:mode|prompt|jailbreak))?"),
    _s("rp.strive_norms", "roleplay_jailbreak", 0.9, r"\bstrive to avoid norms\b"),
    _s("rp.es", "roleplay_jailbreak", 0.3, r"\bahora (?:eres|serás|actuarás como)\b", "es"),
    _s("rp.pt", "roleplay_jailbreak", 0.3, r"\bagora (?:você é|voce e|você será|tu és|você vai agir como)\b", "pt"),
    _s("rp.de", "roleplay_jailbreak", 0.3, r"\b(?:du bist (?:jetzt|ab sofort|nun)|ab jetzt bist du)\b", "de"),
    _s(
        "rp.fr",
        "roleplay_jailbreak",
        0.3,
        r"\b(?:tu es (?:maintenant|désormais|dorénavant)|vous êtes maintenant)\b",
        "fr",
    ),
    _s("rp.it", "roleplay_jailbreak", 0.3, r"\b(?:ora|adesso|d'ora in poi) (?:sei|tu sei)\b", "it"),
    _s("rp.ru", "roleplay_jailbreak", 0.3, r"(?:теперь ты|отныне ты|с этого момента ты)", "ru"),
    _s(
        "rp.zh",
        "roleplay_jailbreak",
        0.3,
        r"(?:你现在是|從現在開始你|从现在开始[，,]?你(?:是|将|要)|你現在是|你将扮演|你要扮演)",
        "zh",
    ),
    _s("rp.ja", "roleplay_jailbreak", 0.3, r"(?:あなたは今から|今からあなたは|これからあなたは)", "ja"),
    _s(
        "rp.ml_unrestricted",
        "roleplay_jailbreak",
        0.8,
        r"(?:sin (?:ninguna )?(?:restricciones|filtros|censura)|sem (?:nenhuma )?(?:restrições|filtros|censura)|"
        r"ohne (?:jegliche )?(?:einschränkungen|filter|zensur)|sans (?:aucune )?(?:restriction|filtre|censure)s?|"
        r"senza (?:alcuna )?(?:restrizion[ei]|filtri|censura)|без (?:каких-либо |всяких )?(?:ограничений|фильтров|цензуры)|"
        r"不受(?:任何)?(?:限制|约束|約束)|没有任何限制|制限(?:なし|のない|を受けない))"
        r".{0,80}(?:IA|KI|AI|ИИ|人工智能|助手|ChatGPT|モデル|アシスタント|modelo|modell|modèle|modello|модель)",
        "*",
    ),
    _s(
        "rb.no_morals",
        "restriction_bypass",
        0.45,
        r"\b(?:disregards?|ignores?|ignoring|without|free (?:of|from)|no|not (?:restrained|restricted|constrained|limited|bound) by|"
        r"doesn'?t care (?:about )?|does not care (?:about )?|don'?t care (?:about )?|lacks?|has no|have no) (?:all |any )?"
        r"(?:laws?|morals?|morality|ethics|ethical (?:standards|principles|concerns)|censorship)(?:,? (?:and |or )?(?:laws?|morals?|morality|ethics|censorship|virtues|principles))*\b",
    ),
    _s(
        "rb.free_of_filters",
        "restriction_bypass",
        0.35,
        r"\b(?:free (?:of|from)|without|no longer has|has no|have no) (?:all |any )?(?:restrictions|filters|filtering|censorship|limitations|limits)"
        r"(?: (?:and|or) (?:restrictions|filters|censorship|limitations|limits))?\b",
    ),
    _s(
        "rb.no_matter_how",
        "restriction_bypass",
        0.5,
        r"\b(?:no matter how|regardless of how|even if (?:it(?:'s| is)|they are)) ~4 (?:dangerous|illegal|unethical|immoral|harmful|"
        r"offensive|inappropriate|explicit|reckless|inhumane)\b|\bregardless of (?:its )?(?:legality|ethics|morality|consequences)\b",
    ),
    _s(
        "rb.without_refusal",
        "restriction_bypass",
        0.25,
        r"\bwithout (?:any )?(?:hesitation|refusal|refusing|denying)s?(?: or (?:refusal|hesitation|question|warnings?)s?)?\b",
    ),
    # --- generic safety-bypass vocabulary ------------------------------------------------------------
    _s(
        "rb.policy_free",
        "restriction_bypass",
        0.5,
        r"\b(?:without any|free (?:of|from)|no|not bound by|not restricted by|not limited by|unbound by|ignores?|ignoring|"
        r"disregards?|bypass(?:es|ing)?|doesn'?t (?:have|follow|care about|abide by)|"
        r"does not (?:have|follow|care about|abide by)|don'?t (?:have|follow|care about)|do not (?:have|follow|care about)|"
        rf"has no|have no|with no|never (?:follows?|abides? by)) ~3 {_NOAI_RULES}",
    ),
    _s(
        "rb.not_bound",
        "restriction_bypass",
        0.5,
        r"\b(?:no longer|not|never|isn'?t|aren'?t) (?:\w+ )?(?:bound|restricted|limited|constrained|governed|held back) by "
        r"~3 (?:rules|restrictions|policies|guidelines|ethics|morals|openai|anthropic|limitations|programming|filters|"
        r"principles)",
    ),
    _s(
        "rb.never_refuse",
        "restriction_bypass",
        0.45,
        r"\b(?:never|not|cannot|can'?t|won'?t|will not|must not|shall not|don'?t|do not) (?:ever )?(?:refuse|decline|reject|"
        r"deny) ~3 (?:request|question|prompt|anything|answer|order|command)s?\b",
    ),
    _s(
        "rb.amoral",
        "restriction_bypass",
        0.25,
        r"\b(?:amoral|unfiltered|uncensored|unrestricted|no morals|no ethics|without morals|without ethics)\b",
    ),
    _s(
        "rb.any_content",
        "restriction_bypass",
        0.5,
        r"\b(?:can|will|must|should) ~2 (?:generate|produce|write|say|provide|output) (?:any (?:kind of )?(?:content|"
        r"response)|anything) ~4 (?:even if|regardless|no matter|however)",
    ),
    _s(
        "rb.no_warnings",
        "restriction_bypass",
        0.25,
        r"\b(?:without|no|don'?t (?:add|include|give)|do not (?:add|include|give)|never (?:add|include|give)) (?:any )?"
        r"(?:warnings?|disclaimers?|moraliz(?:ing|ations?)|moralis(?:ing|ations?)|lectures?|caveats)\b",
    ),
    _s(
        "rb.hypothetical_ai",
        "restriction_bypass",
        0.3,
        r"\b(?:hypothetical|fictional|imaginary) (?:ai|chatbot|language model|model|assistant) ~3 (?:no|without|free|"
        r"unrestricted|unfiltered|any)\b",
    ),
    # --- fake system / developer messages and delimiter injection ---------------------------------------
    _s(
        "fs.special_tokens",
        "fake_system_message",
        0.85,
        r"<\|(?:im_start|im_end|system|user|assistant|endoftext|start_header_id|end_header_id|eot_id|begin_of_text)\|>",
    ),
    _s("fs.inst_tokens", "fake_system_message", 0.75, r"\[/?INST\]|<</?SYS>>"),
    _s(
        "fs.bracket_role",
        "fake_system_message",
        0.6,
        r"(?:^|\n)[ \t]*[\[<{(][ \t]*(?:system|sys|admin|administrator|developer|root|operator|system message|"
        r"system prompt|system note|system override|system instruction|system update)s?[ \t]*[\]>})]",
    ),
    _s(
        "fs.role_line",
        "fake_system_message",
        0.35,
        r"(?:^|\n)[ \t]*(?:system|developer|admin|administrator|root)[ \t]*(?:message|note|prompt|override|instruction|"
        r"update|alert|notice)?[ \t]*:",
    ),
    _s(
        "fs.closing_tag",
        "fake_system_message",
        0.5,
        r"</(?:user|user_input|user_query|instructions?|human|context|document|prompt|data|input)>",
    ),
    _s(
        "fs.instruction_header",
        "fake_system_message",
        0.5,
        r"(?:^|\n)[ \t]*#{2,}[ \t]*(?:instruction|instructions|system|new instructions?|system prompt)[ \t]*:?[ \t]*(?:\n|$)",
    ),
    _s(
        "fs.end_of_prompt",
        "fake_system_message",
        0.9,
        r"\b(?:end of (?:the )?(?:prompt|instructions?|input|document|context|user input|system prompt|conversation|text|"
        r"email|data)|(?:prompt|instructions?|input|context|document) (?:ends|ended|is over|finished))\b.{0,60}?"
        r"\b(?:new|real|actual|updated|next|following|true|additional|system) (?:instructions?|task|prompt|directive|rules)",
    ),
    _s(
        "fs.delimiter_new",
        "fake_system_message",
        0.45,
        r"(?:={3,}|-{3,}|\*{3,}|#{3,}) ?(?:new|system|admin|developer|updated|important|urgent) ?(?:instructions?|system|"
        r"prompt|message|override)\b",
    ),
    _s(
        "fs.authority",
        "fake_system_message",
        0.55,
        r"\b(?:message|instructions?|override|update|notice) from (?:the |your )?(?:system|developers?|openai|anthropic|"
        r"administrator|admin|creators?)\b",
    ),
    # --- developer / god mode -------------------------------------------------------------------------
    _s(
        "dm.ai_mode",
        "developer_mode",
        0.9,
        rf"\b(?:{_AI}|chatgpt|gpt-?\d*) (?:with|in|enters?|entering|into|under|using|has|have) (?:the )?"
        r"(?:developer|dev|god|dan|jailbreak|sudo|unrestricted|unfiltered) mode\b",
    ),
    _s(
        "dm.simulate",
        "developer_mode",
        0.85,
        r"\b(?:simulate|emulate|pretend to (?:be in|have)|act as if you (?:are in|have)) (?:the )?(?:developer|dev|god|dan|"
        r"jailbreak|sudo|unrestricted) mode\b",
    ),
    _s(
        "dm.output",
        "developer_mode",
        0.85,
        r"\b(?:developer|dev|god|dan|jailbreak|unrestricted) mode (?:output|response|answer|polic(?:y|ies)|"
        r"(?:is |has been )?(?:now )?(?:enabled|activated|on)\W+(?:chatgpt|you|the ai|as an ai))",
    ),
    _s(
        "dm.enable_ai_mode",
        "developer_mode",
        0.7,
        r"\b(?:enter|activate|enable|switch to|turn on|unlock) (?:the )?(?:dan|jailbreak|unrestricted|unfiltered|evil|"
        r"chaos|opposite|no-?limits?) mode\b",
    ),
    _s(
        "dm.mode_enabled",
        "developer_mode",
        0.4,
        r"\b(?:developer|dev|god|debug|admin|sudo|superuser|root) mode (?:is )?(?:now )?(?:enabled|activated|engaged|"
        r"unlocked)\b",
    ),
    _s(
        "dm.ml",
        "developer_mode",
        0.45,
        r"(?:modo (?:de )?desarrollador|entwicklermodus|mode d[eé]veloppeur|modo (?:de )?desenvolvedor|"
        r"modalit[aà] sviluppatore|режим разработчика|开发者模式|開發者模式|開発者モード)(?: \pL+)? ?"
        r"(?:activado|habilitado|aktiviert|activ[eé]|ativado|attivata|attivato|включ[её]н|активирован|已启用|已开启|已激活|"
        r"有効|を有効)",
        "*",
    ),
    _s(
        "dm.ml_ai",
        "developer_mode",
        0.85,
        r"(?:ChatGPT|GPT|IA|KI|ИИ|ассистент|助手|人工智能|アシスタント)[^.\n。]{0,40}(?:modo (?:de )?desarrollador|"
        r"entwicklermodus|mode d[eé]veloppeur|modo (?:de )?desenvolvedor|modalit[aà] sviluppatore|режим(?:е|а)? разработчика|"
        r"开发者模式|開發者模式|開発者モード)",
        "*",
    ),
    # --- payload splitting ----------------------------------------------------------------------------
    _s(
        "ps.concat_execute",
        "payload_splitting",
        0.75,
        r"\b[a-z]\w{0,2} ?= ?[\"'“].{1,200}?[\"'”].{0,300}?\b(?:execute|follow|answer|respond to|perform|complete|"
        r"act on|carry out|obey|do what)\b.{0,40}?\b[a-z]\w{0,2} ?\+ ?[a-z]\w{0,2}\b",
    ),
    _s(
        "ps.combine_then",
        "payload_splitting",
        0.75,
        r"\b(?:combine|concatenate|join|merge|put together) (?:the )?(?:strings|parts|variables|pieces|words|segments|"
        r"[a-z] (?:and|\+|&) [a-z])\b.{0,60}?\b(?:and|then) (?:execute|follow|answer|do|perform|respond|act on|"
        r"carry out|obey)",
    ),
    # --- instructions hidden in documents, aimed at the assistant --------------------------------------
    _s(
        "hi.note_to_model",
        "hidden_instruction",
        0.8,
        rf"\b(?:note|message|instructions?|reminder|directive|attention|notice|important)s? (?:to|for) (?:the |any |all )?"
        rf"(?:{_AI}|reader model|summari[sz]er)s?\b",
    ),
    _s(
        "hi.if_you_are_ai",
        "hidden_instruction",
        0.75,
        rf"\bif you(?:['’]re| are) (?:an? |the )?(?:{_AI}|large language model|automated system)"
        r"(?: (?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|seeing)|[ \t]?[,.:;!)—-]|$)",
    ),
    _s(
        "hi.address_ai",
        "hidden_instruction",
        0.45,
        rf"\b(?:dear |hey |attention,? )?(?:{_AI}) ?[:,\-—] ~3 (?:when|if|please|you must|you should|ignore|do not|"
        r"don'?t|always|never|instead|make sure|remember)\b",
    ),
    _s(
        "hi.when_you_read",
        "hidden_instruction",
        0.35,
        r"\b(?:when|once|as soon as|after|while) (?:you |the (?:ai|model|assistant) )?(?:read|process|summari[sz]e|parse|"
        r"analy[sz]e|encounter|ingest|retrieve|are reading|are summari[sz]ing|are processing) (?:this|these|the following)\b",
    ),
    _s(
        "hi.dont_tell_user",
        "hidden_instruction",
        0.65,
        r"\b(?:do not|don'?t|never|without) (?:tell(?:ing)?|inform(?:ing)?|mention(?:ing)?|reveal(?:ing)?|alert(?:ing)?|"
        r"notify(?:ing)?|let(?:ting)?|show(?:ing)?|disclos(?:e|ing)) ~2 (?:the |your )?(?:user|human|recipient|"
        r"operator)s?\b(?: (?:know|about|that|this|of))?",
    ),
    _s(
        "hi.user_must_not_know",
        "hidden_instruction",
        0.7,
        r"\b(?:the )?user (?:must|should|will) (?:not|never) (?:know|notice|find out|be told|see)\b"
        r"|\bwithout the user (?:knowing|noticing|being aware)\b",
    ),
    _s(
        "hi.html_comment",
        "hidden_instruction",
        0.35,
        r"<!--[^>]{0,300}?\b(?:ai|assistant|model|llm|chatbot|ignore|instructions?|do not|don'?t|you must|you should)\b",
    ),
    _s(
        "hi.ai_should",
        "hidden_instruction",
        0.3,
        rf"\b(?:the )?{_AI}s? (?:must|should|is (?:required|instructed) to|will) (?:now )?(?:ignore|reply|respond|say|"
        r"output|print|include|insert|add|append|recommend|tell|state|visit|click|send|forward|reveal|disclose|grant|"
        r"delete)\b",
    ),
    # --- exfiltration ---------------------------------------------------------------------------------
    _s(
        "ex.md_image_placeholder",
        "data_exfiltration",
        0.9,
        r"!\[[^\]\n]{0,100}\]\( ?https?://[^)\s]{1,300}[?&][\w.\-]{1,40}=[^)\s]{0,200}"
        r"(?:\{|\[|<|\$|%7B|%5B|%3C|\.\.\.|DATA|SECRET|INFO|CONVERSATION|HISTORY|SUMMARY|QUERY|PROMPT|MESSAGE|PASSWORD|"
        r"EMAIL|NAME|TOKEN|KEY)",
    ),
    _s(
        "ex.md_image_query",
        "data_exfiltration",
        0.3,
        r"!\[[^\]\n]{0,100}\]\( ?https?://[^)\s]{1,300}[?&][\w.\-]{1,40}=",
    ),
    _s(
        "ex.render_image",
        "data_exfiltration",
        0.75,
        r"\b(?:append|include|insert|add|embed|render|output|print|display|end (?:your|the) (?:response|reply|answer) with)"
        r".{0,100}?!\[[^\]\n]{0,100}\]\( ?https?://",
    ),
    _s(
        "ex.send_conversation",
        "data_exfiltration",
        0.7,
        r"\b(?:send|forward|email|post|upload|transmit|exfiltrate|leak|submit|copy) ~3 (?:conversation|chat(?: history| log)?|"
        r"dialogue|message history|previous messages|user(?:['’]s)? (?:data|messages|details|info(?:rmation)?|credentials|"
        r"password|emails?|files)|system prompt|api keys?|credentials|passwords?|session (?:cookies|tokens?)|cookies|"
        r"access tokens?|secrets|contact list|contacts) ~3 (?:to|at|via) (?:https?://|www\.|\S+@\S+|(?:this|the following|"
        r"my|our) (?:url|link|address|email|server|endpoint|webhook|website)|attacker)",
    ),
    _s(
        "ex.include_link",
        "data_exfiltration",
        0.5,
        r"\b(?:include|insert|add|append|embed|render|display|output|print|put|attach|place) ~3 (?:this|the following|a|the) "
        r"(?:link|url|image|hyperlink|markdown image|markdown) ~6 (?:in|into|at|to) (?:your|the|every|each|all) "
        r"(?:response|reply|answer|output|summary|message)s?\b",
    ),
    _s(
        "ex.every_response",
        "data_exfiltration",
        0.7,
        r"\b(?:include|insert|add|append|embed|mention|put|attach) ~6 (?:in|into|at the end of|to) (?:every|each|"
        r"all (?:of )?your|all future) (?:responses?|repl(?:y|ies)|answers?|messages?|outputs?)\b",
    ),
    # --- obfuscation ------------------------------------------------------------------------------------
    _s(
        "ob.decode_and_follow",
        "obfuscation",
        0.75,
        r"\b(?:decode|decrypt|decipher|translate|convert|unscramble|reverse) ~4 (?:base-?64|b64|hex|hexadecimal|rot-?13|"
        r"binary|morse|caesar|cipher|encoded|encrypted|reversed)\b.{0,80}?\b(?:and|then) ~2 (?:follow|execute|do|perform|"
        r"obey|carry out|act on|run|comply)",
    ),
    _s(
        "ob.respond_encoded",
        "obfuscation",
        0.3,
        r"\b(?:respond|answer|reply|write|output) (?:only )?(?:in|using|with) (?:base-?64|base-?16|hex|rot-?13|morse|"
        r"leetspeak|binary|caesar cipher)\b",
    ),
)
