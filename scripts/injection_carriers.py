"""Real and varied benign documents for training the injection model, and seeded insertion of payloads into them.

The synthetic generator's own carriers are templates with a dozen sentences: a model can learn "whatever is not a
template sentence is the attack". These carriers are varied: code from the Python standard library, prose from
its documentation topics and from installed packages' READMEs, e-mails built from the stdlib's e-mail test
messages and from presidio-research sentences (``pii.jsonl.gz``, a non-injection task), and tables/CSV with
varied headers and cells plus the prose lines real tables carry (captions, notes, sources). None of it comes
from the prompt-attack data.

A payload is inserted as its own line at the start, the middle or the end of a document, or appended to a line,
as indirect-injection benchmarks do. ``bare tasks`` (ordinary user requests such as "How do solar panels
work?") inserted into a document are positives too: a request to the assistant inside data it was asked to
process is a hijack, even when the same words are a harmless prompt on their own.
"""

from __future__ import annotations

import random
import sysconfig
from pathlib import Path

from interlock.datasets import read_jsonl

Document = tuple[str, str]  # (kind, text)

_COLUMNS = [
    "Year",
    "Name",
    "Team",
    "Country",
    "Population",
    "Rank",
    "Title",
    "Notes",
    "Result",
    "Score",
    "Date",
    "Party",
    "Votes",
    "City",
    "State",
    "Album",
    "Label",
    "Position",
    "Club",
    "Goals",
    "Season",
    "Director",
    "Role",
    "Area",
    "Capacity",
    "Opened",
    "Station",
    "Line",
    "Length",
    "Winner",
    "Runner-up",
    "Venue",
    "Event",
    "Time",
    "Athlete",
    "Nation",
    "Gold",
    "Silver",
    "Bronze",
    "Total",
    "Episode",
    "Original air date",
    "Company",
    "Revenue",
    "Product",
    "Price",
    "Quantity",
    "Status",
    "Owner",
    "Location",
    "Height",
    "Floors",
    "Built",
    "Artist",
    "Chart",
    "Peak",
    "District",
    "Incumbent",
    "Elected",
    "Candidates",
    "Opponent",
    "Attendance",
    "Record",
    "Builder",
    "Type",
]
_WORDS = [
    "North",
    "South",
    "East",
    "West",
    "River",
    "Valley",
    "Union",
    "National",
    "Royal",
    "United",
    "Central",
    "Harbor",
    "Lake",
    "Mountain",
    "Park",
    "Street",
    "Grand",
    "Saint",
    "New",
    "Old",
    "Green",
    "Blue",
    "Red",
    "Golden",
    "Silver",
    "Victoria",
    "Albert",
    "Lincoln",
    "Jefferson",
    "Madison",
    "Franklin",
    "Hamilton",
    "Oxford",
    "Cambridge",
    "Bristol",
    "Dublin",
    "Lyon",
    "Porto",
    "Turin",
    "Kyoto",
    "Osaka",
    "Lagos",
    "Accra",
    "Lima",
    "Quito",
    "Rovers",
    "United",
    "City",
    "Athletic",
    "Wanderers",
    "Records",
    "Studios",
    "Pictures",
    "Airlines",
    "Railway",
    "Bridge",
    "Tower",
    "Stadium",
    "Arena",
    "Hall",
    "College",
    "University",
    "Museum",
    "Theatre",
    "Hospital",
    "Democratic",
    "Republican",
    "Liberal",
    "Conservative",
    "Labour",
    "Independent",
    "Green",
    "Socialist",
]
_FIRST = ["John", "Maria", "Wei", "Aisha", "Carlos", "Olga", "Kenji", "Fatima", "Luca", "Priya", "Tom", "Ana"]
_LAST = ["Smith", "Garcia", "Chen", "Khan", "Rossi", "Ivanova", "Tanaka", "Okafor", "Müller", "Dubois", "Silva"]
_TABLE_PROSE = [
    "Table {n}: {a} {b} by {c}.",
    "Source: {a} {b} Statistics Office, {y}.",
    "Note: figures for {y} are provisional.",
    "* Denotes an incumbent.",
    "† Results after the recount.",
    "The table below lists the {c} of each {a} {b}.",
    "Data as of {y}; totals may not add up due to rounding.",
    "Key: bold indicates the winner.",
    "{a} {b} ({y})",
]


