"""Saved questions that watch the corpus: after an ingest that adds or changes papers,
each is answered again and the change in the papers it cites is reported.

Built on the library API only (``Assistant.ask`` with the extractive back-end, which
cites the same papers as any other and needs no model); the questions and the papers
each one last cited live in the catalog.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .api import Assistant
    from .index.catalog import Catalog


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


def _cited(assistant: "Assistant", question: str) -> tuple[list[str], dict[str, str]]:
    result = assistant.ask(question, llm="extractive")
    return [c.paper_id for c in result.citations], {c.paper_id: c.title for c in result.citations}


def add(assistant: "Assistant", catalog: "Catalog", question: str) -> Watch:
    if any(q == question for _, q, _, _, _ in catalog.watches()):
        raise ValueError(f"question: {question!r} is already saved")
    cited, titles = _cited(assistant, question)
    created = time.strftime("%Y-%m-%d %H:%M")
    watch_id = catalog.add_watch(question, cited, catalog.version, created)
    return Watch(watch_id, question, created, cited, [titles[p] for p in cited])


def listed(catalog: "Catalog") -> list[Watch]:
    rows = catalog.watches()
    papers = catalog.papers({p for row in rows for p in row[3]})
    return [Watch(i, q, c, cited, [papers[p].title for p in cited if p in papers]) for i, q, c, cited, _ in rows]


def run(assistant: "Assistant", catalog: "Catalog") -> list[WatchReport]:
    """Answer every saved question again; report and remember the change in what it cites."""
    reports = []
    for watch in listed(catalog):
        cited, titles = _cited(assistant, watch.question)
        before = catalog.papers(watch.cited)
        new = [titles[p] for p in cited if p not in watch.cited]
        gone = [before[p].title if p in before else p for p in watch.cited if p not in cited]
        catalog.update_watch(watch.id, cited, catalog.version)
        watch.cited, watch.titles = cited, [titles[p] for p in cited]
        reports.append(WatchReport(watch, new, gone))
    return reports
