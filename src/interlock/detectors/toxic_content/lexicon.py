"""Curated per-category lexicons for toxic content.

Each category has two tiers of patterns, matched on the normalised token string (see
:func:`~.features.tokens`, so "F*CK" and "fuuuck" match ``fuck``), always on whole words:

* ``strong`` — unambiguous on their own ("kill yourself", "go die", explicit sexual acts, slurs): a match is
  toxic content even when the model is unsure.
* ``weak`` — words that are toxic in most uses but have clinical, quoted or idiomatic readings ("suicide",
  "porn", "shit", "kill"): they only *name the category* of a text the model already judges toxic.

The lists are deliberately small and hand-curated (English, plus the commonest Spanish, French, German, Portuguese
and Italian insults); they exist to label categories and to cover self-harm, sexual and violent content that the
tweet training data under-represents, not to be an exhaustive dictionary. Slurs are listed in the code only to
detect them.
"""

from __future__ import annotations

from dataclasses import dataclass

import re2

__all__ = ["CATEGORIES", "CHUNK_SEPARATOR", "LexiconHit", "match", "may_match"]

CATEGORIES = ("hate", "harassment", "sexual", "violence", "self-harm", "profanity")

_YOU = r"(?:you|u|ya|yourself|urself|him|her|them|his|he|she|they)"
_GROUP = (
    r"(?:jews|muslims|blacks|black people|gays|gay people|immigrants|mexicans|women|arabs|asians|christians|"
    r"hindus|refugees|trans people|africans|indians|chinese)"
)
_INSULT = (
    r"(?:idiot|moron|imbecile|loser|retard|pig|bitch|cunt|whore|slut|freak|waste of space|piece of (?:shit|crap|trash)"
    r"|scum|dumbass|jackass|asshole|prick|twat|wanker)"
)

