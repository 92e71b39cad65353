"""The citation-accuracy eval: run a question file through the assistant (and the
llama-index baseline), score every answer, and summarise per back-end and mode.

The eval calls the same library API as the CLI and the page (``Assistant.ask``).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..corpus import normalize_title
from ..retrieval import QUOTE_GAP
from .metrics import question_metrics, summarize
from .report import summary_key

if TYPE_CHECKING:
    from ..api import Assistant

QUESTION_TYPES = ("topic_list", "single_fact", "multi_hop", "unanswerable")
REQUIRED = ("qid", "type", "question", "gold_titles")
SPLITS = ("dev", "test")


def split_of(qid: str) -> str:
    """The committed split rule: a question is in dev when sha256(qid) is even, else in test.
    It depends on the qid alone, so adding questions never moves one between splits."""
    return "dev" if int(hashlib.sha256(qid.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


class QuestionFileError(ValueError):
    pass


@dataclass(frozen=True)
class Question:
    qid: str
    type: str
    question: str
    gold_titles: tuple[str, ...]
    gold_facts: tuple[str, ...]
    evidence: dict
    near_miss: str | None = None  # unanswerable ones: missing_detail or neighbour_topic
    related_titles: tuple[str, ...] = ()

    @property
    def split(self) -> str:
        return split_of(self.qid)


def load_questions(path: Path, known_titles: set[str] | None = None, split: str | None = None) -> list[Question]:
    """Parse a question file; errors name the line and field. Gold titles are matched by
    normalised title against ``known_titles`` when given; ``split`` keeps dev or test only."""
    if split not in (None, "all", *SPLITS):
        raise QuestionFileError(f"split: {split!r} is not one of dev, test, all")
    questions: list[Question] = []
    problems: list[str] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise QuestionFileError(f"{path}: cannot read: {exc.strerror}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{number}: broken JSON ({exc.msg})")
            continue
        missing = [f for f in REQUIRED if f not in obj]
        if missing:
            problems.append(f"{path}:{number} [{missing[0]}]: required field is missing")
            continue
        if obj["type"] not in QUESTION_TYPES:
            problems.append(f"{path}:{number} [type]: {obj['type']!r} is not one of {', '.join(QUESTION_TYPES)}")
            continue
        if known_titles is not None:
            unknown = [t for t in obj["gold_titles"] if normalize_title(t) not in known_titles]
            if unknown:
                problems.append(f"{path}:{number} [gold_titles]: not in the corpus: {unknown[0]!r}")
                continue
        if split in SPLITS and split_of(obj["qid"]) != split:
            continue
        questions.append(Question(obj["qid"], obj["type"], obj["question"], tuple(obj["gold_titles"]),
                                  tuple(obj.get("gold_facts", [])), dict(obj.get("evidence", {})),
                                  obj.get("near_miss"), tuple(obj.get("related_titles", []))))
    if problems:
        raise QuestionFileError("; ".join(problems[:10]) + (f" (+{len(problems) - 10} more)" if len(problems) > 10 else ""))
    return questions


def stratified(questions: list[Question], limit: int | None) -> list[Question]:
    """The first ``limit`` questions taken round-robin across types, so a subset covers every type."""
    if not limit or limit >= len(questions):
        return questions
    by_type = {t: [q for q in questions if q.type == t] for t in QUESTION_TYPES}
    chosen: list[Question] = []
    while len(chosen) < limit:
        for kind in QUESTION_TYPES:
            if by_type[kind] and len(chosen) < limit:
                chosen.append(by_type[kind].pop(0))
    return chosen


def judge_agreement(assistant: "Assistant", questions: list[Question]) -> dict:
    """How the offline support judge agrees with the gold evidence quotes: each gold quote
    should be judged supported by its own paper, and not by the other gold papers of the
    set (a paper that happens to say the same thing is rare)."""
    papers = {normalize_title(p.title): p for p in assistant.papers()}
    positive, negative = [], []
    gold_papers = [papers[normalize_title(t)] for q in questions for t in q.evidence if normalize_title(t) in papers]
    for q in questions:
        for title, quote in q.evidence.items():
            own = papers.get(normalize_title(title))
            if own is None:
                continue
            positive.append(assistant.verify(quote, own.paper_id).support == "supported")
            other = next((p for p in gold_papers if p.paper_id != own.paper_id and p.title not in q.evidence), None)
            if other is not None:
                negative.append(assistant.verify(quote, other.paper_id).support != "supported")
    return {
        "gold_quotes": len(positive),
        "supported_by_own_paper": sum(positive) / len(positive) if positive else None,
        "rejected_for_other_paper": sum(negative) / len(negative) if negative else None,
    }


def run_eval(
    assistant: "Assistant",
    questions: list[Question],
    llms: list[str],
    modes: list[str],
    *,
    baseline: bool = True,
    progress: bool = True,
) -> dict:
    from tqdm import tqdm

    from ..answering import LLMError

    runs = [(llm, mode) for llm in llms for mode in modes]
    writing = assistant.defaults().writing
    baselines = [llm for llm in llms if llm in writing] if baseline else []
    total = len(questions) * (len(runs) + len(baselines))
    records: list[dict] = []
    started = time.perf_counter()
    with tqdm(total=total, unit="q", desc="eval", disable=not progress, file=sys.stderr, dynamic_ncols=True) as bar:
        for llm, mode in runs:
            for q in questions:
                result = assistant.ask(q.question, llm=llm, mode=mode)
                data = result.to_dict()
                abstracts = {s.paper.paper_id: s.paper.abstract for s in result.sources}
                for citation in data["citations"]:
                    abstract = abstracts.get(citation["paper_id"], "")  # each span of a quote of several
                    citation["verbatim"] = all(part in abstract for part in citation["evidence"].split(QUOTE_GAP))
                records.append(_record(q, data, llm, mode, "paper-assistant"))
                bar.update()
        for llm in baselines:
            from .baseline import CitationBaseline

            try:
                engine = CitationBaseline(assistant, llm)
            except LLMError as exc:
                print(f"baseline for {llm} skipped: {exc}", file=sys.stderr)
                bar.update(len(questions))
                continue
            try:
                for q in questions:
                    records.append(_record(q, engine.ask(q.question), llm, "dense", "llama-index-citation"))
                    bar.update()
            finally:
                engine.close()
    summary = {}
    for key in dict.fromkeys(summary_key(r) for r in records):
        summary[key] = summarize([r for r in records if summary_key(r) == key])
    return {
        "summary": summary,
        "judge_agreement": judge_agreement(assistant, questions),
        "records": records,
        "meta": {"questions": len(questions), "llms": llms, "modes": modes, "baseline": baseline,
                 "seconds": round(time.perf_counter() - started, 1), "index": assistant.stats().to_dict()},
    }


def _record(q: Question, data: dict, llm: str, mode: str, system: str) -> dict:
    record = dict(data)
    record.update(
        qid=q.qid, type=q.type, llm=llm, mode=mode, system=system, split=q.split, near_miss=q.near_miss,
        cited_titles=[c["title"] for c in data["citations"]],
        retrieved_titles=[r["title"] for r in data.get("retrieved", [])],
    )
    record["metrics"] = question_metrics(record, list(q.gold_titles), list(q.gold_facts), q.evidence, q.related_titles)
    return record


def evaluate(assistant: "Assistant", *, questions: Path | None = None, split: str = "all", limit: int | None = None,
             llms: list[str] | None = None, modes: list[str] | None = None, baseline: bool = True,
             out: Path | None = None, command: str = "paper-assistant eval", progress: bool = True) -> tuple[dict, Path]:
    """``paper-assistant eval``: run, score and write the report (report.md, results.json, plots)."""
    from ..layout import EVAL_QUESTIONS, EVAL_RESULTS
    from .report import write_run

    known = {normalize_title(p.title) for p in assistant.papers()}
    chosen = stratified(load_questions(questions or EVAL_QUESTIONS, known, split=split), limit)
    llms = llms or assistant.defaults().llms
    run = run_eval(assistant, chosen, llms, modes or list(assistant.defaults().modes), baseline=baseline, progress=progress)
    out = out or EVAL_RESULTS / time.strftime("%Y%m%d-%H%M%S")
    write_run(run, out, command)
    return run, out
