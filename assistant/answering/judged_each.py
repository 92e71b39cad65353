"""The per-paper form of the evidence stage for a back-end that ``judges``
(``judge_per_paper``): the model reads the question and one candidate's abstract at a time
and copies the sentence that answers, or replies NOT FOUND.

Small local models decide one abstract better than they pick among eight in one JSON reply
(the issue's probe: NOT FOUND against a near miss, scored by the first token's probability).
A back-end that ``scores_tokens`` returns that probability, and the paper answers when
P(NOT FOUND) is below ``judge_not_found_below`` (fitted on dev: scripts/fit_paper_judge.py);
another back-end's reply decides. A "which papers ...?" question is asked of each abstract
as "which sentence shows that the paper studies <topic>?" (a small model answers the plural
question with NOT FOUND, even for the right paper).

The quote is the reply when it is verbatim in the abstract. When it is not, that span is
dropped (and counted), and the model is asked once more, with the abstract's sentences
numbered, which sentence answers: the quote is the sentence it names, verbatim by
construction, or the paper is not cited. The question comes first in each prompt, so a
llama.cpp server reuses its cached prefix from one candidate to the next.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from ..text.sentences import split_sentences
from .judged import Dropped, Judged, JudgeFailed, candidates, locate, verify
from .llm_base import LLMError, capability

if TYPE_CHECKING:
    from ..config import AnswerSettings
    from ..corpus import Paper
    from ..retrieval import Evidence
    from .llm_base import ChatLLM
    from .prompts import Prompts

_NUMBER = re.compile(r"\(?(\d{1,3})\)?")


def question_for(evidence: "Evidence", prompts: "Prompts") -> str:
    """What the model is asked of each abstract."""
    parsed = evidence.question.parsed
    return prompts.text("judge_list_question", topic=parsed.topic) if parsed.is_list else evidence.question.text


def read_paper(llm: "ChatLLM", question: str, paper: "Paper", prompts: "Prompts",
               max_tokens: int) -> tuple[str, float | None]:
    """The model's reply about one abstract, and P(NOT FOUND) where the back-end scores tokens."""
    not_found = prompts.text("judge_not_found")
    messages = [{"role": "system", "content": prompts.render("judge_paper_system", not_found=not_found)},
                {"role": "user", "content": prompts.render("judge_paper", question=question, title=paper.title,
                                                           abstract=paper.abstract)}]
    if not capability(llm, "scores_tokens"):
        return "".join(llm.stream(messages, max_tokens=max_tokens, temperature=0.0)).strip(), None
    reply, scores = llm.first_token_scores(messages, max_tokens=max_tokens)
    if not scores:  # a server that returns no token probabilities: its reply decides
        return reply.strip(), None
    return reply.strip(), sum(math.exp(lp) for t, lp in scores.items()
                              if t.strip() and not_found.upper().startswith(t.strip().upper()))


def named_sentence(llm: "ChatLLM", question: str, paper: "Paper", prompts: "Prompts") -> str | None:
    """The sentence of the abstract the model names as the answer, by its number; None if it names none."""
    sentences = split_sentences(paper.abstract)
    lines = "\n".join(f"({i}) {s.text}" for i, s in enumerate(sentences, 1))
    messages = [{"role": "system", "content": prompts.render("judge_sentence_system")},
                {"role": "user", "content": prompts.render("judge_sentence", question=question, title=paper.title,
                                                           sentences=lines)}]
    found = _NUMBER.match("".join(llm.stream(messages, max_tokens=8, temperature=0.0)).strip())
    number = int(found.group(1)) if found else 0
    return paper.abstract[sentences[number - 1].start:sentences[number - 1].end] if 1 <= number <= len(sentences) else None


def answers(reply: str, p_not_found: float | None, not_found: str, below: float) -> bool:
    if p_not_found is not None:
        return p_not_found < below
    return bool(reply) and not reply.upper().startswith(not_found.upper())


def judge_each(evidence: "Evidence", llm: "ChatLLM", prompts: "Prompts", settings: "AnswerSettings") -> Judged:
    """Each candidate judged on its own, verified; JudgeFailed when the model cannot be reached."""
    question, not_found = question_for(evidence, prompts), prompts.text("judge_not_found")
    offered = candidates(evidence, settings.judge_candidates)
    papers, scores, repaired = [], {}, []
    for n, (paper, _) in enumerate(offered, 1):
        try:
            reply, p_not = read_paper(llm, question, paper, prompts, settings.judge_span_tokens)
            if p_not is not None:
                scores[paper.paper_id] = p_not
            if not answers(reply, p_not, not_found, settings.judge_not_found_below):
                continue
            span = reply.strip("\"“”'").strip()
            if not locate(span, paper.abstract):
                named = named_sentence(llm, question, paper, prompts)
                repaired.append(Dropped(paper.title, span, "not verbatim in the paper's abstract" + (
                    "; the sentence the model then named is quoted" if named else "; the model named no sentence")))
                if named is None:
                    continue
                span = named
        except LLMError as exc:
            raise JudgeFailed(str(exc)) from None
        papers.append((n, [span]))
    judged = verify(papers, "", offered)
    judged.dropped[:0], judged.not_found = repaired, scores
    return judged
