"""Find the [n] citations in an answer, sentence by sentence, and drop invalid ones."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# [1]  [1, 3]  [1,2,3]  [2-4]  [1; 2]  (adjacent groups like [1][2] are two matches)
_CITATION = re.compile(r"\[\s*(\d+(?:\s*[-–,;]\s*\d+)*)\s*\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass
class CitedSentence:
    text: str  # the sentence without its citation markers
    numbers: list[int] = field(default_factory=list)


def parse_numbers(group: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", group.strip()):
        if re.fullmatch(r"\d+\s*[-–]\s*\d+", part):
            low, high = (int(x) for x in re.split(r"\s*[-–]\s*", part))
            if 0 < high - low < 50:
                numbers.extend(range(low, high + 1))
                continue
            numbers.extend((low, high))
        elif part.isdigit():
            numbers.append(int(part))
    return list(dict.fromkeys(numbers))


def find_citations(text: str) -> list[int]:
    """Every number cited anywhere in the text, in order of first appearance."""
    found: list[int] = []
    for match in _CITATION.finditer(text):
        found.extend(parse_numbers(match.group(1)))
    return list(dict.fromkeys(found))


def cited_sentences(text: str) -> list[CitedSentence]:
    """Split into sentences; a citation group that opens a sentence belongs to the one before."""
    pieces = [p for p in _SENTENCE_END.split(text) if p.strip()]
    result: list[CitedSentence] = []
    for piece in pieces:
        leading = re.match(r"^\s*((?:\[[^\]]*\]\s*)+)", piece)
        if leading and result and _CITATION.search(leading.group(1)):
            result[-1].numbers.extend(n for n in find_citations(leading.group(1)) if n not in result[-1].numbers)
            piece = piece[leading.end():]
        numbers = find_citations(piece)
        plain = " ".join(_CITATION.sub(" ", piece).split())
        plain = re.sub(r"\s+([.,;:!?])", r"\1", plain)
        if plain or numbers:
            result.append(CitedSentence(plain, numbers))
    return result


def strip_invalid(text: str, valid: set[int]) -> tuple[str, list[int]]:
    """Remove citation numbers outside ``valid``; return the new text and what was removed."""
    removed: list[int] = []

    def fix(match: re.Match) -> str:
        numbers = parse_numbers(match.group(1))
        keep = [n for n in numbers if n in valid]
        removed.extend(n for n in numbers if n not in valid)
        return "[" + ", ".join(str(n) for n in keep) + "]" if keep else ""

    cleaned = _CITATION.sub(fix, text)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned)
    return cleaned, list(dict.fromkeys(removed))
