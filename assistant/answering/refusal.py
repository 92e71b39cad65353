"""The honest "no": what the answer says when no paper answers the question.

When the selector cites nothing but a candidate came close (the evidence stage names it
as related: its confidence reaches the model's ``related_cut``), the answer names it and says what its abstract does
not report: the question's names, data sets or metrics it never uses, or the figure the
question asks for. Otherwise it is the plain refusal. The wording lives in
prompts/answer_text.toml.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..text.asks import read_asks
from ..text.terms import asks_for_number, missing_terms, specific_terms

if TYPE_CHECKING:
    from .prompts import Prompts
    from ..retrieval import Scope
    from ..retrieval.handover import RelatedPaper
    from ..retrieval.query import ParsedQuestion


def what_is_missing(question: "ParsedQuestion", related: list["RelatedPaper"], prompts: "Prompts") -> str:
    """The part of the question the related abstracts do not hold, in words."""
    text = " ".join(f"{r.paper.title} {r.paper.abstract}" for r in related)
    missing = missing_terms(specific_terms(question.text), text)
    if missing:
        return prompts.text("missing_terms", terms=", ".join(missing))
    asks = "; ".join(ask.text[:1].lower() + ask.text[1:] for ask in read_asks(question.text).asks)
    if asks_for_number(question.text):
        return prompts.text("missing_number", asks=asks)
    return prompts.text("missing_answer", asks=asks)


def searched(scope: "Scope | None", prompts: "Prompts") -> str:
    """What was searched, in words: the corpus, its years, or the subset (a "no" is true of that only)."""
    if scope is None or not (scope.years or scope.papers is not None):
        return prompts.text("where_all")
    parts = []
    if scope.years:
        parts.append(prompts.text("where_years", span=scope.years_words))
    if scope.papers is not None:
        count = len(scope.papers)
        parts.append(prompts.text("where_subset_one") if count == 1 else prompts.text("where_subset", count=count))
    return " ".join(parts)


def refusal_text(question: "ParsedQuestion", related: list["RelatedPaper"], prompts: "Prompts",
                 scope: "Scope | None" = None) -> str:
    """Never the question pasted as a topic: a list question's refusal names what it asks
    for as a heading; a fact question's says no abstract answers, or names the close paper.
    Both say what was searched (a year range, a subset) when it was not the whole corpus."""
    where = searched(scope, prompts)
    if not related:
        if question.is_list:
            return prompts.text("refusal", heading=question.heading, where=where)
        return prompts.text("refusal_fact", where=where)
    titles = " and ".join(f"\u201c{r.paper.title}\u201d" for r in related)
    if question.is_list:
        key = "related_list_one" if len(related) == 1 else "related_list_many"
        return prompts.text(key, heading=question.heading, titles=titles, where=where)
    key = "related_fact_one" if len(related) == 1 else "related_fact_many"
    return prompts.text(key, titles=titles, what=what_is_missing(question, related, prompts))
