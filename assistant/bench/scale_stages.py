"""The measured stages of the scale simulation, each in a process of its own (run by scale.py):

    python -m assistant.bench.scale_stages ingest|search|server-add ARGS_JSON

prints one JSON object. ``ingest`` adds papers start..end-1 to the vector store
(``ChunkVectorStore.add``, pre-made vectors), then adds them to the catalog (``Catalog.apply``)
and brings the BM25 index to the catalog's version (``BM25Store.current``, as an ingest does). ``search`` times ``Assistant.search`` in each mode with
a fake embedder that returns each query's pre-made vector, and measures the store's recall
against brute force. ``server-add`` adds and deletes a sample through a Chroma server.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..retrieval import MODES

EMBEDDER = "scale-sim-384"  # the fake embedder's name: the collection is paper-chunks-scale-sim-384
SOURCE = "simulated://scale"
CHUNKING = "160x32"  # what the simulated chunk ids say (scale_data.blocks)


class PeakRss:
    """The largest resident set of a process, sampled every 20 ms (``reset`` starts a phase)."""

    def __init__(self, pid: int | None = None):
        import psutil

        self._process = psutil.Process(pid)
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self._process.memory_info().rss / 2**20)
            except Exception:  # the process ended
                return
            self._stop.wait(0.02)

    def reset(self) -> float:
        """The peak so far, and start again from the current resident set."""
        peak, self.peak = self.peak, self._process.memory_info().rss / 2**20
        return round(max(peak, self.peak), 1)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return round(self.peak, 1)


class QueryEmbedder:
    """A fake embedder: each query text's pre-made vector (what is timed is the index, not a model)."""

    name, dim = EMBEDDER, 384

    def __init__(self, vectors: dict[str, list[float]]):
        self.vectors = vectors

    def embed_query(self, text: str) -> list[float]:
        try:
            return self.vectors[" ".join(text.split())]
        except KeyError:
            raise KeyError(f"the scale simulation has no vector for the query {text!r}") from None

    def embed_documents(self, texts):
        raise RuntimeError("the scale simulation stores pre-made vectors: nothing is embedded")

    def load(self) -> None:
        """Nothing to load."""

    def close(self) -> None:
        """Nothing to free."""


class _Timed:
    """An iterator whose own time (making the simulated rows) is counted, to subtract it."""

    def __init__(self, items: Iterator):
        self.items, self.seconds = items, 0.0

    def __iter__(self):
        while True:
            started = time.perf_counter()
            item = next(self.items, self)
            self.seconds += time.perf_counter() - started
            if item is self:
                return
            yield item


def _settings(args: dict):
    from ..config import Settings

    return Settings(data_dir=Path(args["data_dir"]), vector_store=args.get("store", "chroma"), llm="extractive",
                    reranker="none", selector="thresholds", chroma_host=args.get("host"),
                    chroma_port=args.get("port") or 8000)


