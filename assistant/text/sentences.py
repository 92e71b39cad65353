"""Split text into sentences whose spans index the original text, so quotes stay verbatim."""

from __future__ import annotations

import re
from dataclasses import dataclass

# a sentence ends at . ! ? (optionally followed by a closing quote/bracket) before
# whitespace and an upper-case letter, digit, quote or bracket
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[A-Z0-9\"'(\[])")
_NO_SPLIT_BEFORE = re.compile(
    r"(?:\b(?:e\.g|i\.e|et al|etc|vs|cf|Fig|Figs|Eq|Eqs|Sec|Tab|No|approx|resp|Dr|Mr|Ms|Prof|St|Inc|Ltd|al)\.|\b[A-Z]\.)$"
)


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start : match.start()].rstrip()
        if _NO_SPLIT_BEFORE.search(candidate):
            continue
        end = match.start() + len(match.group(0).rstrip())
        piece = text[start:end].strip()
        if piece:
            offset = text.index(piece, start)
            sentences.append(Sentence(piece, offset, offset + len(piece)))
        start = match.end()
    tail = text[start:].strip()
    if tail:
        offset = text.index(tail, start)
        sentences.append(Sentence(tail, offset, offset + len(tail)))
    return sentences
