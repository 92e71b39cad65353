"""The answering stage: the answer written from :class:`~assistant.retrieval.handover.Evidence`, then verified.

The evidence stage has decided which papers are cited and with what quote; here:

1. no row means an honest refusal that cites nothing (naming the related papers, if any);
2. otherwise the back-end phrases the answer: a back-end that ``composes`` may write the
   whole answer with [n] markers (compose.py; invalid numbers are dropped while
   streaming, rows the text does not cite are listed), any other one rephrases each row's
   quote in one sentence and the pipeline attaches the citation (phrase.py);
3. every cited sentence is checked against its paper's abstract by the support judge.

The fallback to the extractive answer lives here, in :meth:`Answerer._backend` and
:meth:`Answerer._write`: a back-end that cannot be built, or fails while writing, gives way
to it with a visible notice.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Iterator

from ..retrieval import QUOTE_GAP
from ..text.clean import printable
from .citations import cited_sentences
from .compose import compose
from .llm_base import LLMError, capability
from .llms import ExtractiveLLM
from .phrase import phrase
from .refusal import refusal_text
from .results import AnswerEvent, AnswerResult, Citation
from .support import SUPPORTED, UNSUPPORTED, adds_nothing, weakest

if TYPE_CHECKING:
    from ..config import Settings
    from ..retrieval.handover import Evidence
    from .llm_base import ChatLLM
    from .prompts import Prompts
    from .support import SupportJudge, Verdict


class Answerer:
    def __init__(self, judge: "SupportJudge", prompts: "Prompts", settings: "Settings"):
        self.judge = judge
        self.prompts = prompts
        self.settings = settings

    def stream(self, evidence: "Evidence", open_llm: Callable[[], "ChatLLM"], wanted: str) -> Iterator[AnswerEvent]:
        """The answer's events: notices, tokens (a ``reset`` when a failing back-end's text is
        dropped), then ``done`` with the result. ``open_llm`` builds the back-end called ``wanted``."""
        started = time.perf_counter() - evidence.seconds  # the answer's clock starts with retrieval
        llm, unavailable = self._backend(open_llm, wanted)
        question = evidence.question
        result = AnswerResult(question=question.text, searched_for=question.topic, scope=question.scope,
                              notices=[*unavailable, *question.notices])
        if question.scope.undated_left_out:
            result.notices.append(self.prompts.text("undated_left_out", count=question.scope.undated_left_out))
        for message in result.notices:
            yield AnswerEvent("notice", message)
        result.retrieved, result.sources, result.related = evidence.retrieved, evidence.rows, []
        result.also = list(evidence.also)
        result.timings["retrieve_s"] = evidence.seconds
        first_token: list[float] = []

        def emit(text: str) -> Iterator[AnswerEvent]:
            text = printable(text)  # a model's output never reaches a terminal as a control sequence
            if text:
                if not first_token:
                    first_token.append(time.perf_counter() - started)
                result.answer += text
                yield AnswerEvent("token", text)

        text = None  # a judging model's verified answer
        if self._strategy(llm) == "judge":
            evidence, text = yield from self._judged(evidence, result, llm)
        if not result.sources:
            result.refused, result.related = True, evidence.related
            yield from emit(refusal_text(question.parsed, result.related, self.prompts, question.scope))
        elif text is not None:
            yield from emit(text)
            result.backend, result.model = llm.backend, llm.model
            self._verify(result, {})
        else:
            judged: dict[tuple[str, str], "Verdict"] = {}
            yield from self._write(evidence, result, llm, emit, judged)
            self._verify(result, judged)
        result.timings["first_token_s"] = first_token[0] if first_token else None
        result.timings["total_s"] = time.perf_counter() - started
        yield AnswerEvent("done", result=result)

    # -- the fallback to the extractive answer ------------------------------------
    @staticmethod
    def _backend(open_llm: Callable[[], "ChatLLM"], wanted: str) -> tuple["ChatLLM", list[str]]:
        try:
            return open_llm(), []
        except LLMError as exc:
            return ExtractiveLLM(), [f"The {wanted} LLM is unavailable ({exc}); this is the extractive answer."]

    def _write(self, evidence: "Evidence", result: AnswerResult, llm: "ChatLLM", emit, judged) -> Iterator[AnswerEvent]:
        judge = self._judge(judged)
        try:
            if self._strategy(llm) == "compose":
                yield from compose(evidence, result, llm, emit, self.prompts, self.settings.answer)
            else:
                yield from phrase(evidence, result, llm, emit, self.prompts, self.settings.answer, judge)
            result.backend, result.model = llm.backend, llm.model
        except LLMError as exc:
            message = f"The {llm.backend} LLM failed ({exc}); this is the extractive answer instead."
            result.notices.append(message)
            yield AnswerEvent("notice", message)
            yield AnswerEvent("reset")
            result.answer, result.backend, result.model = "", ExtractiveLLM.backend, None
            yield from phrase(evidence, result, ExtractiveLLM(), emit, self.prompts, self.settings.answer, judge)

    def _strategy(self, llm: "ChatLLM") -> str:
        if not capability(llm, "generative"):
            return "phrase"
        wanted = self.settings.answer.answer_strategy
        if wanted == "judge" or (wanted == "auto" and capability(llm, "judges")):
            return "judge" if capability(llm, "judges") else "compose" if capability(llm, "composes") else "phrase"
        if wanted != "auto":
            return wanted
        return "compose" if capability(llm, "composes") else "phrase"

    def _judged(self, evidence: "Evidence", result: AnswerResult, llm: "ChatLLM"):
        """The judging model decides the sources (judged.py); its evidence replaces the selector's.
        It keeps nothing: a refusal, naming the selector's papers as the closest. It fails, or
        none of the papers it chose verifies: the selector's evidence, with a notice."""
        from ..retrieval import RelatedPaper
        from .judged import JudgeFailed, judge_evidence
        from .judged_each import judge_each

        judge = judge_each if self.settings.answer.judge_per_paper else judge_evidence
        try:
            judged = judge(evidence, llm, self.prompts, self.settings.answer)
        except JudgeFailed as exc:
            message = self.prompts.text("judge_failed", backend=llm.backend, why=exc)
            result.notices.append(message)
            yield AnswerEvent("notice", message)
            return evidence, None
        result.dropped, result.judge_scores = judged.dropped, judged.not_found
        if not judged.rows and judged.dropped:  # it chose papers, and none verified: its "no" would be false
            message = self.prompts.text("judge_unverified", backend=llm.backend)
            result.notices.append(message)
            yield AnswerEvent("notice", message)
            return evidence, None
        result.judged_by = "model"
        if judged.dropped:
            message = self.prompts.text("judge_dropped", count=len(judged.dropped))
            result.notices.append(message)
            yield AnswerEvent("notice", message)
        closest = [RelatedPaper(r.paper, r.quote, r.confidence) for r in evidence.rows][:3]
        chosen = {r.paper.paper_id for r in judged.rows}
        result.sources, result.also = judged.rows, [r for r in result.also if r.paper.paper_id not in chosen]
        text = self._judged_text(evidence, judged) if judged.rows else ""
        return replace(evidence, rows=judged.rows, related=evidence.related or closest), text

    def _judged_text(self, evidence: "Evidence", judged) -> str:
        """A list question's answer is the kept papers, each with its verified span (every line
        true by construction); a fact question's is the model's cited sentences, with every kept
        paper they leave uncited listed under them."""
        from .refusal import searched

        rows, answer = judged.rows, judged.answer
        lines = "\n".join(f"- {row.paper.title}: {row.quote.rstrip(' .')} [{row.n}]." for row in rows)
        parsed = evidence.question.parsed
        if parsed.is_list or not answer.strip():
            intro = self.prompts.text("list_intro", count=len(rows), heading=parsed.heading,
                                      where=searched(evidence.question.scope, self.prompts))
            return (intro + "\n" if parsed.is_list else "") + lines
        missing = [row for row in rows if row.n not in {n for s in cited_sentences(answer) for n in s.numbers}]
        if missing:
            answer += "\n\n" + self.prompts.text("also_relevant") + "\n" + "\n".join(
                f"- {row.paper.title}: {row.quote.rstrip(' .')} [{row.n}]." for row in missing)
        return answer

    # -- verification --------------------------------------------------------------
    def _judge(self, judged: dict) -> Callable:
        """The support judge, remembering its verdicts: a phrased sentence is judged once."""

        def judge(claim: str, paper) -> "Verdict":
            key = (claim, paper.paper_id)
            if key not in judged:
                judged[key] = self.judge.judge(claim, paper)
            return judged[key]

        return judge

    def _verify(self, result: AnswerResult, judged: dict) -> None:
        judge = self._judge(judged)
        by_n = {s.n: s for s in result.sources}
        verdicts: dict[int, list[tuple[str, "Verdict"]]] = {}
        for sentence in cited_sentences(result.answer):
            for n in sentence.numbers:
                if n in by_n:
                    verdict = judge(sentence.text, by_n[n].paper)
                    if sentence.text.rstrip(" .") not in by_n[n].paper.abstract and adds_nothing(
                            sentence.text, result.question):  # a model's sentence that only repeats the question
                        verdict = replace(verdict, support=UNSUPPORTED)
                    verdicts.setdefault(n, []).append((sentence.text, verdict))
        for n, claims in sorted(verdicts.items()):
            row = by_n[n]
            best = max(claims, key=lambda item: (item[1].similarity + item[1].overlap))
            quoted_whole = all(part.rstrip(" .!?") in result.answer for part in row.quote.split(QUOTE_GAP))
            result.citations.append(Citation(
                n=n, paper_id=row.paper.paper_id, title=row.paper.title,  # the card shows what the answer quoted
                evidence=row.quote if quoted_whole or best[1].support != SUPPORTED else best[1].evidence,
                support=weakest([v.support for _, v in claims]), score=row.score, confidence=row.confidence,
                claims=[{"sentence": text, "support": v.support, "similarity": round(v.similarity, 3)}
                        | ({"number_problems": list(v.number_problems)} if v.number_problems else {})
                        for text, v in claims],
            ))
        flagged = [c.n for c in result.citations if c.support != SUPPORTED]
        if flagged:
            result.notices.append(
                "Citation(s) " + ", ".join(f"[{n}]" for n in flagged)
                + " are only weakly or not supported by the cited abstract; check the evidence quotes."
            )
