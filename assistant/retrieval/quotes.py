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
from .evidence import content_terms

if TYPE_CHECKING:
    from ..corpus import Paper
    from .evidence import EvidenceFinder

GAP = QUOTE_GAP = " … "  # between two spans of one quote that are not neighbours in the abstract
NUMBER_BONUS = 0.25  # a sentence with a figure, for an ask that wants one
OVERLAP_WEIGHT = 0.5  # the ask's own words found in the sentence (as EvidenceFinder.rank)
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
    sentences, sentence_vectors, terms = finder.sentences(paper)
    chosen: list[int] = []
    for ask, vector in zip(asked.asks, vectors):
        scores = _scores(ask.text, vector, sentence_vectors, terms)
        if ask.wants_number:
            scores = scores + NUMBER_BONUS * np.array([has_number(s.text) for s in sentences], dtype=np.float32)
        best = int(np.argmax(scores))
        if best not in chosen:
            chosen.append(best)
    plain = len(asked.asks) == 1 and not asked.description and not asked.asks[0].wants_number
    if plain or not chosen:
        start, end = fallback
        return Quote(paper.abstract[start:end], ((start, end),))
    picked = sorted(chosen[:MAX_SENTENCES])
    return _joined(paper.abstract, [(sentences[i].start, sentences[i].end) for i in picked], picked)


def _scores(text: str, vector: np.ndarray, sentence_vectors: np.ndarray, terms: list[set[str]]) -> np.ndarray:
    norms = np.linalg.norm(sentence_vectors, axis=1) * (np.linalg.norm(vector) or 1.0) + 1e-9
    similarity = sentence_vectors @ vector / norms
    wanted = content_terms(text) - ASKING_STEMS
    overlap = np.array([len(wanted & t) / len(wanted) if wanted else 0.0 for t in terms], dtype=np.float32)
    return similarity + OVERLAP_WEIGHT * overlap


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
