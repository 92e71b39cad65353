"""A fact question's quote: the abstract's sentences that hold what was asked.

The selector's evidence sentence is the one that best matches the whole question, and a
question that first describes its paper is matched by its description: the quote would
name the method and leave out the figure asked for. Here each ask of the question
(:mod:`assistant.text.asks`) picks its own sentence: the closest by embedding and by
the ask's own words, a sentence with a figure when the ask wants one. The chosen
sentences, in the abstract's order, become the quote: one verbatim span where they are
neighbours, several joined by :data:`GAP` where they are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..text.asks import ASKING_STEMS, AskedQuestion
from ..text.terms import has_number

if TYPE_CHECKING:
    from ..corpus import Paper
    from .evidence import EvidenceFinder

GAP = QUOTE_GAP = " … "  # between two spans of one quote that are not neighbours in the abstract
NUMBER_BONUS = 0.25  # a sentence with a figure, for an ask that wants one
MAX_SENTENCES = 3  # of one quote


@dataclass(frozen=True)
class Quote:
    text: str  # the spans' texts joined by GAP
    spans: tuple[tuple[int, int], ...]  # offsets in the abstract, in its order


def ask_vectors(asked: AskedQuestion, finder: "EvidenceFinder") -> list[np.ndarray]:
    """One query vector per ask (computed once per question, used for every paper)."""
    return [finder.query_vector(ask.text) for ask in asked.asks]


def choose_quote(paper: "Paper", asked: AskedQuestion, vectors: list[np.ndarray], finder: "EvidenceFinder",
                 fallback: tuple[int, int]) -> Quote:
    """The sentences of ``paper``'s abstract that answer the asks; ``fallback`` (the
    selector's evidence span) when the question is one plain ask that needs no figure."""
    sentences = finder.sentences(paper)[0]
    position = {s.start: i for i, s in enumerate(sentences)}
    chosen: list[int] = []
    for ask, vector in zip(asked.asks, vectors):
        matches = finder.rank(ask.text, paper, vector, ignore=ASKING_STEMS)
        best = max(matches, key=lambda m: m.score + (NUMBER_BONUS if ask.wants_number and has_number(m.sentence.text)
                                                     else 0.0))
        if position[best.sentence.start] not in chosen:
            chosen.append(position[best.sentence.start])
    plain = len(asked.asks) == 1 and not asked.description and not asked.asks[0].wants_number
    if plain or not chosen:
        start, end = fallback
        return Quote(paper.abstract[start:end], ((start, end),))
    picked = sorted(chosen[:MAX_SENTENCES])
    return _joined(paper.abstract, [(sentences[i].start, sentences[i].end) for i in picked], picked)


def _joined(abstract: str, spans: list[tuple[int, int]], positions: list[int]) -> Quote:
    """Neighbouring sentences merge into one span (the text between them kept verbatim)."""
    merged: list[list[int]] = []
    for (start, end), position in zip(spans, positions):
        if merged and position == merged[-1][2] + 1:
            merged[-1][1], merged[-1][2] = end, position
        else:
            merged.append([start, end, position])
    parts = tuple((start, end) for start, end, _ in merged)
    return Quote(GAP.join(abstract[start:end] for start, end in parts), parts)
