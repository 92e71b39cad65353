"""Compose: a back-end that ``composes`` writes the whole answer with [n] markers from the
packed evidence; the pipeline drops citations to rows that do not exist and lists the rows
the text leaves uncited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from ..index.chunking import count_tokens
from .citations import cited_sentences
from .textstream import CitationFilter

if TYPE_CHECKING:
    from ..config import AnswerSettings
    from ..retrieval.handover import Evidence, EvidenceRow
    from .llm_base import ChatLLM
    from .prompts import Prompts
    from .results import AnswerEvent, AnswerResult

# tiktoken counts cl100k tokens; a model's own tokenizer may count up to ~25% more
TOKENIZER_MARGIN = 1.25


def compose(evidence: "Evidence", result: "AnswerResult", llm: "ChatLLM", emit, prompts: "Prompts",
            settings: "AnswerSettings") -> Iterator["AnswerEvent"]:
    question = evidence.question.text
    system = prompts.system()
    packed, left_out = pack_sources(evidence.rows, system, question, llm.context_window, prompts, settings)
    if left_out:
        result.notices.append(f"{len(left_out)} relevant source(s) did not fit the model's context; they are listed.")
    user = prompts.render("answer_with_sources", sources=packed, question=question)
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    citations = CitationFilter({row.n for row in evidence.rows})
    for piece in llm.stream(messages, max_tokens=settings.max_answer_tokens, temperature=settings.temperature):
        yield from emit(citations.feed(piece))
    yield from emit(citations.finish())
    if citations.removed:
        result.notices.append(
            "Removed citation(s) to source numbers that do not exist: " + ", ".join(f"[{n}]" for n in citations.removed) + "."
        )
    refusal = prompts.text("refusal_phrase").lower().rstrip(".")
    if refusal in result.answer.lower():
        result.notices.append("The model found no answer in the sources, but the pipeline judged these papers relevant.")
    cited = {n for s in cited_sentences(result.answer) for n in s.numbers}
    missing = [row for row in evidence.rows if row.n not in cited]
    if missing:
        yield from emit("\n\n" + prompts.text("also_relevant") + "\n")
        for row in missing:
            yield from emit(f"- {row.paper.title}: {row.quote.rstrip(' .')} [{row.n}].\n")


def pack_sources(rows: list["EvidenceRow"], system: str, question: str, context_window: int, prompts: "Prompts",
                 settings: "AnswerSettings") -> tuple[str, list["EvidenceRow"]]:
    """As many rows as fit the context window (whole abstract, else the quote)."""
    template = prompts.render("answer_with_sources", sources="", question=question)
    fixed = count_tokens(system) + count_tokens(template) + 32  # chat-format overhead
    budget = int((context_window - settings.max_answer_tokens) / TOKENIZER_MARGIN) - fixed
    blocks: list[str] = []
    left_out: list["EvidenceRow"] = []
    for row in rows:
        paper = row.paper
        header = f"[{row.n}] {paper.title}" + (f" ({paper.year})" if paper.year else "")
        for body in (paper.abstract, row.quote):
            block = f"{header}\n{body}"
            cost = count_tokens(block) + 2
            if cost <= budget:
                blocks.append(block)
                budget -= cost
                break
        else:
            left_out.append(row)
    return "\n\n".join(blocks), left_out
