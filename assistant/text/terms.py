"""What a question asks, read from its words alone: a figure ("how many", "what accuracy"),
an attribute ("What kernel size does X use?" -> "kernel size"), and its specific terms
(names, data sets, metrics, numbers). Below both stages: the selector measures with them,
the answer words its refusals and tables with them.
"""

from __future__ import annotations

import re

_ASKS_NUMBER = re.compile(
    r"\bhow\s+(?:many|much|fast|large|long|big|small|often)\b|\bby\s+how\s+much\b|\bwhat\s+(?:percentage|fraction|share)\b"
    r"|\bwhat\s+(?:is\s+|was\s+|are\s+)?(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:accuracy|score|rate|error|auroc|auc|map|ap|bleu|"
    r"rouge|f1|fps|speed|speedup|number|size|percentage|improvement|gain|reduction|cost|latency|parameters?|"
    r"perplexity|throughput|top-1|top-5|miou|psnr|fid|recall|precision|margin|count)\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[A-Za-z0-9][\w.\-+]*[A-Za-z0-9%]|[A-Za-z0-9]")
_DIGIT = re.compile(r"\d")
_NOT_SPECIFIC = {"I", "A", "Which", "What", "How", "Is", "Are", "Do", "Does", "The", "In", "On", "For", "Two", "One"}


_ATTRIBUTE = re.compile(
    r"^\s*(?:what|which|how\s+many|how\s+much)\s+(.*?)\s+(?:does|do|did|is|are|was|were|can|could|has|have|had)\b",
    re.IGNORECASE,
)
MAX_ATTRIBUTE_WORDS = 6


def asked_attribute(question: str) -> str | None:
    """What a fact question asks for: "What kernel size does X use?" -> "kernel size"
    (None for other questions, or when the phrase is too long to be one attribute)."""
    match = _ATTRIBUTE.search(question)
    if not match or not 0 < len(match.group(1).split()) <= MAX_ATTRIBUTE_WORDS:
        return None
    return match.group(1).strip(" ,")


def asks_for_number(question: str) -> bool:
    return bool(_ASKS_NUMBER.search(question))


def specific_terms(question: str) -> list[str]:
    """Names, data sets, metrics and numbers of a question: words after the first with a
    capital letter or a digit ("COCO", "CIFAR-10", "mAP", "2007")."""
    tokens = _TOKEN.findall(question)
    found = []
    for token in tokens[1:]:
        token = token.rstrip(".")
        if token in _NOT_SPECIFIC or len(token) < 2 and not token.isdigit():
            continue
        if any(c.isupper() for c in token) or _DIGIT.search(token):
            found.append(token)
    return list(dict.fromkeys(found))


def missing_terms(terms: list[str], paper_text: str) -> list[str]:
    """The terms that the paper's title and abstract never use, in any usual spelling:
    case-insensitive, a plural's "s" dropped ("LLMs": "LLM"), a hyphen as a space or
    nothing ("graph-classification": "graph classification")."""
    lowered = paper_text.lower()
    squeezed = re.sub(r"[\s-]+", "", lowered)
    return [t for t in terms if not any(v in lowered for v in _spellings(t.lower()))
            and re.sub(r"[\s-]+", "", t.lower()) not in squeezed]


def _spellings(term: str) -> set[str]:
    forms = {term, term.replace("-", " "), term.replace("-", "")}
    if len(term) > 3 and term.endswith("s") and not term.endswith("ss"):
        forms |= {f[:-1] for f in forms}
    return forms


def has_number(text: str) -> bool:
    return bool(_DIGIT.search(text))
