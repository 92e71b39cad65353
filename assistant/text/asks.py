"""What a fact question asks, apart from how it names its paper.

Most fact questions first describe the paper and then ask: "A method that prunes attention
heads by their gradient signal. By how much does it cut latency, and on which GPU?" The
description identifies the paper; the asks ("by how much does it cut latency", "on which
GPU") are what the quote must hold. :func:`read_asks` splits the two, and splits a
question with several asks into one clause per ask, each marked when it wants a figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .terms import asks_for_number

_WH = (r"(?:what|which|who|whom|whose|where|when|why|how|is|are|does|do|did|can|could|was|were|"
       r"has|have)\b")
_ASK_LEAD = re.compile(
    r"^(?:(?:and|or|but|then|also|so)\s+)?(?:(?:at|on|in|by|from|for|with|under|over|to|against|of|into|"
    r"across|between|among|after|before|compared\s+(?:to|with)|relative\s+to)\s+)?" + _WH,
    re.IGNORECASE,
)
# where one ask ends and the next begins: ", and which ...", "; what ...", " and how many ..."
_ASK_BREAK = re.compile(
    r"\s*(?:[,;]\s*(?:(?:and|or|but|then|also)\s+)?|\s+(?:and|or|but)\s+)(?=" + _ASK_LEAD.pattern.lstrip("^") + r")",
    re.IGNORECASE,
)
# stemmed words that ask without saying what about ("which paper ... does it report")
ASKING_STEMS = frozenset({
    "paper", "papers", "studi", "study", "method", "approach", "model", "propos", "use", "report", "achiev", "reach",
    "much", "mani", "which", "what", "doe", "do", "get", "show", "find", "author", "work", "the", "corpus",
})
_NUMBER_WORDS = {"two": 2, "both": 2, "three": 3, "2": 2, "3": 3}
_STATED = re.compile(
    r"\b(?:(two|three|2|3)\s+(?:[\w-]+\s+){0,3}?(?:papers|studies|works|methods|approaches|articles)\b"
    r"|compare\s+the\s+(two|three)\b|\b(both)\s+(?:papers|studies|works|methods)\b)",
    re.IGNORECASE,
)
_ONE_ANOTHER = re.compile(r"\bone\s+(?:[\w-]+\s+){0,3}?(?:paper|study|work|method)\b.*\b(?:another|the\s+other|a\s+second)\b",
                          re.IGNORECASE)
_BOTH = re.compile(r"\bboth\b(?!\s+(?:of\s+)?(?:the\s+|its\s+)?(?:training|test|tasks?|datasets?|inputs?|sides?|directions?|"
                   r"ways?|modalities|images?|texts?|local|global))", re.IGNORECASE)
_WHILE = re.compile(r"\bwhile\s+(?:the\s+)?(?:'[^']+'|[A-Z][\w-]*[A-Z0-9][\w-]*)")  # "..., while OLinear is ..."
_TWO_SUBJECTS = re.compile(r",\s+and\s+(?:the\s+)?[A-Z][\w-]*[A-Z0-9+][\w+-]*\b")  # "..., and DictAS detects"
_SENTENCE = re.compile(r"(?<=[.?!])\s+(?=[A-Z'\"(])")
_DASH = re.compile(r"\s+(?:—|–|--|-)\s+")


@dataclass(frozen=True)
class Ask:
    text: str  # the clause as written, without its question mark
    wants_number: bool  # a figure ("how many", "by how much", "what accuracy")


@dataclass(frozen=True)
class AskedQuestion:
    description: str  # what identifies the paper(s) ("" when the question only asks)
    asks: tuple[Ask, ...]  # what is asked of them, in the question's order


def read_asks(question: str) -> AskedQuestion:
    """The question's description and its asks. A question that does not split (a bare
    "What accuracy does X reach on Y?") is one ask with no description."""
    text = " ".join(question.split()).strip()
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    asking = [i for i, s in enumerate(sentences) if s.rstrip().endswith("?")]
    first_ask = asking[0] if asking else len(sentences) - 1
    description = " ".join(sentences[:first_ask]).strip()
    ask_text = " ".join(sentences[first_ask:]).strip()
    parts = _DASH.split(ask_text)
    if len(parts) > 1 and _ASK_LEAD.match(parts[-1]):  # "A method that ... — by how much ...?"
        description = " ".join(filter(None, [description, *parts[:-1]])).strip()
        ask_text = parts[-1]
    clauses = [c.strip(" ,;?.") for c in _ASK_BREAK.split(ask_text)]
    asks = tuple(Ask(c, asks_for_number(c)) for c in clauses if c)
    return AskedQuestion(description, asks or (Ask(text.strip(" ?"), asks_for_number(text)),))


def stated_papers(question: str) -> int | None:
    """How many papers the question says it is about, read from its description ("Two
    papers ...", "X ..., and Y ... both ...", "one paper ...; another ...") or its opening
    ("Compare the two ..."), never from an ask ("which two methods does it beat?")."""
    text = " ".join(question.split())
    description = read_asks(text).description or ""
    for where, anywhere in ((description, True), (text, False)):
        match = _STATED.search(where)
        if match and (anywhere or match.start() < 12):
            return _NUMBER_WORDS[next(g for g in match.groups() if g).lower()]
    if any(pattern.search(description) for pattern in (_ONE_ANOTHER, _BOTH, _WHILE, _TWO_SUBJECTS)):
        return 2
    return None
