"""What the evidence stage hands to the answering stage: :class:`Evidence`, flat and numbered.

Each row is one paper the answer will cite, with its quote (a verbatim span of the
abstract, as offsets too; a fact quote may be several spans joined by " … "), the
selector's confidence and why it was chosen; beside them the close papers that do not
answer (on a refusal), the next candidates under a list answer ("may also be relevant",
never cited) and everything retrieved. Nothing
after retrieval reads the retriever's or the selector's own objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..corpus import Paper
    from .question import Question


@dataclass(frozen=True)
class EvidenceRow:
    n: int  # the citation number [n]
    paper: "Paper"
    quote: str  # verbatim: paper.abstract[start:end] for the span, or the spans joined by " … "
    spans: tuple[tuple[int, int], ...]  # (start, end) offsets of the quote in the abstract
    score: float  # the relevance the selector ranked by
    confidence: float | None  # the selector's probability that citing the paper is right (None: hand-set gate)
    why: str  # why it was chosen, in words
    features: dict[str, float] = field(default_factory=dict, compare=False)  # what the selector measured


@dataclass(frozen=True)
class RelatedPaper:
    """A close paper that is not cited: named on a refusal, or "may also be relevant" under a list."""

    paper: "Paper"
    quote: str
    confidence: float | None


@dataclass(frozen=True)
class RetrievedPaper:
    paper: "Paper"
    score: float  # the retrieval mode's score
    rank: int
    confidence: float | None = None  # the selector's, when it measured the paper


@dataclass
class Evidence:
    question: "Question"
    rows: list[EvidenceRow]
    related: list[RelatedPaper] = field(default_factory=list)
    retrieved: list[RetrievedPaper] = field(default_factory=list)
    seconds: float = 0.0  # how long gathering took
    also: list[RelatedPaper] = field(default_factory=list)  # below a list answer's cut, not cited

    @property
    def not_cited(self) -> list[RetrievedPaper]:
        """The papers retrieved that are not a row, a related paper or "may also be relevant"."""
        shown = {r.paper.paper_id for r in (*self.rows, *self.related, *self.also)}
        return [r for r in self.retrieved if r.paper.paper_id not in shown]