def add_papers(store, world, start: int, end: int, batch: int) -> tuple[float, list[list[float]]]:
    """ChunkVectorStore.add of papers start..end-1, ``batch`` at a time: the seconds spent
    in add, and the add rate (papers/s) over each tenth of the range."""
    from .scale_data import blocks, vectors

    seconds, done, rates, segment = 0.0, 0, [], (0.0, 0)
    pending_chunks: list = []
    pending_vectors: list = []
    papers: dict = {}

    def flush(chunks, vecs) -> None:
        nonlocal seconds, done, segment
        started = time.perf_counter()
        store.add(chunks, vecs, papers)
        spent = time.perf_counter() - started
        seconds, done = seconds + spent, done + len(chunks)
        segment = (segment[0] + spent, segment[1] + len(chunks))
        if segment[1] >= max(batch, (end - start) // 10) or done == end - start:
            rates.append([start + done, round(segment[1] / segment[0], 1)])
            segment = (0.0, 0)

    for (block, _, _), vecs in zip(blocks(world, start, end, source=SOURCE), vectors(world, start, end)):
        papers.update((p.paper_id, p) for p in block.papers)
        pending_chunks += block.chunks
        pending_vectors += list(vecs)
        while len(pending_chunks) >= batch:
            flush(pending_chunks[:batch], pending_vectors[:batch])
            del pending_chunks[:batch], pending_vectors[:batch]
        papers = {c.paper_id: papers[c.paper_id] for c in pending_chunks}  # only those still to add
    if pending_chunks:
        flush(pending_chunks, pending_vectors)
    return seconds, rates


@contextmanager
def clock(out: dict, key: str, scale: float = 1.0) -> Iterator[None]:
    """Time the block into out[key] (seconds, or milliseconds with scale=1000)."""
    started = time.perf_counter()
    yield
    out[key] = (time.perf_counter() - started) * scale


def ingest(args: dict) -> dict:
    from ..app import peak_rss_mb
    from ..index import BM25Store, Catalog, open_vector_store
    from ..layout import DataLayout
    from .scale_data import blocks, cached_world

    world, start, end = cached_world(args["seed"]), args["start"], args["end"]
    layout = DataLayout(Path(args["data_dir"]))
    rss = PeakRss()
    vectors = open_vector_store(_settings(args), EMBEDDER)
    vectors.load()
    out: dict = {"open_rss_mb": rss.reset()}
    out["add_s"], out["add_rates"] = add_papers(vectors, world, start, end, args["batch"])
    out["add_rss_mb"] = rss.reset()
    vectors.close()  # the HNSW index leaves memory before the catalog and BM25 phases
    catalog = Catalog(layout.catalog)
    papers = _Timed(p for b, _, _ in blocks(world, start, end, source=SOURCE) for p in b.papers)
    chunks = _Timed(c for b, _, _ in blocks(world, start, end, source=SOURCE) for c in b.chunks)
    with clock(out, "catalog_s"):
        catalog.apply(papers, chunks, [], [SOURCE], CHUNKING)
    out["catalog_s"] -= papers.seconds + chunks.seconds  # making the rows is not the catalog's time
    out["catalog_wal_mb"] = next((f.stat().st_size / 2**20 for f in [Path(f"{layout.catalog}-wal")] if f.exists()), 0.0)
    out["catalog_rss_mb"] = rss.reset()
    with clock(out, "bm25_build_s"):  # as an ingest does: too many new chunks to follow, so built whole
        BM25Store(layout.bm25(vectors.name), catalog).current()
    out["bm25_rss_mb"] = rss.reset()
    vectors = open_vector_store(_settings(args), EMBEDDER)
    # what every search asks the catalog (now, and as it was asked before docs/scale.md's fixes),
    # and what every later ingest reads before its work
    out["counts_ms"], out["year_span_ms"] = _median_ms(catalog.counts), _median_ms(catalog.year_span)
    out["count_scan_ms"] = _median_ms(lambda: _scan(layout.catalog, _OLD_COUNTS))
    out["year_scan_ms"] = _median_ms(lambda: _scan(layout.catalog, _OLD_YEAR_SPAN))
    with clock(out, "ids_s"):
        out["store_ids"] = len(vectors.ids())
    with clock(out, "digests_s"):
        out["catalog_papers"] = len(catalog.paper_digests())
    if args.get("hold_corpus"):  # a real ingest holds the parsed corpus: N Paper objects
        before = rss.reset()
        held = [p for b, _, _ in blocks(world, 0, end, source=SOURCE) for p in b.papers]
        out["corpus_held_mb"] = rss.reset() - before
        del held
    out["store_count"] = vectors.count()
    out["peak_rss_mb"] = max(rss.stop(), peak_rss_mb())
    vectors.close()
    catalog.close()
    return out


_OLD_COUNTS = "SELECT (SELECT COUNT(*) FROM papers), (SELECT COUNT(*) FROM chunks)"
_OLD_YEAR_SPAN = "SELECT MAX(year), SUM(year IS NULL) FROM papers NOT INDEXED"


def _scan(path: Path, sql: str) -> None:
    import sqlite3

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        db.execute(sql).fetchone()
    finally:
        db.close()


def _median_ms(call, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[runs // 2]


def search(args: dict) -> dict:
    """Latency of Assistant.search per mode (k=10, the project's retriever and stores), planted
    papers found, and dense recall@10 and @60 of the store against brute force."""
    import numpy as np

    from ..api import Assistant
    from ..app import peak_rss_mb
    from ..index import open_vector_store
    from .scale_data import cached_world, ef_sweep, exact_top, recall

    world, papers = cached_world(args["seed"]), args["papers"]
    queries = world.queries(papers, args["queries"])
    embedder = QueryEmbedder({q.text: q.vector.tolist() for q in queries})
    rss = PeakRss()
    assistant = Assistant(_settings(args), embedder=embedder, notify=lambda message: None)
    out: dict = {}
    for mode in MODES:  # the first search of a mode opens what it needs (Chroma's index, BM25 from disk)
        with clock(out, f"{mode}_first_ms", 1000):
            assistant.search(queries[0].text, k=10, mode=mode)
    for mode in MODES:
        times, planted_first = [], 0
        for q in queries:
            started = time.perf_counter()
            hits = assistant.search(q.text, k=10, mode=mode).hits
            times.append((time.perf_counter() - started) * 1000)
            planted_first += bool(q.planted and hits and hits[0].paper.paper_id == q.planted)
        out[f"{mode}_ms"] = times
        out[f"{mode}_planted_at_1"] = planted_first / sum(1 for q in queries if q.planted)
    out["search_rss_mb"] = rss.reset()
    assistant.close()  # Chroma keeps a loaded index while any client of it is open: ef_sweep reloads it
    store = open_vector_store(_settings(args), EMBEDDER)
    sample = queries[: args["recall_queries"]]
    with clock(out, "exact_s"):
        exact = exact_top(world, np.stack([q.vector for q in sample]), papers, 60)
    out["recall_at_10"], out["recall_at_60"] = recall(store, sample, exact, 10)[0], recall(store, sample, exact, 60)[0]
    out["planted_exact_at_1"] = sum(e[0] == q.planted for q, e in zip(sample, exact) if q.planted) / max(
        1, sum(1 for q in sample if q.planted))
    out["ef_sweep"] = ef_sweep(store, sample, exact, args.get("ef_sweep") or [])
    out["peak_rss_mb"] = max(rss.stop(), peak_rss_mb())
    store.close()
    return out


def server_add(args: dict) -> dict:
    """Add a sample of papers (ids past the corpus) through the store, at the ingest's batch
    size and at the simulation's, then delete them again (as a re-ingest deletes stale chunks)."""
    from ..index import open_vector_store
    from .scale_data import blocks, cached_world

    world, base, size = cached_world(args["seed"]), args["sample_base"], args["sample"]
    store = open_vector_store(_settings(args), EMBEDDER)
    store.load()
    out: dict = {}
    for name, batch, lo in (("small", args["small_batch"], base), ("large", args["batch"], base + size)):
        seconds, _ = add_papers(store, world, lo, lo + size, batch)
        out[f"add_{name}_batch"], out[f"add_{name}_per_s"] = batch, size / seconds
    ids = [c.chunk_id for b, _, _ in blocks(world, base, base + 2 * size, source=SOURCE) for c in b.chunks]
    started = time.perf_counter()
    store.delete(ids)
    out["delete_per_s"] = len(ids) / (time.perf_counter() - started)
    store.close()
    return out


def main(argv: list[str]) -> int:
    import logging

    logging.disable(logging.WARNING)  # other libraries' logs stay out of the terminal
    stages = {"ingest": ingest, "search": search, "server-add": server_add}
    if len(argv) != 2 or argv[0] not in stages:
        print(f"usage: python -m assistant.bench.scale_stages {'|'.join(stages)} ARGS_JSON", file=sys.stderr)
        return 2
    result = stages[argv[0]](json.loads(argv[1]))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
