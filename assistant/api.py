"""paper-assistant's library API.

:class:`Assistant` is the one way in: the CLI, the web page, the eval, the benchmarks and
scripts/ use its methods and nothing else. Every method returns plain dataclasses (or
builtins). Its parts are wired in wiring.py, each built on first use from the registries
(embedders, vector stores, rerankers, LLMs):

    corpus -> index (catalog, Chroma, BM25) -> retrieval: Evidence -> answering: AnswerResult

The question is read once (retrieval/question.py); ``evidence`` runs the first stage
alone, ``ask`` runs both.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .api_types import CandidateFeatures, Defaults, IndexStats, Passage, SearchResult
from .config import Settings
from .text.clean import clean_question

if TYPE_CHECKING:
    from .answering.conversation import FollowUp, Turn
    from .answering.llm_base import ChatLLM
    from .answering.results import AnswerEvent, AnswerResult
    from .answering.support import Verdict
    from .corpus import Paper
    from .index.embedders import Embedder
    from .index.ingest import IngestReport
    from .retrieval.handover import Evidence
    from .retrieval.question import Question
    from .retrieval.similar import SimilarPaper
    from .watching import Watch, WatchReport

__all__ = ["Assistant", "CandidateFeatures", "Defaults", "IndexStats", "Passage", "SearchResult"]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Assistant:
    """Ask questions about a corpus of abstracts; answers cite and quote their papers."""

    def __init__(self, settings: Settings, *, embedder: "Embedder | None" = None,
                 notify: Callable[[str], None] = _stderr):
        from .wiring import Parts

        self.settings, self.notify = settings, notify
        self._parts = Parts(settings, embedder, notify)

    # -- ingest ----------------------------------------------------------------
    def ingest(self, paths: list[Path] | None = None, *, rebuild: bool = False, progress: bool = True,
               remove: Path | None = None) -> "IngestReport":
        """Add corpus files (default: the bundled corpus) to the index, or re-read the registered
        ones, or drop the registered source ``remove`` (its papers that no other source holds).
        When papers were added or changed, every saved question is answered again (``watched``)."""
        from . import watching
        from .index.ingest import ingest_lock, run_ingest

        self._parts.vectors.sync(self._parts.catalog.version)
        with ingest_lock(self._parts.layout.ingest_lock, self.notify):
            report = run_ingest(
                catalog=self._parts.catalog, vectors=self._parts.vectors, embedder=self._parts.embedder,
                chunk_tokens=self.settings.index.chunk_tokens, chunk_overlap=self.settings.index.chunk_overlap,
                paths=paths, rebuild=rebuild, batch_size=self.settings.index.embed_batch_size, progress=progress,
                remove=remove,
            )
            self._parts.vectors.sync(self._parts.catalog.version)  # our own change: nothing to reopen
            self._parts.bm25.current()  # rebuild and save now, not on the next query
            self._parts.check_vectors(report)
        if report.new_papers or report.changed_papers:
            report.watched = watching.run(self._cited, self._parts.catalog)
        return report

    def remove(self, path: Path) -> "IngestReport":
        """Drop a registered corpus source and its papers (a paper another source holds stays)."""
        return self.ingest(remove=Path(path), progress=False)

    def ingest_upload(self, path: Path, name: str) -> "IngestReport":
        """Keep a copy of an uploaded file in the data directory and ingest it; when nothing
        could be ingested (IngestError) the copy is removed and the index is unchanged."""
        import shutil

        from .index.ingest import IngestError

        target = self._parts.layout.upload_target(name)
        shutil.copyfile(path, target)
        try:
            return self.ingest([target], progress=False)
        except IngestError:
            target.unlink(missing_ok=True)
            raise

    def _ensure_index(self) -> "IngestReport | None":
        """Ingest the bundled corpus if the index is empty (the first search does this)."""
        papers, _ = self._parts.catalog.counts()
        if papers or self._parts.catalog.sources():
            return None
        self.notify("The index is empty: ingesting the bundled corpus first (once)…")
        return self.ingest(progress=sys.stderr.isatty())

    def _ready(self) -> "IngestReport | None":
        report = self._ensure_index()
        self._parts.vectors.sync(self._parts.catalog.version)
        return report

    # -- the question, read once ----------------------------------------------------
    def _question(self, question: str, *, years=None, only=None, read_dates=True, fit=True, what="question",
                  ingested: list | None = None) -> "Question":
        """The question cleaned, checked, scoped and parsed; the index is made ready once the
        input is valid (its auto-ingest report, if any, goes to ``ingested``)."""
        from .retrieval.question import read_question

        def catalog():
            report = self._ready()
            if ingested is not None and report is not None:
                ingested.append(report)
            return self._parts.catalog

        max_tokens = self.settings.answer.max_question_tokens if fit else None
        return read_question(question, catalog, years=years, only=only, read_dates=read_dates,
                             max_tokens=max_tokens, what=what)

    # -- search ----------------------------------------------------------------
    def search(self, query: str, *, k: int | None = None, mode: str | None = None,
               years: tuple[int, int] | None = None, only: str | None = None, read_dates: bool = True) -> SearchResult:
        """Papers ranked for a query (hybrid dense + BM25 by default). A date phrase of the
        query ("since 2023") is a year filter unless ``years`` is given or ``read_dates`` is
        False; ``only`` is a subset: a year range, registered corpus files, or paper ids."""
        auto: list = []
        question = self._question(query, years=years, only=only, read_dates=read_dates, fit=False, what="query",
                                  ingested=auto)
        mode = mode or self.settings.retrieval.mode
        if mode != "bm25":  # a BM25 search needs no embedder
            self._parts.check_vectors()
        started = time.perf_counter()
        hits = self._parts.retriever.search(question.topic, k=k or self.settings.retrieval.top_k, mode=mode,
                                            years=question.scope.years, papers=question.scope.papers)
        return SearchResult(question.asked, mode, hits, time.perf_counter() - started, auto[0] if auto else None,
                            question.scope)

    # -- evidence, then answers --------------------------------------------------------
    def evidence(self, question: str, *, k: int | None = None, mode: str | None = None,
                 years: tuple[int, int] | None = None, only: str | None = None, read_dates: bool = True) -> "Evidence":
        """The evidence stage alone (no LLM): the papers an answer would cite, as numbered rows
        with their quotes, confidence and why each was chosen; the related papers on a refusal;
        everything retrieved. ``ask`` writes its answer from exactly this."""
        asked = self._question(question, years=years, only=only, read_dates=read_dates)
        self._parts.check_vectors()
        return self._parts.evidence_stage.gather(asked, k=k, mode=mode)

    def ask_stream(self, question: str, *, llm: str | None = None, model: str | None = None, base_url: str | None = None,
                   k: int | None = None, mode: str | None = None, years: tuple[int, int] | None = None,
                   only: str | None = None, read_dates: bool = True) -> Iterator["AnswerEvent"]:
        """Stream an answer: token and notice events, then a done event with the result
        (``years``, ``only`` and ``read_dates``, whether a date phrase is a filter, as for :meth:`search`)."""
        from .answering.llms import resolve_llm

        asked = self._question(question, years=years, only=only, read_dates=read_dates)
        self._parts.check_vectors()
        name = llm or resolve_llm(self.settings)

        def events() -> Iterator["AnswerEvent"]:
            evidence = self._parts.evidence_stage.gather(asked, k=k, mode=mode)
            yield from self._parts.answerer.stream(
                evidence, lambda: self._parts.llm(name, model=model, base_url=base_url), name)

        return events()

    def ask(self, question: str, **options) -> "AnswerResult":
        """The whole answer at once (``ask_stream``'s options)."""
        done = [event.result for event in self.ask_stream(question, **options) if event.kind == "done"]
        return done[-1]

    def follow_up(self, turns: list["Turn"], question: str, llm: str | None = None, *,
                  years: tuple[int, int] | None = None, only: str | None = None) -> "FollowUp":
        """The next question of a conversation, standalone, with the filters it inherits (answering/conversation.py)."""
        from .answering.conversation import follow_up
        from .answering.llms import LLMError

        try:
            backend = self._parts.llm(llm)
        except LLMError:
            backend = None
        return follow_up(turns, clean_question(question), backend, self._parts.prompts,
                         self._parts.catalog.year_span()[0] if turns else None, years=years, only=only)

    def verify(self, claim: str, paper_id: str) -> "Verdict":
        """Does the paper's abstract back the claim? The support judge's verdict and evidence quote."""
        paper = self._parts.catalog.papers([paper_id]).get(paper_id)
        if paper is None:
            raise ValueError(f"paper_id: {paper_id!r} is not in the index")
        return self._parts.judge.judge(claim, paper)

    def explain(self, question: str, *, k: int | None = None) -> list[CandidateFeatures]:
        """The question's candidate papers (hybrid top ``k``) with the features the selector
        reads, measured with the reranker that settings name (what calibration fits on)."""
        from .retrieval.selection import LearnedSelector

        # as an answer would: the date phrase out of the question, its years the filter
        asked = self._question(question, fit=False)
        self._parts.check_vectors()
        selection = self.settings.selection
        k = k or (selection.list_candidate_papers if asked.is_list else selection.candidate_papers)
        hits = self._parts.retriever.search(asked.topic, k=k, mode="hybrid", years=asked.scope.years, papers=None)
        rows, evidence = LearnedSelector(self._parts.evidence, self._parts.reranker, None, self._parts.bm25.idf,
                                         self._parts.answer_judge).measure(asked.parsed, hits)
        return [CandidateFeatures(h.paper.paper_id, h.paper.title, h.rank, row, e.sentence.text)
                for h, row, e in zip(hits, rows, evidence)]

    # -- research workflows ---------------------------------------------------------
    def similar(self, paper: str | None = None, *, text: str | None = None, k: int = 10) -> list["SimilarPaper"]:
        """The papers nearest to a paper (its id or title; a near miss raises PaperNotFound with
        suggestions) or to a text, each with the words it shares with it."""
        from .retrieval.similar import resolve_paper, similar_papers

        self._ready()
        query = resolve_paper(paper, self._parts.catalog.papers()) if paper is not None else None
        return similar_papers(self._parts.retriever, self._parts.bm25.idf, paper=query,
                              text=clean_question(text) if text is not None else None, k=k)

    def watch(self, question: str) -> "Watch":
        """Save a question; its first answer is the baseline that later ingests are compared with."""
        from . import watching

        self._ready()
        return watching.add(self._cited, self._parts.catalog, clean_question(question))

    def _cited(self, question: str) -> list[tuple[str, str]]:
        """The papers an answer to a saved question cites: the evidence stage's rows (every back-end cites them)."""
        return [(row.paper.paper_id, row.paper.title) for row in self.evidence(question).rows]

    def watches(self) -> list["Watch"]:
        from . import watching

        return watching.listed(self._parts.catalog)

    def unwatch(self, watch_id: int) -> None:
        if not self._parts.catalog.remove_watch(watch_id):
            raise ValueError(f"id: no saved question {watch_id}")

    def check_watches(self) -> list["WatchReport"]:
        """Answer every saved question again and report the change in the papers it cites."""
        from . import watching

        self._ready()
        return watching.run(self._cited, self._parts.catalog)

    # -- status ----------------------------------------------------------------
    def papers(self) -> list["Paper"]:
        """Every paper in the index."""
        self._ready()
        return list(self._parts.catalog.papers().values())

    def backends(self) -> dict[str, tuple[bool, str]]:
        """Each answer back-end offered to users: usable now, and why (not)."""
        from .answering.llms import availability

        return availability(self.settings)

    def defaults(self) -> Defaults:
        """What an answer or search uses when the caller does not say (for the page's controls and the eval)."""
        return self._parts.defaults()

    def backend(self, name: str | None = None) -> "ChatLLM":
        """The answer back-end called ``name`` (default: what ``auto`` stands for), built once and
        closed with the Assistant; raises LLMError when it can't be used. For a consumer that
        drives a model itself (the eval's llama-index baseline)."""
        return self._parts.llm(name)

    def passages(self, query: str, *, k: int = 10) -> list[Passage]:
        """The ``k`` chunks nearest to the query by embedding (no fusion, no selection), with their text."""
        self._ready()
        return self._parts.passages(clean_question(query), k)

    def stats(self) -> IndexStats:
        papers, chunks = self._parts.catalog.counts()
        return IndexStats(papers=papers, chunks=chunks, vectors=self._parts.vectors.count(),
                          data_dir=str(self._parts.layout.root), sources=self._parts.catalog.sources(),
                          embedder=self._parts.embedder.name, reranker=getattr(self._parts.reranker, "name", "none"),
                          vector_store=self._parts.vectors.location, catalog_version=self._parts.catalog.version)

    def warm_up(self, llm: str | None = None) -> None:
        """Build the index if needed and load the models, so the first question is fast."""
        from .answering.llms import LLMError

        self._ready()
        self._parts.embedder.embed_query("warm up")
        self._parts.bm25.current()
        try:
            self._parts.llm(llm).load()
        except LLMError:
            return

    def close(self) -> None:
        self._parts.close()
