"""Paper records, corpus problems, and deduplication across files.

A problem never aborts a load: it becomes a :class:`CorpusIssue` naming the file, line
and field, and the good entries are kept. A file lists at most ``MAX_ISSUES_PER_FILE``
problems; one more issue counts the rest and their lines.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace

MAX_ISSUES_PER_FILE = 1000  # past this, one more issue counts the rest of a file's problems


@dataclass(frozen=True)
class Paper:
    """One paper, after deduplication across all corpus files."""

    paper_id: str
    title: str
    abstract: str
    authors: int | None = None
    published: str | None = None  # ISO date, e.g. "2023-11-24"
    year: int | None = None
    date_inferred: bool = False  # the listing showed no year; it was inferred
    listing_date: str | None = None  # as shown on the page, e.g. "Jan 13"
    upvotes: int | None = None
    url: str | None = None
    arxiv_id: str | None = None
    sources: tuple[str, ...] = ()
    author_names: tuple[str, ...] = ()  # when the corpus lists them (a JSONL "authors" list)

    @property
    def content_hash(self) -> str:
        """Changes exactly when the indexed text changes."""
        return self.hash_text(self.title, self.abstract)

    @staticmethod
    def hash_text(title: str, abstract: str) -> str:
        return hashlib.sha1(f"{title}\n{abstract}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CorpusIssue:
    """A problem in a corpus file, precise enough to fix by hand."""

    path: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        what = f" [{self.field}]" if self.field else ""
        return f"{where}{what}: {self.message}"


class _FileIssues(list):
    """A file's issues: the first MAX_ISSUES_PER_FILE are kept, the rest only counted
    (a 50 MB file of broken lines would otherwise hold ~10^6 issue objects)."""

    def __init__(self, source: str):
        super().__init__()
        self.source = source
        self.more = 0
        self.more_lines: list[int | None] = [None, None]

    def append(self, issue: CorpusIssue) -> None:
        if len(self) < MAX_ISSUES_PER_FILE:
            super().append(issue)
            return
        self.more += 1
        if self.more == 1:
            self.more_lines[0] = issue.line
        self.more_lines[1] = issue.line

    def done(self) -> list[CorpusIssue]:
        issues = list(self)
        if self.more:
            first, last = self.more_lines
            lines = f" (lines {first}-{last})" if first and last else ""
            issues.append(CorpusIssue(self.source, first, None, f"… and {self.more} more problems{lines} not listed"))
        return issues


@dataclass
class CorpusLoad:
    papers: list[Paper] = field(default_factory=list)
    issues: list[CorpusIssue] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    entries_read: int = 0  # before deduplication


def normalize_title(title: str) -> str:
    """Case-, accent-width- and punctuation-insensitive key for deduplication."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def paper_id_for(title: str) -> str:
    return "p" + hashlib.sha1(normalize_title(title).encode()).hexdigest()[:12]


def deduplicate(papers: list[Paper]) -> tuple[list[Paper], list[CorpusIssue]]:
    """Merge records with the same normalised title; the first abstract wins."""
    merged: dict[str, Paper] = {}
    issues: list[CorpusIssue] = []
    for paper in papers:
        seen = merged.get(paper.paper_id)
        if seen is None:
            merged[paper.paper_id] = paper
            continue
        if seen.abstract != paper.abstract:
            issues.append(
                CorpusIssue(
                    paper.sources[0], None, "abstract",
                    f"{paper.title[:60]!r} has a different abstract than in {seen.sources[0]}; kept the first",
                )
            )
        better_date = seen.year is None and paper.year is not None
        merged[paper.paper_id] = replace(
            seen,
            sources=tuple(dict.fromkeys(seen.sources + paper.sources)),
            authors=seen.authors if seen.authors is not None else paper.authors,
            author_names=seen.author_names or paper.author_names,
            upvotes=max(filter(None, (seen.upvotes, paper.upvotes)), default=None),
            published=paper.published if better_date else seen.published,
            year=paper.year if better_date else seen.year,
            date_inferred=paper.date_inferred if better_date else seen.date_inferred,
        )
    return _infer_years(list(merged.values())), issues


def _infer_years(papers: list[Paper]) -> list[Paper]:
    """Listings omit the year for the current year: use the latest year the corpus shows."""
    years = [p.year for p in papers if p.year]
    if not years:
        return papers
    current = max(years)
    return [
        replace(p, published=f"{current}-{p.published}", year=current) if p.year is None and p.published else p
        for p in papers
    ]
