"""Answers with verified citations.

The pipeline, not the model, decides which papers are cited and with what evidence:

1. retrieve candidates for the question's topic;
2. the relevance step (relevance.py) keeps the papers that really address it; none
   kept means an honest refusal that cites nothing;
3. the kept papers become numbered sources [1..n], one per paper, each with the
   abstract sentence that best answers the question as its evidence quote;
4. the LLM phrases the answer: ``phrase`` has it rephrase each source's evidence in
   one sentence, and the pipeline attaches the citation; ``compose`` lets a stronger
   model write the whole answer with [n] markers, and invalid numbers are dropped
   while streaming; either way, relevant papers the text does not cite are listed;
5. every cited sentence is checked against its paper's abstract by the support judge.

A failing LLM falls back to the extractive answer, with a visible notice.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Callable, Iterator

from ..index.chunking import count_tokens, token_counter
from .citations import cited_sentences
from .llms import ExtractiveLLM, LLMError
from .numbers import check_numbers
from ..retrieval.query import ParsedQuestion, parse_question
from .refusal import refusal_text, related_candidates
from .results import AnswerEvent, AnswerResult, Citation, Source
from ..retrieval.selection import widen_evidence
from .support import SUPPORTED, weakest
from ..text.clean import printable
from .textstream import CitationFilter, PhraseFilter
from ..retrieval.scope import Scope

if TYPE_CHECKING:
    from ..config import Settings
    from ..retrieval.selection import Selector
    from .llms import ChatLLM
    from .prompts import Prompts
    from ..retrieval.retrieve import PaperHit
    from .support import SupportJudge, Verdict

# tiktoken counts cl100k tokens; a model's own tokenizer may count up to ~25% more
TOKENIZER_MARGIN = 1.25
def drops_numbers(evidence: str, sentence: str) -> bool:
    """True when the sentence leaves out or re-pairs a figure of the evidence: the number
    check of numbers.py with the roles swapped (the evidence's figures must be in it)."""
    return not check_numbers(evidence, [sentence]).ok


# a small model sometimes talks about its input instead of the paper
_META_TALK = re.compile(r"\b(this|the) (sentence|evidence|abstract|question)\b|\bunclear\b", re.IGNORECASE)


class Answerer:
    def __init__(
        self,
        search: Callable[..., list["PaperHit"]],
        judge: "SupportJudge",
        prompts: "Prompts",
        settings: "Settings",
        selector: "Selector",
        related_cut: float | None = None,
    ):
        self.search = search
        self.judge = judge
        self.prompts = prompts
        self.settings = settings
        self.selector = selector
        self.related_cut = related_cut

    # -- the whole flow ----------------------------------------------------------
    def stream(
        self, question: str, llm: "ChatLLM", *, k: int | None = None, mode: str | None = None,
        scope: "Scope | None" = None, notices: list[str] | None = None,
    ) -> Iterator[AnswerEvent]:
        started = time.perf_counter()
        question, cut_notice = self._fit_question(question)
        parsed = parse_question(question)
        scope = scope or Scope()
        result = AnswerResult(question=question, searched_for=parsed.topic, notices=list(notices or []), scope=scope)
        if cut_notice:
            result.notices.append(cut_notice)
        if scope.undated_left_out:
            result.notices.append(self.prompts.text("undated_left_out", count=scope.undated_left_out))
        for message in result.notices:
            yield AnswerEvent("notice", message)

        hits = self.search(parsed.topic, k=k or self.settings.selection.candidate_papers, mode=mode, years=scope.years,
                           papers=scope.papers)
        candidates = self.selector.select(parsed, hits)
        if not parsed.is_list:
            candidates = [widen_evidence(c, parsed.text) if c.relevant else c for c in candidates]
        result.retrieved = hits
        result.sources = [Source(n, c) for n, c in enumerate((c for c in candidates if c.relevant), start=1)]
        result.timings["retrieve_s"] = time.perf_counter() - started
        first_token: list[float] = []

        def emit(text: str) -> Iterator[AnswerEvent]:
            text = printable(text)  # a model's output never reaches a terminal as a control sequence
            if text:
                if not first_token:
                    first_token.append(time.perf_counter() - started)
                result.answer += text
                yield AnswerEvent("token", text)

        if not result.sources:
            result.refused = True
            result.related = related_candidates(candidates, self.related_cut)
            yield from emit(refusal_text(parsed, result.related, self.prompts))
        else:
            strategy = self._strategy(llm)
            try:
                if strategy == "compose":
                    yield from self._compose(parsed, result, llm, emit)
                else:
                    yield from self._phrase(parsed, result, llm, emit)
                result.backend, result.model = llm.backend, llm.model
            except LLMError as exc:
                message = f"The {llm.backend} LLM failed ({exc}); this is the extractive answer instead."
                result.notices.append(message)
                yield AnswerEvent("notice", message)
                yield AnswerEvent("reset")
                result.answer, result.backend, result.model = "", "extractive", None
                yield from self._phrase(parsed, result, ExtractiveLLM(), emit)
            self._verify(result)
        result.timings["first_token_s"] = first_token[0] if first_token else None
        result.timings["total_s"] = time.perf_counter() - started
        yield AnswerEvent("done", result=result)

    def _strategy(self, llm: "ChatLLM") -> str:
        if not llm.generative:
            return "phrase"
        if self.settings.answer.answer_strategy != "auto":
            return self.settings.answer.answer_strategy
        return "compose" if llm.backend == "openai" else "phrase"

    def _fit_question(self, question: str) -> tuple[str, str | None]:
        question = " ".join(question.split())
        if not question:
            raise ValueError("the question is empty")
        limit = self.settings.answer.max_question_tokens
        tokens = token_counter()(question)
        if len(tokens) <= limit:
            return question, None
        import tiktoken

        cut = tiktoken.get_encoding("cl100k_base").decode(tokens[:limit]).strip()
        return cut, f"The question was {len(tokens)} tokens long; only its first {limit} were used."

    # -- phrase: the pipeline cites, the model phrases each source -------------
    def _phrase(self, parsed: ParsedQuestion, result: AnswerResult, llm, emit) -> Iterator[AnswerEvent]:
        if parsed.is_list:
            count = len(result.sources)
            key = "list_intro_one" if count == 1 else "list_intro_many"
            yield from emit(self.prompts.text(key, count=count, topic=parsed.topic) + "\n")
        replaced = 0
        for position, source in enumerate(result.sources):
            evidence = source.candidate.evidence_text
            if parsed.is_list:
                yield from emit(f"- {source.paper.title}: ")
            elif position:
                yield from emit(" ")
            pieces = None
            if llm.generative:  # the model's sentence, checked before it is shown
                pieces, punct = self._phrase_one(parsed, source, llm)
                replaced += pieces is None
            if pieces is None:
                body, punct = self._quote(evidence)
                pieces = [body]
            for piece in pieces:
                yield from emit(piece)
            yield from emit(f" [{source.n}]{punct}" + ("\n" if parsed.is_list else ""))
        if replaced:
            result.notices.append(
                f"{replaced} of the model's {len(result.sources)} sentence(s) were not supported by the cited "
                "abstract, so the abstract's own sentence is shown instead."
            )

    @staticmethod
    def _quote(evidence: str) -> tuple[str, str]:
        body = evidence.rstrip(" .!?")
        end = evidence.rstrip()[-1:]
        return body, end if end in "!?" else "."

    def _phrase_one(self, parsed: ParsedQuestion, source: Source, llm) -> tuple[list[str] | None, str]:
        """The model's sentence for one source, as its stream pieces, or None when the
        support judge does not back it (then the caller quotes the abstract)."""
        phrase = PhraseFilter()
        pieces: list[str] = []
        for piece in llm.stream(self._phrase_messages(parsed, source), max_tokens=80,
                                temperature=self.settings.answer.temperature):
            out = phrase.feed(piece)
            if out:
                pieces.append(out)
            if phrase.done:
                break
        rest, punct = phrase.finish()
        if rest:
            pieces.append(rest)
        text = phrase.text
        if not text or _META_TALK.search(text) or (not parsed.is_list and drops_numbers(source.candidate.evidence_text, text)):
            return None, punct  # a fact answer keeps every figure of its evidence
        if self.judge.judge(text, source.paper).support != SUPPORTED:
            return None, punct
        return pieces, punct

    def _phrase_messages(self, parsed: ParsedQuestion, source: Source) -> list[dict[str, str]]:
        evidence = source.candidate.evidence_text
        budget = 400  # one evidence sentence; cut pathological ones
        if count_tokens(evidence) > budget:
            evidence = evidence[: budget * 3]
        return [
            {"role": "system", "content": self.prompts.render("phrase_system")},
            {"role": "user", "content": self.prompts.render(
                "phrase_source", question=parsed.text, title=source.paper.title, evidence=evidence)},
        ]

    # -- compose: the model writes the answer, the pipeline checks it ----------
    def _compose(self, parsed: ParsedQuestion, result: AnswerResult, llm, emit) -> Iterator[AnswerEvent]:
        system = self.prompts.system()
        packed, left_out = self.pack_sources(result.sources, system, parsed.text, llm.context_window)
        if left_out:
            result.notices.append(f"{len(left_out)} relevant source(s) did not fit the model's context; they are listed.")
        user = self.prompts.render("answer_with_sources", sources=packed, question=parsed.text)
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        citations = CitationFilter({s.n for s in result.sources})
        for piece in llm.stream(messages, max_tokens=self.settings.answer.max_answer_tokens, temperature=self.settings.answer.temperature):
            yield from emit(citations.feed(piece))
        yield from emit(citations.finish())
        if citations.removed:
            result.notices.append(
                "Removed citation(s) to source numbers that do not exist: " + ", ".join(f"[{n}]" for n in citations.removed) + "."
            )
        refusal = self.prompts.text("refusal_phrase").lower().rstrip(".")
        if refusal in result.answer.lower():
            result.notices.append("The model found no answer in the sources, but the pipeline judged these papers relevant.")
        cited = {n for s in cited_sentences(result.answer) for n in s.numbers}
        missing = [s for s in result.sources if s.n not in cited]
        if missing:
            yield from emit("\n\n" + self.prompts.text("also_relevant") + "\n")
            for source in missing:
                quote = source.candidate.evidence_text.rstrip(" .")
                yield from emit(f"- {source.paper.title}: {quote} [{source.n}].\n")

    def pack_sources(self, sources: list[Source], system: str, question: str, context_window: int) -> tuple[str, list[Source]]:
        """As many sources as fit the context window (whole abstract, else the evidence sentence)."""
        template = self.prompts.render("answer_with_sources", sources="", question=question)
        fixed = count_tokens(system) + count_tokens(template) + 32  # chat-format overhead
        budget = int((context_window - self.settings.answer.max_answer_tokens) / TOKENIZER_MARGIN) - fixed
        blocks: list[str] = []
        left_out: list[Source] = []
        for source in sources:
            paper = source.paper
            header = f"[{source.n}] {paper.title}" + (f" ({paper.year})" if paper.year else "")
            for body in (paper.abstract, source.candidate.evidence_text):
                block = f"{header}\n{body}"
                cost = count_tokens(block) + 2
                if cost <= budget:
                    blocks.append(block)
                    budget -= cost
                    break
            else:
                left_out.append(source)
        return "\n\n".join(blocks), left_out

    # -- verification --------------------------------------------------------------
    def _verify(self, result: AnswerResult) -> None:
        by_n = {s.n: s for s in result.sources}
        verdicts: dict[int, list[tuple[str, "Verdict"]]] = {}
        for sentence in cited_sentences(result.answer):
            for n in sentence.numbers:
                if n in by_n:
                    verdicts.setdefault(n, []).append((sentence.text, self.judge.judge(sentence.text, by_n[n].paper)))
        for n, judged in sorted(verdicts.items()):
            source = by_n[n]
            best = max(judged, key=lambda item: (item[1].similarity + item[1].overlap))
            result.citations.append(
                Citation(
                    n=n, paper_id=source.paper.paper_id, title=source.paper.title,
                    evidence=best[1].evidence if best[1].support == SUPPORTED else source.candidate.evidence_text,
                    support=weakest([v.support for _, v in judged]),
                    score=source.candidate.relevance, confidence=source.candidate.confidence,
                    claims=[{"sentence": text, "support": v.support, "similarity": round(v.similarity, 3)}
                            | ({"number_problems": list(v.number_problems)} if v.number_problems else {})
                            for text, v in judged],
                )
            )
        flagged = [c.n for c in result.citations if c.support != SUPPORTED]
        if flagged:
            result.notices.append(
                "Citation(s) " + ", ".join(f"[{n}]" for n in flagged)
                + " are only weakly or not supported by the cited abstract; check the evidence quotes."
            )