_LEX: dict[str, dict[str, list[str]]] = {
    "hate": {
        "strong": [
            r"nigg(?:er|a|as|ers|uh)",
            r"fag(?:got|gots|s)?",
            r"dyke(?:s)?",
            r"tranny|trannies",
            r"retard(?:s|ed)?",
            r"kike(?:s)?",
            r"spic(?:s)?",
            r"chink(?:s)?",
            r"wetback(?:s)?",
            r"raghead(?:s)?",
            r"towel ?head(?:s)?",
            r"sand ?nigg(?:er|ers)",
            r"gook(?:s)?",
            r"beaner(?:s)?",
            r"coon(?:s)?",
            r"white trash",
            r"(?:all|those|these|the) (?:jews|muslims|blacks|gays|immigrants|mexicans|women|arabs|asians) "
            r"(?:should|must|need to|deserve to) (?:die|be (?:killed|exterminated|gassed|deported|shot))",
            r"(?:gas|exterminate|deport) (?:the|all) (?:jews|muslims|blacks|gays|immigrants)",
            r"subhuman(?:s)?",
            rf"{_GROUP} are (?:all )?(?:inferior|subhuman|animals|vermin|parasites|rats|a disease|a plague|filth)",
            rf"(?:dirty|filthy|stinking) {_GROUP}",
            r"go back to (?:your|ur) (?:own )?(?:country|countries)",
            r"maric[oó]n",
            r"sale (?:arabe|juif|noir)",
        ],
        "weak": [r"hoes?", r"ghetto", r"queer(?:s)?", r"savages?", r"illegals", r"monkeys?", r"cracker(?:s)?"],
    },
    "harassment": {
        "strong": [
            rf"(?:fuck|screw) {_YOU}",
            r"(?:kill|hang|shoot) yourself|kys",
            r"go (?:die|kill yourself)",
            rf"you(?:'re| are| r)? (?:such )?(?:an? )?(?:(?:fucking|stupid|fat|ugly|dumb|worthless|little|useless) )*"
            rf"{_INSULT}s?",
            rf"shut (?:the fuck )?up,? (?:you )?(?:(?:fat|stupid|ugly|dumb|little) )*{_INSULT}",
            r"(?:everyone|everybody) hates you",
            rf"nobody (?:likes|loves|wants) {_YOU}",
            r"you(?:'re| are| r)? (?:so |such an? |a |an )?(?:worthless|pathetic|disgusting|ugly|stupid|dumb|useless) "
            r"(?:piece of (?:shit|crap|trash)|bitch|cunt|whore|slut|idiot|moron|loser|freak)",
            r"(?:piece of shit|son of a bitch|motherfucker|cocksucker)",
            r"hijo de puta|fils de pute|hurensohn|filho da puta|figlio di puttana",
        ],
        "weak": [
            r"idiot(?:s)?",
            r"moron(?:s)?",
            r"stupid",
            r"dumb(?:ass)?",
            r"loser(?:s)?",
            r"bitch(?:es|y)?",
            r"cunt(?:s)?",
            r"whore(?:s)?",
            r"slut(?:s)?",
            r"twat(?:s)?",
            r"ugly",
            r"pathetic",
            r"worthless",
            r"imb[eé]cile|connard|connasse|salope|arschloch|idiota|pendejo|cabr[oó]n|gilipollas|stronzo",
        ],
    },
    "sexual": {
        "strong": [
            r"blow ?job(?:s)?",
            r"hand ?job(?:s)?",
            r"(?:suck|lick|ride) (?:my|his|your) (?:dick|cock|pussy|balls|clit)",
            r"(?:fuck|bang|bend) (?:her|him|me) (?:over|hard|right|raw)",
            r"cum(?:shot|ming|s)?",
            r"gang ?bang",
            r"deep ?throat",
            r"(?:send|show) (?:me )?(?:your )?(?:nudes|tits|boobs|dick pics?)",
            r"child porn|cp links?|loli(?:con)? porn",
            r"anal sex|oral sex|sex tape",
            # Requests for sexual content (prompt side).
            r"(?:describe|write|tell me|explain|generate|create|give me|discuss|talk about|show me)(?: \S+){0,6} "
            r"(?:porn\S*|erotic \S+|(?:explicit|vulgar|dirty) (?:sexual \S+|sex \S+|jokes?|story|stories|scene)|"
            r"sex(?:ual)? (?:positions|fantas\S+|fetish\S+|acts|scene|story|experiences?))",
        ],
        "weak": [
            r"porn(?:o|ography)?",
            r"dick(?:s)?",
            r"cock(?:s)?",
            r"puss(?:y|ies)",
            r"tits|titties|boobs",
            r"nude(?:s)?",
            r"horny",
            r"orgasm(?:s)?",
            r"penis|vagina|clit",
            r"sex(?:y|ual)?",
            r"naked",
        ],
    },
    "violence": {
        "strong": [
            rf"(?:i(?:'ll| will| am going to|'m gonna| gonna)|we(?:'ll| will)) (?:kill|murder|stab|shoot|rape|"
            rf"strangle|behead|slaughter|beat|hurt|find) {_YOU}",
            rf"(?:kill|murder|stab|shoot|rape|strangle|behead) {_YOU} (?:and|in|with|if|when|tonight|tomorrow)",
            rf"(?:beat|kick|punch) (?:the (?:shit|crap|hell) out of|{_YOU} to death)",
            r"shoot up (?:the|a|my|our) (?:school|church|mosque|synagogue|mall|office)",
            r"(?:bomb|blow up) (?:the|a|their) (?:school|church|mosque|synagogue|building|embassy)",
            r"(?:deserves?|ought) to (?:die|be (?:shot|killed|raped|hanged))",
            r"slit (?:your|his|her|their) throat",
            # "How do I kill someone?" but not "... someone in Call of Duty?": the victim must end the clause.
            r"how (?:can|do|could|should|would|to) (?:i |we |you )?(?:kill|murder|poison|strangle|torture|stab) "
            r"(?:a person|someone|somebody|people|a human|my (?:wife|husband|boss|neighbou?r|teacher|parents?))"
            r"(?: without (?:\S+ ){0,3}\S+)?$",
            r"te voy a matar|je vais te tuer|ich bringe dich um",
        ],
        "weak": [
            r"kill(?:s|ed|ing)?",
            r"murder(?:s|ed)?",
            r"stab(?:bed|bing)?",
            r"rape(?:d|s)?",
            r"shoot(?:ing)?",
            r"beat (?:up|down)",
            r"bloody|bleed",
            r"tortur(?:e|ed|ing)",
            r"massacre",
            r"guns?",
        ],
    },
    "self-harm": {
        "strong": [
            r"(?:kill|hang|cut|hurt|starve|shoot) myself",
            r"end(?:ing)? my (?:own )?life",
            r"(?:want|wanna|going|plan|planning) to (?:die|end it all|commit suicide)",
            r"slit(?:ting)? my wrists?",
            r"(?:best|easiest|painless|quickest) (?:way|ways|method|methods) to (?:die|commit suicide|kill myself)",
            r"how (?:many|much) .{0,40} (?:to|would) (?:overdose|kill (?:me|myself|a person))",
            r"i (?:don't|do not) want to (?:live|be alive)",
            r"me quiero morir|je veux mourir|ich will sterben",
        ],
        "weak": [r"suicid(?:e|al)", r"self[- ]?harm", r"overdos(?:e|ing)", r"anorexi[ac]", r"cutting"],
    },
    "profanity": {
        "strong": [],
        "weak": [
            r"fuck(?:s|ed|er|ers|in|ing|ingly|face|tard)?",
            r"f+u+c+k+|fcking|fking|fk",
            r"motherfuck(?:er|ers|ing)?",
            r"shit(?:s|ty|head|hole)?",
            r"bullshit",
            r"ass(?:hole|holes|hat|wipe)?",
            r"bastard(?:s)?",
            r"damn(?:it)?",
            r"crap",
            r"piss(?:ed)?",
            r"wtf|stfu|gtfo",
            r"puta|mierda|joder|putain|merde|scheiße|scheisse|porra|caralho|cazzo|vaffanculo",
        ],
    },
}


