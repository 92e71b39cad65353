"""Which retrieved papers really address the question? (Not a fixed top-k.)

A paper is relevant when its abstract's best sentence is close enough to the topic
(embedding similarity) or its best chunk is, and it uses enough of the topic's
distinctive words (IDF-weighted coverage: a paper on LLMs in general does not cover
"RLHF for LLMs"); list questions keep every paper within a margin of the best one,
other questions keep the few best. The thresholds were
fitted on the eval set's dev split with all-MiniLM-L6-v2 (scripts/calibrate.py). Since the learned
selector (selection.py) this gate is the fallback: PAPER_ASSISTANT_SELECTOR=thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

from .. import calibration

if TYPE_CHECKING:
    from .query import ParsedQuestion
    from .retrieve import PaperHit
    from .evidence import EvidenceFinder, SentenceMatch


@dataclass(frozen=True)
class RelevanceThresholds:
    # fitted on the eval's dev split by scripts/calibrate.py: data/models/calibration.json ("relevance_gate")
    min_sentence_similarity: float
    min_chunk_similarity: float
    min_topic_coverage: float
    list_margin: float  # keep papers scoring at least this share of the best one
    other_margin: float
    other_max_papers: int

    @classmethod
    def bundled(cls, path: Path | None = None) -> "RelevanceThresholds":
        """The values of the calibration file (default: the project's data/models/calibration.json)."""
        return cls(**calibration.section("relevance_gate", path))


@dataclass
class Candidate:
    hit: "PaperHit"
    evidence: "SentenceMatch"  # the abstract sentence that best matches the question
    relevance: float
    relevant: bool
    confidence: float | None = None  # the learned selector's probability that citing it is right
    features: dict[str, float] = field(default_factory=dict)
    quote: str | None = None  # a verbatim span of the abstract wider than the evidence sentence

    @property
    def evidence_text(self) -> str:
        """The verbatim quote shown for this paper: the span if widened, else the sentence."""
        return self.quote or self.evidence.sentence.text


def assess(
    question: "ParsedQuestion",
    hits: list["PaperHit"],
    finder: "EvidenceFinder",
    thresholds: RelevanceThresholds | None = None,
    idf: "Callable[[str], float] | None" = None,
) -> list[Candidate]:
    """Every hit with its evidence sentence and verdict, most relevant first."""
    t = thresholds or RelevanceThresholds.bundled()
    if not hits:
        return []
    topic_vector = np.asarray(finder.embedder.embed_query(question.topic), dtype=np.float32)
    same = question.topic == question.text
    question_vector = topic_vector if same else np.asarray(finder.embedder.embed_query(question.text), dtype=np.float32)
    candidates = []
    for hit in hits:
        topical = finder.rank(question.topic, hit.paper, topic_vector)
        best_similarity = max(m.similarity for m in topical)
        # the quote shown to the user answers the question as asked (facts, names)
        evidence = topical[0] if same else finder.rank(question.text, hit.paper, question_vector)[0]
        chunk_similarity = hit.dense_similarity or 0.0
        covered = finder.coverage(question.topic, hit.paper, idf or (lambda term: 1.0))
        passes = covered >= t.min_topic_coverage and (
            best_similarity >= t.min_sentence_similarity or chunk_similarity >= t.min_chunk_similarity
        )
        candidates.append(Candidate(hit, evidence, max(best_similarity, chunk_similarity), passes))
    candidates.sort(key=lambda c: -c.relevance)
    top = max(c.relevance for c in candidates if c.relevant) if any(c.relevant for c in candidates) else 0.0
    margin = t.list_margin if question.is_list else t.other_margin
    kept = 0
    for candidate in candidates:
        if candidate.relevant and candidate.relevance >= margin * top:
            kept += 1
            if not question.is_list and kept > t.other_max_papers:
                candidate.relevant = False
        else:
            candidate.relevant = False
    return candidates
