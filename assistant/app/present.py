"""One presentation model for every front end: what the terminal (render.py) and the page
(web.py) show of an answer, as flat rows with the same words for the same verdict.

Built from the public :class:`~assistant.AnswerResult` only (its evidence rows, citations,
related and retrieved papers), never from retrieval's own objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .. import AnswerResult

# the verdict of a source's citation, in words; a source the answer's text does not cite is "not cited"
VERDICT_WORDS = {"supported": "✓ supported", "weak": "~ weak support", "unsupported": "✗ not supported",
                 "not cited": "not cited"}


@dataclass(frozen=True)
class ShownSource:
    n: int
    paper_id: str
    title: str
    date: str  # the publication date, or "date unknown"
    authors: int | None
    confidence: float | None
    verdict: str  # supported, weak, unsupported or not cited (a key of VERDICT_WORDS)
    quote: str  # the evidence shown: the judge's quote when the citation is supported, else the row's
    abstract: str
    authors_line: str = ""  # the names (three, then "et al.") or the count, as the export writes them
    links: tuple[tuple[str, str], ...] = ()  # (label, url): arXiv and the paper's page, where the corpus has them

    @property
    def verdict_words(self) -> str:
        return VERDICT_WORDS.get(self.verdict, self.verdict)


@dataclass(frozen=True)
class ShownPaper:
    """A paper shown beside the sources: a related one (a refusal's closest) or one retrieved, not cited."""

    paper_id: str
    title: str
    date: str
    confidence: float | None = None
    quote: str = ""


@dataclass(frozen=True)
class ShownAnswer:
    sources: list[ShownSource] = field(default_factory=list)
    related: list[ShownPaper] = field(default_factory=list)  # on a refusal: close papers that do not answer
    also: list[ShownPaper] = field(default_factory=list)  # under a list answer: may also be relevant, not cited
    not_cited: list[ShownPaper] = field(default_factory=list)  # retrieved, neither a source nor related
    dropped: list[tuple[str, str, str]] = field(default_factory=list)  # (title, text, why): a judging model's, not verified


def _date(paper) -> str:
    return paper.published or "date unknown"


def paper_links(paper) -> tuple[tuple[str, str], ...]:
    """(label, url) of the paper's arXiv page and its own url, where the corpus has an id or a url."""
    from urllib.parse import quote

    links = []
    if paper.arxiv_id:
        links.append(("arXiv", f"https://arxiv.org/abs/{quote(paper.arxiv_id)}"))
    if paper.url and paper.url.lower().startswith(("https://", "http://")):
        links.append(("paper page", paper.url))
    return tuple(links)


def present(result: "AnswerResult") -> ShownAnswer:
    from ..answering import authors_line

    by_n = {c.n: c for c in result.citations}
    sources = []
    for row in result.sources:
        citation = by_n.get(row.n)
        sources.append(ShownSource(
            n=row.n, paper_id=row.paper.paper_id, title=row.paper.title, date=_date(row.paper),
            authors=row.paper.authors, confidence=row.confidence,
            verdict=citation.support if citation else "not cited",
            quote=citation.evidence if citation else row.quote, abstract=row.paper.abstract,
            links=paper_links(row.paper),
            authors_line=authors_line(row.paper) or "",
        ))
    related = [ShownPaper(r.paper.paper_id, r.paper.title, _date(r.paper), r.confidence, r.quote) for r in result.related]
    also = [ShownPaper(r.paper.paper_id, r.paper.title, _date(r.paper), r.confidence, r.quote) for r in result.also]
    shown = {s.paper_id for s in sources} | {r.paper_id for r in (*related, *also)}
    not_cited = [ShownPaper(r.paper.paper_id, r.paper.title, _date(r.paper), r.confidence) for r in result.retrieved
                 if r.paper.paper_id not in shown]
    not_cited.sort(key=lambda p: -(p.confidence if p.confidence is not None else -1.0))  # most likely first
    dropped = [(d.title, d.text, d.why) for d in result.dropped]
    return ShownAnswer(sources, related, also, not_cited, dropped)