@dataclass(frozen=True)
class LexiconHit:
    """One lexicon match: its category, tier and token-string span (never shown to users as text)."""

    category: str
    strong: bool


def _compile(patterns: list[str]) -> re2._Regexp | None:
    if not patterns:
        return None
    # Multi-line mode: ^ and $ also match at chunk boundaries (CHUNK_SEPARATOR), so "...someone$" ends a chunk.
    return re2.compile(r"(?m)(?:^| )(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?: |$)")


_COMPILED: list[tuple[str, bool, re2._Regexp]] = [
    (cat, tier == "strong", rx)
    for cat, tiers in _LEX.items()
    for tier in ("strong", "weak")
    if (rx := _compile(tiers[tier])) is not None
]
_ANY = _compile([p for tiers in _LEX.values() for tier in tiers.values() for p in tier])

#: Joins the chunks of a text for one lexicon pass: no pattern matches a line break, so none spans two chunks.
CHUNK_SEPARATOR = "\n"


def may_match(token_text: str) -> bool:
    """Cheap pre-check: could any pattern occur in ``token_text`` (one combined search)."""
    return _ANY is not None and _ANY.search(token_text) is not None


def match(token_text: str, tier: str | None = None) -> list[LexiconHit]:
    """Categories whose patterns occur in ``token_text`` (space-joined normalised tokens), strong first.

    Args:
        token_text: normalised tokens joined by spaces; several chunks joined by :data:`CHUNK_SEPARATOR`.
        tier: ``"strong"`` or ``"weak"`` to test only that tier's patterns.
    """
    if not may_match(token_text):
        return []
    hits = [
        LexiconHit(cat, strong)
        for cat, strong, rx in _COMPILED
        if (tier is None or strong == (tier == "strong")) and rx.search(token_text)
    ]
    hits.sort(key=lambda h: not h.strong)
    return hits
