"""The offline support judge: does a paper's abstract back a sentence?

For a claim and an abstract it finds the best-matching abstract sentence by
embedding similarity and lexical overlap, and returns that sentence as the verbatim
evidence quote with a verdict: ``supported``, ``weak`` or ``unsupported``. The
thresholds are fitted on the eval set's dev split (``scripts/calibrate.py``; docs/eval.md).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from .. import calibration
from ..text.asks import ASKING_STEMS
from .numbers import check_numbers

if TYPE_CHECKING:
    from ..corpus import Paper
    from ..retrieval.evidence import EvidenceFinder

SUPPORTED, WEAK, UNSUPPORTED = "supported", "weak", "unsupported"
EVIDENCE_SENTENCES = 2  # a claim may merge two sentences of its abstract
_RANK = {SUPPORTED: 2, WEAK: 1, UNSUPPORTED: 0}


@dataclass(frozen=True)
class SupportThresholds:
    # fitted on the eval's dev split by scripts/calibrate.py: data/models/calibration.json ("support")
    supported_similarity: float
    supported_overlap: float  # share of the claim's content words found in the sentence
    supported_overlap_similarity: float  # the overlap route also needs this similarity
    weak_similarity: float
    # words the paper never uses are claims it does not make ("... using RLHF" about a paper
    # without RLHF): a supported claim has at most this many content words foreign to the
    # title and abstract (or this share of its words, if larger)
    max_novel_words: int = 2
    max_novel_share: float = 0.15

    @classmethod
    def bundled(cls, path: Path | None = None) -> "SupportThresholds":
        """The values of the calibration file (default: the project's data/models/calibration.json)."""
        values = calibration.section("support", path)
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})


def is_degenerate(text: str, min_words: int = 12, max_repeats: int = 3) -> bool:
    """A sentence in which one three-word phrase comes back more than max_repeats times."""
    words = re.findall(r"\w+", text.lower())
    if len(words) < min_words:
        return False
    return max(Counter(zip(words, words[1:], words[2:])).values()) > max_repeats


@dataclass(frozen=True)
class Verdict:
    support: str
    evidence: str  # a verbatim sentence of the abstract
    similarity: float
    overlap: float
    grounding: float  # share of the claim's content words found anywhere in the title or abstract
    number_problems: tuple[str, ...] = ()  # numbers changed, invented or re-paired (numbers.py)


def adds_nothing(claim: str, question: str) -> bool:
    """A claim that only repeats the question: all but at most one of its content words are
    the question's ("Meta Pruning ...: Which papers study pruning?"). Such a sentence,
    written by a model, is never shown as supported."""
    from ..retrieval.evidence import content_terms

    said = content_terms(claim) - ASKING_STEMS
    return len(said - content_terms(question)) <= 1


def weakest(verdicts: list[str]) -> str:
    return min(verdicts, key=_RANK.__getitem__) if verdicts else UNSUPPORTED


class SupportJudge:
    """Verdicts on claims, over an :class:`~assistant.retrieval.evidence.EvidenceFinder`."""

    def __init__(self, evidence: "EvidenceFinder", thresholds: SupportThresholds | None = None):
        self.evidence = evidence
        self.thresholds = thresholds or SupportThresholds.bundled()

    def judge(self, claim: str, paper: "Paper") -> Verdict:
        ranked = self.evidence.rank(claim, paper)
        best = ranked[0]
        # every number of the claim must be in its evidence (the two best-matching sentences), paired alike
        numbers = check_numbers(claim, [m.sentence.text for m in ranked[:EVIDENCE_SENTENCES]])
        novel, total = self.evidence.novel_terms(claim, paper)
        grounding = 1.0 - len(novel) / total if total else 0.0
        t = self.thresholds
        if is_degenerate(claim) or not numbers.ok:  # a looping model claims nothing; a changed number is wrong
            support = UNSUPPORTED
        elif not total or len(novel) > max(t.max_novel_words, int(t.max_novel_share * total)):
            support = WEAK if best.similarity >= t.weak_similarity else UNSUPPORTED
        elif best.similarity >= t.supported_similarity or (
            best.overlap >= t.supported_overlap and best.similarity >= t.supported_overlap_similarity
        ):
            support = SUPPORTED
        elif best.similarity >= t.weak_similarity:
            support = WEAK
        else:
            support = UNSUPPORTED
        return Verdict(support, best.sentence.text, best.similarity, best.overlap, grounding, tuple(numbers.problems))
