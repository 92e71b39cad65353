"""What part of the corpus a question searches: a year range (given, or read from the
question's own words by filters.py) and a subset of papers (``--only``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .filters import read_date_filter

if TYPE_CHECKING:
    from ..index.catalog import Catalog

_YEARS = re.compile(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?")


@dataclass(frozen=True)
class Scope:
    years: tuple[int, int] | None = None
    date_phrase: str | None = None  # the words of the question the years were read from
    papers: frozenset[str] | None = None  # only these papers (None: all)
    only: str | None = None  # the subset as the user gave it
    undated_left_out: int = 0  # papers without a date that a year range leaves out

    @property
    def years_words(self) -> str | None:
        """The year range in words, to follow "from": "2024", "2021-2023", "before 2020" (None: no range)."""
        if not self.years:
            return None
        start, end = self.years
        return f"{start}" if start == end else (f"before {end + 1}" if start <= 1900 else f"{start}-{end}")

    def to_dict(self) -> dict:
        return {"years": list(self.years) if self.years else None, "date_phrase": self.date_phrase,
                "only": self.only, "only_papers": len(self.papers) if self.papers is not None else None,
                "undated_left_out": self.undated_left_out}


def parse_only(only: str, catalog: "Catalog") -> tuple[frozenset[str] | None, tuple[int, int] | None]:
    """``--only``: a year range (2021-2023), or, separated by commas, registered corpus files
    or folders and paper ids (their union). Raises ValueError naming what it could not read."""
    match = _YEARS.fullmatch(only)
    if match:
        start, end = int(match.group(1)), int(match.group(2) or match.group(1))
        if start > end:
            raise ValueError(f"only: the range {only!r} is reversed; write {end}-{start}")
        return None, (start, end)
    papers: set[str] = set()
    ids = []
    for part in (p.strip() for p in only.split(",")):
        path = Path(part).expanduser()
        if part and path.exists():
            found = catalog.papers_of_source(str(path.resolve()))
            if not found:
                raise ValueError(f"only: {part} is not a registered corpus source (see `paper-assistant stats`)")
            papers |= found
        elif part:
            ids.append(part)
    known = set(catalog.papers(ids))
    unknown = [i for i in ids if i not in known]
    if unknown or not (papers or ids):
        raise ValueError(f"only: {', '.join(unknown) or only!r} is neither a year range, a corpus file nor a paper id")
    return frozenset(papers | known), None


def scope_for(question: str, catalog: "Catalog", years: tuple[int, int] | None, only: str | None,
              read_dates: bool = True) -> tuple[str, Scope]:
    """The question as it is searched (without a date phrase it states) and its scope; an
    explicit year range wins over the phrase, and ``--only`` years over both."""
    papers, only_years = parse_only(only, catalog) if only else (None, None)
    newest, undated = catalog.year_span()
    phrase = None
    searched = question
    if years is None and only_years is None and read_dates:
        searched, found = read_date_filter(question, newest)
        if found:
            years, phrase = found.years, found.phrase
    years = only_years or years
    if years and papers is not None:  # within a subset, only its own undated papers are left out
        undated = sum(1 for paper in catalog.papers(papers).values() if paper.year is None)
    return searched, Scope(years, phrase, papers, only, undated if years else 0)
