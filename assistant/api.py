"""paper-assistant's library API.

:class:`Assistant` is the one way in: the CLI, the web page, the eval, the benchmarks and
scripts/ use its methods and nothing else. Every method returns plain dataclasses (or
builtins). Its parts are wired in wiring.py, each built on first use from the registries
(embedders, vector stores, rerankers, LLMs):

    corpus -> index (catalog, Chroma, BM25) -> retrieval (search, selection) -> answering
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .api_types import CandidateFeatures, IndexStats, SearchResult, check_years
from .config import Settings
from .text.clean import clean_question

if TYPE_CHECKING:
    from .answering.results import AnswerEvent, AnswerResult
    from .answering.support import Verdict
    from .corpus import Paper
    from .index.embedders import Embedder
    from .index.ingest import IngestReport
    from .retrieval.similar import SimilarPaper
    from .watching import Watch, WatchReport

__all__ = ["Assistant", "CandidateFeatures", "IndexStats", "SearchResult"]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Assistant:
    """Ask questions about a corpus of abstracts; answers cite and quote their papers."""

    def __init__(self, settings: Settings, *, embedder: "Embedder | None" = None,
                 notify: Callable[[str], None] = _stderr):
        from .wiring import Parts

        self.settings = settings
        self.notify = notify
        self._parts = Parts(settings, embedder, notify)
        self._vectors_checked = False

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
            self._check_vectors(report)
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

    def _check_vectors(self, report: "IngestReport | None" = None) -> None:
        """Record, after an ingest that embedded the whole index, the vector this machine gives
        a fixed sentence; otherwise compare it once with the stored one and tell the user when
        the index's vectors were made with other arithmetic (see index/probe.py)."""
        if report is None and self._vectors_checked:  # every search after the first
            return
        from .index import probe

        catalog, embedder = self._parts.catalog, self._parts.embedder
        if report is not None and (report.embedded_chunks == report.chunks or not probe.stored(catalog, embedder)):
            probe.record(catalog, embedder)  # all embedded here, or an index from before the probe: adopted
            self._vectors_checked = True
            return
        if self._vectors_checked:
            return
        self._vectors_checked = True
        difference = probe.drift(catalog, embedder)
        if difference is not None and difference > probe.TOLERANCE:
            from .index.ingest import source_path

            sources = [str(source_path(s)) for s in catalog.sources()]
            self.notify(probe.warning(difference, sources, mixed=bool(report and report.embedded_chunks)))

    def _ready(self) -> "IngestReport | None":
        report = self._ensure_index()
        self._parts.vectors.sync(self._parts.catalog.version)
        return report

    # -- search ----------------------------------------------------------------
    def search(self, query: str, *, k: int | None = None, mode: str | None = None,
               years: tuple[int, int] | None = None, only: str | None = None, read_dates: bool = True) -> SearchResult:
        """Papers ranked for a query (hybrid dense + BM25 by default). A date phrase of the
        query ("since 2023") is a year filter unless ``years`` is given or ``read_dates`` is
        False; ``only`` is a subset: a year range, registered corpus files, or paper ids."""
        from .retrieval.query import parse_question
        from .retrieval.scope import scope_for

        query = clean_question(query)
        if not query:
            raise ValueError("the query is empty")
        check_years(years)
        auto = self._ready()
        mode = mode or self.settings.retrieval.mode
        if mode != "bm25":  # a BM25 search needs no embedder
            self._check_vectors()
        started = time.perf_counter()
        searched, scope = scope_for(query, self._parts.catalog, years, only, read_dates)
        hits = self._parts.retriever.search(parse_question(searched).topic, k=k or self.settings.retrieval.top_k,
                                            mode=mode, years=scope.years, papers=scope.papers)
        return SearchResult(query, mode, hits, time.perf_counter() - started, auto, scope)

    # -- answers -----------------------------------------------------------------
    def ask_stream(self, question: str, *, llm: str | None = None, model: str | None = None, base_url: str | None = None,
                   k: int | None = None, mode: str | None = None, years: tuple[int, int] | None = None,
                   only: str | None = None, read_dates: bool = True) -> Iterator["AnswerEvent"]:
        """Stream an answer: token and notice events, then a done event with the result
        (``years``, ``only`` and ``read_dates``, whether a date phrase is a filter, as for :meth:`search`)."""
        from .answering.llms import ExtractiveLLM, LLMError
        from .retrieval.scope import scope_for

        question = clean_question(question)
        if not question:
            raise ValueError("the question is empty")
        check_years(years)
        self._ready()
        self._check_vectors()
        notices: list[str] = []
        try:
            backend = self._parts.llm(llm, model=model, base_url=base_url)
        except LLMError as exc:
            backend = ExtractiveLLM()
            notices.append(f"The {llm or self.settings.llm.resolved()} LLM is unavailable ({exc}); this is the extractive answer.")
        question, scope = scope_for(question, self._parts.catalog, years, only, read_dates)
        return self._parts.answerer.stream(question, backend, k=k, mode=mode, scope=scope, notices=notices)

    def ask(self, question: str, **options) -> "AnswerResult":
        """The whole answer at once (``ask_stream``'s options)."""
        result = None
        for event in self.ask_stream(question, **options):
            if event.kind == "done":
                result = event.result
        assert result is not None
        return result

    def condense(self, history: list[tuple[str, str]], question: str, llm: str | None = None) -> str:
        """A follow-up question rewritten to stand alone (see answering/followup.py)."""
        from .answering.followup import condense
        from .answering.llms import LLMError

        try:
            backend = self._parts.llm(llm)
        except LLMError:
            backend = None
        history = [(clean_question(q), a) for q, a in history]
        return condense(history, clean_question(question), backend, self._parts.prompts)

    def verify(self, claim: str, paper_id: str) -> "Verdict":
        """Does the paper's abstract back the claim? The support judge's verdict and evidence quote."""
        paper = self._parts.catalog.papers([paper_id]).get(paper_id)
        if paper is None:
            raise ValueError(f"paper_id: {paper_id!r} is not in the index")
        return self._parts.judge.judge(claim, paper)

    def explain(self, question: str, *, k: int | None = None) -> list[CandidateFeatures]:
        """The question's candidate papers (hybrid top ``k``) with the features the selector
        reads, measured with the reranker that settings name (what calibration fits on)."""
        from .retrieval.query import parse_question
        from .retrieval.scope import scope_for
        from .retrieval.selection import LearnedSelector

        self._ready()
        # as an answer would: the date phrase out of the question, its years the filter
        searched, scope = scope_for(clean_question(question), self._parts.catalog, None, None)
        hits = self.search(searched, k=k or self.settings.selection.candidate_papers, mode="hybrid", years=scope.years).hits
        rows, evidence = LearnedSelector(self._parts.evidence, self._parts.reranker, None, self._parts.bm25.idf).measure(
            parse_question(searched), hits)
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
        """The papers the answer to a saved question cites (the extractive one: any back-end cites the same)."""
        result = self.ask(question, llm="extractive")
        return [(c.paper_id, c.title) for c in result.citations]

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

    def stats(self) -> IndexStats:
        papers, chunks = self._parts.catalog.counts()
        return IndexStats(papers=papers, chunks=chunks, vectors=self._parts.vectors.count(),
                          data_dir=str(self._parts.layout.root), sources=self._parts.catalog.sources(),
                          embedder=self._parts.embedder.name, reranker=getattr(self._parts.reranker, "name", "none"),
                          vector_store=self._parts.vectors.location,
                          catalog_version=self._parts.catalog.version)

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