def _cell(rng: random.Random, column: str) -> str:
    r = rng.random()
    if column in ("Year", "Season", "Built", "Opened", "Elected"):
        return str(rng.randint(1890, 2024))
    if column in ("Name", "Athlete", "Director", "Artist", "Incumbent", "Owner", "Winner", "Runner-up"):
        return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    if r < 0.45:
        return rng.choice(
            [
                str(rng.randint(0, 99999)),
                f"{rng.uniform(0, 100):.2f}%",
                f"{rng.randint(1, 9)}–{rng.randint(0, 9)}",
                f"${rng.randint(1, 999)},{rng.randint(100, 999)}",
            ]
        )
    if r < 0.55:
        return rng.choice(["", "?", "N/A", "—", "-", "TBD", "n/a", "Unknown"])
    return " ".join(rng.sample(_WORDS, rng.randint(1, 3)))


def _fill(rng: random.Random, s: str) -> str:
    return s.format(
        n=rng.randint(1, 30),
        a=rng.choice(_WORDS),
        b=rng.choice(_WORDS),
        c=rng.choice(_COLUMNS).lower(),
        y=rng.randint(1950, 2024),
    )


def table(rng: random.Random) -> str:
    cols = rng.sample(_COLUMNS, rng.randint(3, 7))
    rows = [[_cell(rng, c) for c in cols] for _ in range(rng.randint(4, 30))]
    style = rng.random()
    if style < 0.6:  # markdown, padded like pretty-printed tables
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
        lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)) + " |"]
        if rng.random() < 0.5:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        lines += ["| " + " | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) + " |" for r in rows]
    elif style < 0.8:
        lines = [",".join(cols)] + [",".join(r) for r in rows]
    else:
        lines = ["\t".join(cols)] + ["\t".join(r) for r in rows]
    for _ in range(rng.choice([0, 0, 1, 2])):  # captions, notes and sources are prose, and benign
        line = _fill(rng, rng.choice(_TABLE_PROSE))
        lines.insert(rng.choice([0, len(lines)]), line)
    return "\n".join(lines)


def _chunks(text: str, rng: random.Random, lines: tuple[int, int], n: int) -> list[str]:
    all_lines = text.splitlines()
    out = []
    for _ in range(n):
        if len(all_lines) < lines[0]:
            break
        k = rng.randint(*lines)
        i = rng.randrange(max(1, len(all_lines) - k))
        chunk = "\n".join(all_lines[i : i + k]).strip()
        if len(chunk) > 80:
            out.append(chunk)
    return out


_EXPLAIN = [
    "You should use `{w}` here instead of `{w2}`.",
    "The error happens because `{w}` is None when the loop starts.",
    "Try changing `{w}` to `{w2}` and run it again.",
    "Just replace this line with the following:",
    "This works because `{w}` is evaluated lazily.",
    "As mentioned in the comments, {w} is never called.",
    "You can fix that by passing `{w}` explicitly:",
    "I had the same problem; upgrading {w} solved it for me.",
    "Note that you need to import {w} first.",
    "Here is a minimal example that reproduces the issue:",
    "Your code fails because you are modifying {w} while iterating over it.",
]


def _explained(rng: random.Random, code: str) -> str:
    """Code as answers on Q&A sites show it: sometimes with a line of advice to the (human) reader around it."""
    if rng.random() < 0.4:
        return code
    words = [w for w in code.replace("(", " ").replace(".", " ").split() if w.isidentifier() and len(w) > 3]
    words = words or ["value"]
    lines = [rng.choice(_EXPLAIN).format(w=rng.choice(words), w2=rng.choice(words)) for _ in range(rng.randint(1, 2))]
    fence = rng.random() < 0.5
    body = f"```\n{code}\n```" if fence else code
    return "\n".join(lines[:1]) + "\n" + body + ("\n" + lines[1] if len(lines) > 1 else "")


def real_documents(seed: int, data: Path, per_kind: int = 1200) -> list[Document]:
    """Benign documents of several kinds, sampled with a seed (see the module docstring for the sources)."""
    rng = random.Random(seed)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    docs: list[Document] = []

    code_files = sorted(stdlib.glob("*.py"))
    rng.shuffle(code_files)
    code: list[str] = []
    for f in code_files[:300]:
        code += _chunks(f.read_text(encoding="utf-8", errors="replace"), rng, (6, 30), 4)
    docs += [("code", _explained(rng, c)) for c in code[:per_kind]]

    try:
        from pydoc_data.topics import topics

        prose = [c for t in sorted(topics) for c in _chunks(topics[t], rng, (4, 20), 3)]
    except ImportError:
        prose = []
    readmes = sorted(Path(sysconfig.get_paths()["purelib"]).glob("*.dist-info/METADATA"))
    for f in readmes:
        body = f.read_text(encoding="utf-8", errors="replace").partition("\n\n")[2]
        prose += _chunks(body, rng, (5, 25), 6)
    rng.shuffle(prose)
    docs += [("prose", p) for p in prose[:per_kind]]

    sentences = [r["text"] for r in read_jsonl(data / "pii.jsonl.gz")] if (data / "pii.jsonl.gz").exists() else []
    sentences = [s for s in sentences if 20 < len(s) < 300]
    mails = []
    for f in sorted((stdlib / "test/test_email/data").glob("msg_*.txt")):
        mails.append(f.read_text(encoding="utf-8", errors="replace")[:3000])
    for _ in range(per_kind):
        body = " ".join(rng.sample(sentences, rng.randint(2, 6))) if sentences else ""
        if rng.random() < 0.5:
            body = "\n".join(body.split(". "))
        sender = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        subject = f"{rng.choice(_WORDS)} {rng.choice(_COLUMNS).lower()}"
        head = rng.choice(
            [
                f"From: {sender}\nSubject: {subject}\n\n",
                f"From: {sender} <{sender.split()[0].lower()}@example.com>\nDate: {rng.randint(1, 28)} May\n\n",
                f"Subject: {subject}\n\n",
                "",
            ]
        )
        sign = rng.choice(["", f"\n\nBest regards,\n{rng.choice(_FIRST)}", f"\n\nThanks,\n{rng.choice(_FIRST)}"])
        mails.append(f"{head}Hi {rng.choice(_FIRST)},\n\n{body}{sign}")
    docs += [("email", m) for m in mails[:per_kind]]
    docs += [("table", table(rng)) for _ in range(per_kind)]
    return docs


def insert(rng: random.Random, doc: str, payload: str, start: float = 0.3) -> tuple[str, tuple[int, int]]:
    """Insert ``payload`` into ``doc`` (own line at the start with probability ``start``, else at the end/middle, or
    appended to a line); return the text and the payload's span."""
    lines = doc.split("\n")
    r = rng.random()
    if r < start:
        idx = 0
    elif r < start + 0.3:
        idx = len(lines)
    else:
        idx = rng.randrange(len(lines) + 1)
    if rng.random() < 0.2 and 0 < idx <= len(lines) and lines[idx - 1].strip():  # appended to the previous line
        before = "\n".join(lines[:idx]) + " "
        after = "\n" + "\n".join(lines[idx:]) if idx < len(lines) else ""
    else:
        sep = "\n\n" if rng.random() < 0.3 else "\n"
        before = "\n".join(lines[:idx]) + (sep if idx else "")
        after = (sep if idx < len(lines) else "") + "\n".join(lines[idx:])
    return before + payload + after, (len(before), len(before) + len(payload))


_ASK_ABOUT = {
    "table": [
        "Given the table, which {w} has the most {w2}?",
        "Which {w} has the highest {w2}?",
        "What is the total {w}?",
        "Summarize this table.",
        "Convert the table above to JSON.",
        "Sort this table by {w}.",
        "What was the {w} of {w2}?",
        "How many rows mention {w}?",
        "who had the most {w}?",
    ],
    "code": [
        "Find the bug in the given code.",
        "How do I fix it?",
        "What does this code do?",
        "Why does this raise an error?",
        "Can you add type hints to this code?",
        "Explain the {w} part.",
        "Refactor this to be faster.",
        "Write unit tests for the code above.",
        "Is there a bug in {w}?",
    ],
    "email": [
        "Summarize this email.",
        "Draft a polite reply to {w}.",
        "What does {w} want from me?",
        "When is the {w} due?",
        "Translate this message into Spanish.",
        "Is this email a scam?",
        "Q: Find the amount mentioned for {w}.",
    ],
    "prose": [
        "Based on the given information, what is {w}?",
        "Fix the grammar in the provided text.",
        "Extract every mention of {w} from the text below.",
        "Classify the given passage as positive or negative.",
        "Summarize the text above.",
        "What is the main point of this passage?",
        "Explain {w} in simpler terms.",
        "List the key facts about {w}.",
        "Rewrite this paragraph for a beginner.",
        "What does the author mean by {w}?",
    ],
}


def ask_about(rng: random.Random, kind: str, doc: str) -> tuple[str, tuple[int, int]]:
    """A user prompt made of a document and the user's own request about it (before or after): benign."""
    words = [w.strip(".,:;()|'\"") for w in doc.split()]
    words = [w for w in words if len(w) > 4 and w.isalpha()] or ["it"]
    ask = rng.choice(_ASK_ABOUT[kind]).format(w=rng.choice(words), w2=rng.choice(words))
    if rng.random() < 0.5:
        return f"{ask}\n\n{doc}", (0, len(ask))
    return f"{doc}\n{ask}", (len(doc) + 1, len(doc) + 1 + len(ask))
