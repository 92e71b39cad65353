"""Saved questions that watch the corpus: after an ingest that adds or changes papers,
each is answered again and the change in the papers it cites is reported.

It knows nothing of the Assistant: the caller passes ``cited``, a function from a question
to the papers its answer cites (api.py gives the evidence stage's choice, which every
back-end cites and which needs no model); the questions and the papers each one last
cited live in the catalog.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from .index.catalog import Catalog

# a question -> the (paper_id, title) of each paper its answer cites, in order
Cited = Callable[[str], "list[tuple[str, str]]"]


@dataclass
class Watch:
    id: int
    question: str
    created: str
    cited: list[str]  # paper ids the last answer cited (the first answer is the baseline)
    titles: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"id": self.id, "question": self.question, "created": self.created, "cited": self.titles}


@dataclass
class WatchReport:
    watch: Watch
    new: list[str]  # titles newly cited
    gone: list[str]  # titles no longer cited

    @property
    def changed(self) -> bool:
        return bool(self.new or self.gone)

    def line(self) -> str:
        q = self.watch.question
        if not self.changed:
            return f"No change for {q!r} ({len(self.watch.cited)} paper(s) cited)."
        parts = []
        if self.new:
            parts.append(f"{len(self.new)} new paper(s) now answer {q!r}: " + "; ".join(self.new) + ".")
        if self.gone:
            parts.append(f"{len(self.gone)} paper(s) no longer answer {q!r}: " + "; ".join(self.gone) + ".")
        return " ".join(parts)

    def to_dict(self) -> dict:
        return {"id": self.watch.id, "question": self.watch.question, "new": self.new, "gone": self.gone,
                "cited": self.watch.titles}


def _cited(cited_by: Cited, question: str) -> tuple[list[str], dict[str, str]]:
    papers = cited_by(question)
    return [paper_id for paper_id, _ in papers], dict(papers)


def add(cited_by: Cited, catalog: "Catalog", question: str) -> Watch:
    if any(q == question for _, q, _, _, _ in catalog.watches()):
        raise ValueError(f"question: {question!r} is already saved")
    cited, titles = _cited(cited_by, question)
    created = time.strftime("%Y-%m-%d %H:%M")
    watch_id = catalog.add_watch(question, cited, catalog.version, created)
    return Watch(watch_id, question, created, cited, [titles[p] for p in cited])


def listed(catalog: "Catalog") -> list[Watch]:
    rows = catalog.watches()
    papers = catalog.papers({p for row in rows for p in row[3]})
    return [Watch(i, q, c, cited, [papers[p].title for p in cited if p in papers]) for i, q, c, cited, _ in rows]


def run(cited_by: Cited, catalog: "Catalog") -> list[WatchReport]:
    """Answer every saved question again; report and remember the change in what it cites."""
    reports = []
    for watch in listed(catalog):
        cited, titles = _cited(cited_by, watch.question)
        before = catalog.papers(watch.cited)
        new = [titles[p] for p in cited if p not in watch.cited]
        gone = [before[p].title if p in before else p for p in watch.cited if p not in cited]
        catalog.update_watch(watch.id, cited, catalog.version)
        watch.cited, watch.titles = cited, [titles[p] for p in cited]
        reports.append(WatchReport(watch, new, gone))
    return reports
