"""The evidence stage for a back-end that ``judges``: a capable model reads the question and
the top candidates (numbered, title and abstract, as many as its context holds) and returns,
as JSON, the papers that answer with the verbatim span(s) of each abstract that answer,
and the answer text with [n] markers. The pipeline verifies every part:

- a paper number that was not offered is dropped;
- a span that is not verbatim in that paper's abstract is dropped (a paper with no span
  left is not cited);
- a citation of a paper that is not kept is taken out of the answer;
- the support judge then checks each cited sentence, numbers and their pairing included,
  as for any answer (answerer.py).

Nothing the model says overrides a verification; what was dropped is kept, with why, for
the page, the terminal and ``--json``. Malformed output, a timeout or a refusal raises
:class:`JudgeFailed`: the caller falls back to the offline selector with a notice.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..index.chunking import count_tokens
from ..retrieval import QUOTE_GAP, EvidenceRow
from .compose import TOKENIZER_MARGIN
from .llm_base import LLMError

if TYPE_CHECKING:
    from ..config import AnswerSettings
    from ..corpus import Paper
    from ..retrieval import Evidence
    from .llm_base import ChatLLM
    from .prompts import Prompts

SCHEMA = {
    "type": "object",
    "properties": {
        "papers": {"type": "array", "items": {
            "type": "object",
            "properties": {"n": {"type": "integer"}, "spans": {"type": "array", "items": {"type": "string"}}},
            "required": ["n", "spans"], "additionalProperties": False}},
        "answer": {"type": "string"},
    },
    "required": ["papers", "answer"],
    "additionalProperties": False,
}
_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


class JudgeFailed(RuntimeError):
    """The reply is unusable (malformed, timed out, refused); the message says why."""


@dataclass(frozen=True)
class Dropped:
    """Something the model said that verification did not keep."""

    title: str
    text: str  # the span, or the sentence
    why: str
    kind: str = "span"  # "span", "trimmed" (its verbatim part quoted), "number" (no such candidate), "citation", "sentence"

    def to_dict(self) -> dict:
        return {"title": self.title, "text": self.text, "why": self.why, "kind": self.kind}


@dataclass
class Judged:
    rows: list[EvidenceRow]  # the kept papers, numbered 1.. in the answer's order
    answer: str  # the model's answer, its markers renumbered to the rows; citations of dropped papers removed
    dropped: list[Dropped] = field(default_factory=list)
    offered: int = 0  # how many candidates the model read
    not_found: dict[str, float] = field(default_factory=dict)  # paper_id -> P(NOT FOUND), the per-paper judge's


def candidates(evidence: "Evidence", limit: int) -> list[tuple["Paper", float | None]]:
    """The papers the model reads: the offline selector's rows first, then the rest retrieved, likeliest first."""
    seen, out = set(), []
    ranked = sorted(evidence.retrieved, key=lambda r: -(r.confidence if r.confidence is not None else -1.0))
    for paper, confidence in [(r.paper, r.confidence) for r in evidence.rows] + [(r.paper, r.confidence) for r in ranked]:
        if paper.paper_id not in seen:
            seen.add(paper.paper_id)
            out.append((paper, confidence))
    return out[:limit]


def _messages(question: str, blocks: list[str], prompts: "Prompts") -> list[dict[str, str]]:
    user = prompts.render("judge_evidence", sources="\n\n".join(blocks), question=question)
    return [{"role": "system", "content": prompts.render("judge_system")}, {"role": "user", "content": user}]


def pack(question: str, offered: list[tuple["Paper", float | None]], context_window: int, prompts: "Prompts",
         settings: "AnswerSettings") -> list[str]:
    """As many numbered candidates (title and abstract) as fit the model's context."""
    fixed = sum(count_tokens(m["content"]) for m in _messages(question, [], prompts)) + 64
    budget = int((context_window - settings.judge_max_tokens) / TOKENIZER_MARGIN) - fixed
    blocks: list[str] = []
    for n, (paper, _) in enumerate(offered, 1):
        block = f"[{n}] {paper.title}\n{paper.abstract}"
        cost = count_tokens(block) + 4
        if cost > budget:
            break
        blocks.append(block)
        budget -= cost
    return blocks


def _read(reply: dict) -> tuple[list[tuple[int, list[str]]], str]:
    """The reply's papers and answer, or JudgeFailed naming what is malformed."""
    if not isinstance(reply, dict) or not isinstance(reply.get("papers"), list) or not isinstance(reply.get("answer"), str):
        raise JudgeFailed("the model's reply is not {papers: [...], answer: \"...\"}")
    papers = []
    for item in reply["papers"]:
        if not isinstance(item, dict) or not isinstance(item.get("n"), int) or not isinstance(item.get("spans"), list):
            raise JudgeFailed(f"the model's reply has a malformed paper entry: {json.dumps(item)[:80]}")
        papers.append((item["n"], [s for s in item["spans"] if isinstance(s, str)]))
    return papers, reply["answer"]


