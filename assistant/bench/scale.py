"""A million papers, by simulation: `python scripts/scale_sim.py [--sizes ...] [--servers ...]`.

The index is built from pre-made vectors and text (scale_data.py) through the project's own
stores, and measured at growing corpus sizes (scale_stages.py, one process per stage, so each
peak RSS is that stage's own). The corpora nest: the 300k corpus is the 100k one and 200k more
papers, so the vector store and the catalog grow by adding the new papers, as an ingest of them
would; BM25 is built whole at each size (too many new chunks to follow). Ingest time at a size is
the time of all its vector adds plus that catalog write and BM25 build. Then a daily update of
1,000 papers is applied and taken back (scale_update.py).

Embedded Chroma builds the vector index. ``embedded`` searches through it; ``server`` starts ``chroma run`` on the same
Chroma directory, searches through it (vector store ``chroma-server``) and adds and deletes
a sample of papers through it (see docs/scale.md for why not the whole corpus).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

from .measure import chroma_server, machine, percentile, run_child, size_mb
from .scale_stages import EMBEDDER, MODES, PeakRss

SAMPLE_BASE = 10**9  # the server's sample papers: ids past any simulated corpus
UPDATE = {"new": 900, "changed": 50, "removed": 50}  # a daily listing's update (scale_update.py)


def stage(name: str, args: dict) -> dict:
    """Run one stage in a fresh process and return its JSON."""
    return run_child("assistant.bench.scale_stages", [name, json.dumps(args)], f"scale stage {name}")


class ScaleRun:
    def __init__(self, work: Path, *, seed: int, queries: int, recall_queries: int, batch: int, sample: int,
                 small_batch: int, ef_sweep: list[int], say: Callable[[str], None]):
        self.work, self.seed, self.queries, self.recall_queries = work, seed, queries, recall_queries
        self.ef_sweep = ef_sweep
        self.batch, self.sample, self.small_batch, self.say = batch, sample, small_batch, say
        self.results: list[dict] = []
        self.details: dict[str, dict] = {}

    def add(self, size: int, store: str, metric: str, value: float, unit: str) -> None:
        self.results.append({"size": size, "store": store, "metric": metric, "value": round(value, 4), "unit": unit})
        self.say(f"  {size:>8} {store:<9} {metric:<26} {value:>11.2f} {unit}")

    def searches(self, size: int, store: str, figures: dict) -> None:
        for mode in MODES:
            for q in (0.50, 0.95):
                self.add(size, store, f"{mode}_p{round(q * 100)}_ms", percentile(figures[f"{mode}_ms"], q), "ms")
        for mode in MODES:
            self.add(size, store, f"{mode}_first_search_ms", figures[f"{mode}_first_ms"], "ms")
            self.add(size, store, f"{mode}_planted_at_1", figures[f"{mode}_planted_at_1"], "share")
        self.add(size, store, "recall_at_10", figures["recall_at_10"], "share")
        self.add(size, store, "recall_at_60", figures["recall_at_60"], "share")

    def run(self, sizes: list[int], servers: list[str]) -> None:
        data = self.work / "data"
        chroma = data / "chroma"
        done, add_seconds = 0, 0.0
        base = {"data_dir": str(data), "seed": self.seed, "batch": self.batch}
        for size in sorted(sizes):
            self.say(f"{size:,} papers: ingest (papers {done:,}..{size - 1:,} into Chroma, catalog and BM25 of all)")
            ingest = stage("ingest", base | {"start": done, "end": size, "hold_corpus": size == min(sizes)})
            self.details[f"ingest-{size}"] = ingest
            done, add_seconds = size, add_seconds + ingest["add_s"]
            if ingest["store_count"] != size or ingest["catalog_papers"] != size:
                raise RuntimeError(f"the index holds {ingest['store_count']} vectors and {ingest['catalog_papers']} "
                                   f"papers, not {size}")
            e = "embedded"
            total = add_seconds + ingest["catalog_s"] + ingest["bm25_build_s"]
            self.add(size, e, "ingest_s", total, "s")
            self.add(size, e, "chroma_add_s", add_seconds, "s")
            self.add(size, e, "chroma_add_per_s", size / add_seconds, "papers/s")
            self.add(size, e, "chroma_add_last_tenth_per_s", ingest["add_rates"][-1][1], "papers/s")
            self.add(size, e, "catalog_write_s", ingest["catalog_s"], "s")
            self.add(size, e, "catalog_wal_after_write_mb", ingest["catalog_wal_mb"], "MB")
            self.add(size, e, "bm25_build_s", ingest["bm25_build_s"], "s")
            for phase in ("add", "catalog", "bm25"):
                self.add(size, e, f"ingest_{phase}_rss_mb", ingest[f"{phase}_rss_mb"], "MB")
            self.add(size, e, "ingest_peak_rss_mb", ingest["peak_rss_mb"], "MB")
            self.add(size, e, "store_ids_s", ingest["ids_s"], "s")
            self.add(size, e, "catalog_digests_s", ingest["digests_s"], "s")
            for metric in ("counts_ms", "count_scan_ms", "year_span_ms", "year_scan_ms"):
                self.add(size, e, f"catalog_{metric}", ingest[metric], "ms")
            if "corpus_held_mb" in ingest:
                self.add(size, e, "corpus_held_mb", ingest["corpus_held_mb"], "MB")
            self.add(size, e, "chroma_mb", size_mb(chroma), "MB")
            self.add(size, e, "bm25_mb", size_mb(data / "bm25"), "MB")
            self.add(size, e, "catalog_mb", size_mb(*data.glob("catalog.sqlite*")), "MB")
            self.update(size, base)
            search = base | {"papers": size, "queries": self.queries, "recall_queries": self.recall_queries}
            if "embedded" in servers:
                figures = stage("search", search | {"store": "chroma", "ef_sweep": self.ef_sweep})
                self.details[f"search-embedded-{size}"] = {k: v for k, v in figures.items() if not k.endswith("_ms")}
                self.searches(size, e, figures)
                for row in figures["ef_sweep"]:
                    self.add(size, e, f"recall_at_10_ef_{row['ef_search']}", row["recall_at_10"], "share")
                    self.add(size, e, f"query_p50_ms_ef_{row['ef_search']}", row["query_p50_ms"], "ms")
                self.add(size, e, "search_process_rss_mb", figures["peak_rss_mb"], "MB")
            if "server" in servers:
                self.server(size, chroma, search)

    def update(self, size: int, base: dict) -> None:
        """A daily update (new, changed and removed papers) onto the index of this size, then taken back."""
        self.say(f"{size:,} papers: an update of {sum(UPDATE.values()):,} papers ({UPDATE['new']} new, "
                 f"{UPDATE['changed']} changed, {UPDATE['removed']} removed), then taken back")
        figures = run_child("assistant.bench.scale_update", [json.dumps(base | {"size": size} | UPDATE)],
                            "scale stage update")
        self.details[f"update-{size}"] = figures
        if figures["store_count"] != size or figures["catalog_papers"] != size or figures["lexical_size"] != size:
            raise RuntimeError(f"after the update was taken back the index holds {figures['store_count']} vectors, "
                               f"{figures['catalog_papers']} papers and {figures['lexical_size']} BM25 chunks, not {size}")
        e, u = "embedded", figures["update"]
        for key in ("total_s", "vector_s", "catalog_all_s", "bm25_s", "vector_plan_s", "digests_s", "plan_s",
                    "catalog_s", "vector_add_s", "vector_delete_s", "embed_estimate_s"):
            self.add(size, e, f"update_{key}", u[key], "s")
        self.add(size, e, "update_peak_rss_mb", u["peak_rss_mb"], "MB")
        self.add(size, e, "update_process_peak_rss_mb", figures["peak_rss_mb"], "MB")
        self.add(size, e, "update_back_total_s", figures["revert"]["total_s"], "s")

    def server(self, size: int, chroma: Path, search: dict) -> None:
        self.say(f"{size:,} papers: chroma run on the same Chroma directory")
        with chroma_server(chroma) as (port, pid):
            rss = PeakRss(pid)
            where = {"store": "chroma-server", "host": "127.0.0.1", "port": port}
            figures = stage("search", search | where)
            self.searches(size, "server", figures)
            self.add(size, "server", "client_process_rss_mb", figures["peak_rss_mb"], "MB")
            self.add(size, "server", "server_search_rss_mb", rss.reset(), "MB")
            sample = {"sample_base": SAMPLE_BASE, "sample": self.sample, "small_batch": self.small_batch}
            added = stage("server-add", search | where | sample)
            self.details[f"server-add-{size}"] = added
            self.add(size, "server", f"add_per_s_batch_{added['add_small_batch']}", added["add_small_per_s"], "papers/s")
            self.add(size, "server", f"add_per_s_batch_{added['add_large_batch']}", added["add_large_per_s"], "papers/s")
            self.add(size, "server", "delete_per_s", added["delete_per_s"], "papers/s")
            self.add(size, "server", "server_peak_rss_mb", rss.reset(), "MB")
            rss.stop()


def run_scale(sizes: list[int], *, servers: list[str], progress: Callable[[str], None], work: Path | None = None,
              keep: bool = False, seed: int = 7, queries: int = 200, recall_queries: int = 200, batch: int = 1000,
              sample: int = 10_000, small_batch: int = 64, ef_sweep: tuple[int, ...] = (10, 25, 50, 100, 200)) -> dict:
    """Simulate, measure and return {"machine", "results", "details", "meta"}; the data lives
    under ``work`` (a new temporary folder by default), removed at the end unless ``keep``."""
    if not servers or set(servers) - {"embedded", "server"}:
        raise ValueError(f"servers: choose from 'embedded' and 'server' (got {', '.join(servers) or 'none'})")
    if not sizes or min(sizes) < 1000:
        raise ValueError("sizes: give one or more corpus sizes of at least 1000 papers")
    work = Path(work) if work else Path(tempfile.mkdtemp(prefix="paper-assistant-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    if (work / "data").exists():
        raise ValueError(f"{work / 'data'} exists: the simulation starts from an empty folder")
    run = ScaleRun(work, seed=seed, queries=queries, recall_queries=recall_queries, batch=batch, sample=sample,
                   small_batch=small_batch, ef_sweep=list(ef_sweep), say=progress)
    started = time.perf_counter()
    try:
        run.run(sizes, servers)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    meta = {"sizes": sorted(sizes), "servers": servers, "seed": seed, "queries": queries, "add_batch": batch,
            "server_sample": sample, "embedder": EMBEDDER, "seconds": round(time.perf_counter() - started, 1)}
    return {"machine": machine(), "results": run.results, "details": run.details, "meta": meta}
