"""Phrase: the pipeline cites, the back-end rephrases each evidence row in one sentence.

A sentence the support judge does not back (or that talks about its input, or drops a
figure of its quote) is replaced by the quote itself; a back-end that writes nothing
(``generative`` False, like ``extractive``) always quotes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Iterator

from ..index.chunking import count_tokens
from ..retrieval import QUOTE_GAP
from .llm_base import capability
from .numbers import check_numbers
from .refusal import searched
from .support import SUPPORTED, adds_nothing
from .textstream import PhraseFilter

if TYPE_CHECKING:
    from ..config import AnswerSettings
    from ..retrieval.handover import Evidence, EvidenceRow
    from ..retrieval.query import ParsedQuestion
    from .llm_base import ChatLLM
    from .prompts import Prompts
    from .results import AnswerEvent, AnswerResult

# a small model sometimes talks about its input instead of the paper
_META_TALK = re.compile(r"\b(this|the) (sentence|evidence|abstract|question)\b|\bunclear\b", re.IGNORECASE)
QUOTE_BUDGET = 400  # tokens of one quote the model reads; pathological ones are cut


def drops_numbers(evidence: str, sentence: str) -> bool:
    """True when the sentence leaves out or re-pairs a figure of the evidence: the number
    check of numbers.py with the roles swapped (the evidence's figures must be in it)."""
    return not check_numbers(evidence, [sentence]).ok


def phrase(evidence: "Evidence", result: "AnswerResult", llm: "ChatLLM", emit, prompts: "Prompts",
           settings: "AnswerSettings", judge: Callable) -> Iterator["AnswerEvent"]:
    parsed = evidence.question.parsed
    if parsed.is_list:
        where = searched(evidence.question.scope, prompts)  # the filter's years, never the question's words
        yield from emit(prompts.text("list_intro", count=len(evidence.rows), heading=parsed.heading, where=where) + "\n")
    replaced = 0
    for position, row in enumerate(evidence.rows):
        if parsed.is_list:
            yield from emit(f"- {row.paper.title}: ")
        elif position:
            yield from emit(" ")
        pieces = None
        if capability(llm, "generative"):  # the model's sentence, checked before it is shown
            pieces, punct = phrase_one(parsed, row, llm, prompts, settings, judge)
            replaced += pieces is None
        if pieces is None:  # the quote itself; each span of a quote of several is its own cited sentence
            spans = row.quote.split(QUOTE_GAP)
            for span in spans[:-1]:
                body, stop = quoted(span)
                yield from emit(f"{body} [{row.n}]{stop} ")
            body, punct = quoted(spans[-1])
            pieces = [body]
        for piece in pieces:
            yield from emit(piece)
        yield from emit(f" [{row.n}]{punct}" + ("\n" if parsed.is_list else ""))
    if replaced:
        result.notices.append(
            f"{replaced} of the model's {len(evidence.rows)} sentence(s) were not supported by the cited "
            "abstract, so the abstract's own sentence is shown instead."
        )


def quoted(evidence: str) -> tuple[str, str]:
    """The quote without its final stop, and the stop that ends the answer's sentence."""
    body = evidence.rstrip(" .!?")
    end = evidence.rstrip()[-1:]
    return body, end if end in "!?" else "."


def phrase_one(parsed: "ParsedQuestion", row: "EvidenceRow", llm: "ChatLLM", prompts: "Prompts",
               settings: "AnswerSettings", judge: Callable) -> tuple[list[str] | None, str]:
    """The model's sentence for one row, as its stream pieces, or None when the support
    judge does not back it (then the caller quotes the abstract)."""
    stream = PhraseFilter()
    pieces: list[str] = []
    for piece in llm.stream(messages(parsed, row, prompts), max_tokens=80, temperature=settings.temperature):
        out = stream.feed(piece)
        if out:
            pieces.append(out)
        if stream.done:
            break
    rest, punct = stream.finish()
    if rest:
        pieces.append(rest)
    text = stream.text
    if not text or _META_TALK.search(text) or adds_nothing(text, parsed.text) or (
            not parsed.is_list and drops_numbers(row.quote, text)):
        return None, punct  # a fact answer keeps every figure of its evidence
    if judge(text, row.paper).support != SUPPORTED:
        return None, punct
    return pieces, punct


def messages(parsed: "ParsedQuestion", row: "EvidenceRow", prompts: "Prompts") -> list[dict[str, str]]:
    quote = row.quote
    if count_tokens(quote) > QUOTE_BUDGET:
        quote = quote[: QUOTE_BUDGET * 3]
    return [
        {"role": "system", "content": prompts.render("phrase_system")},
        {"role": "user", "content": prompts.render("phrase_source", question=parsed.text, title=row.paper.title,
                                                   evidence=quote)},
    ]