def locate(span: str, abstract: str) -> tuple[int, int] | None:
    """The (start, end) of the span in the abstract, whitespace and surrounding quotes aside; None if not verbatim."""
    words = span.strip().strip("\"“”'").split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    found = re.search(pattern, abstract)
    return (found.start(), found.end()) if found else None


def verbatim_part(span: str, abstract: str) -> tuple[int, int] | None:
    """The longest run of the span's words that is verbatim in the abstract, when it holds more
    than half of them (a model that copies a sentence but rewords its opening); else None."""
    words = span.strip().strip("\"“”'").split()
    for length in range(len(words) - 1, len(words) // 2, -1):
        for start in range(len(words) - length + 1):
            found = locate(" ".join(words[start:start + length]), abstract)
            if found:
                return found
    return None


def verify(papers: list[tuple[int, list[str]]], answer: str, offered: list[tuple["Paper", float | None]],
           *, trim: bool = False) -> Judged:
    """Keep what holds: offered numbers, verbatim spans (``trim``: else their verbatim part, see
    verbatim_part); renumber; take dropped citations out of the answer."""
    dropped: list[Dropped] = []
    kept: dict[int, list[tuple[int, int]]] = {}
    for n, spans in papers:
        if not 1 <= n <= len(offered):
            dropped.append(Dropped(f"[{n}]", "; ".join(spans)[:200], "no candidate has this number", "number"))
            continue
        paper = offered[n - 1][0]
        for span in spans:
            where = locate(span, paper.abstract)
            if where is None and trim and (where := verbatim_part(span, paper.abstract)):
                dropped.append(Dropped(paper.title, span, "not verbatim in the paper's abstract; its verbatim part "
                                       "is quoted", "trimmed"))
            if where is None:
                dropped.append(Dropped(paper.title, span, "not verbatim in the paper's abstract"))
            elif where not in kept.setdefault(n, []):
                kept[n].append(where)
    kept = {n: sorted(spans) for n, spans in kept.items() if spans}
    cited_order = [int(x) for m in _MARKER.finditer(answer) for x in m.group(1).split(",")]
    order = [n for n in dict.fromkeys(cited_order) if n in kept] + [n for n in kept if n not in cited_order]
    number = {old: new for new, old in enumerate(order, 1)}
    rows = []
    for old in order:
        paper, confidence = offered[old - 1]
        spans = tuple(kept[old])
        rows.append(EvidenceRow(n=number[old], paper=paper, quote=QUOTE_GAP.join(paper.abstract[a:b] for a, b in spans),
                                spans=spans, score=confidence or 0.0, confidence=confidence,
                                why="the model judged that this abstract answers; its spans are verbatim"))

    def renumber(match: re.Match) -> str:
        olds = [int(x) for x in match.group(1).split(",")]
        news = [str(number[o]) for o in olds if o in number]
        for o in olds:
            if o not in number:
                title = offered[o - 1][0].title if 1 <= o <= len(offered) else f"[{o}]"
                dropped.append(Dropped(title, f"[{o}]", "cited in the answer, but none of its spans verified",
                                       "citation"))
        return f"[{', '.join(news)}]" if news else ""

    sentences = []
    for sentence in re.split(r"(?<=[.!?])\s+", answer.strip()):
        had_marker = bool(_MARKER.search(sentence))
        kept_text = _MARKER.sub(renumber, sentence)
        if had_marker and not _MARKER.search(kept_text):
            dropped.append(Dropped("", sentence.strip(), "every paper it cites was dropped", "sentence"))
        elif had_marker:  # a sentence without any citation is no claim the pipeline can check: left out
            sentences.append(re.sub(r"\s*,(\s*,)+", ",", re.sub(r"\s+([.,;:])", r"\1", kept_text)).strip())
    return Judged(rows, " ".join(sentences), dropped, len(offered))


def judge_evidence(evidence: "Evidence", llm: "ChatLLM", prompts: "Prompts", settings: "AnswerSettings") -> Judged:
    """The model's judgement of the candidates, verified; JudgeFailed when it cannot be used."""
    question = evidence.question.text
    offered = candidates(evidence, settings.judge_candidates)
    blocks = pack(question, offered, llm.context_window, prompts, settings)
    if not blocks:
        raise JudgeFailed("no candidate fits the model's context")
    offered = offered[:len(blocks)]
    try:
        text = llm.complete_json(_messages(question, blocks, prompts), SCHEMA, max_tokens=settings.judge_max_tokens)
    except LLMError as exc:
        raise JudgeFailed(str(exc)) from None
    try:
        reply = json.loads(text)
    except ValueError:
        raise JudgeFailed(f"the model's reply is not JSON: {text[:80]!r}") from None
    papers, answer = _read(reply)
    return verify(papers, answer, offered, trim=settings.judge_verbatim_part)
