"""Speed and scale benchmarks: `paper-assistant bench [--sizes ...] [--quick] [--json]`.

Every figure is measured on this machine by this module and printed; nothing is
asserted. Workloads are the bundled corpus and deterministic synthetic corpora
(synthetic.py). Systems: paper-assistant, llama-index's default path
(VectorStoreIndex over the same Chroma and embedder, ``as_retriever``) and
paper-assistant against a Chroma server (``chroma run``) instead of embedded Chroma.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from ..config import Settings

from ..layout import BUNDLED_CORPUS, PROJECT_ROOT

MODES = ("dense", "bm25", "hybrid")


def machine() -> dict:
    import psutil

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99)}


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def queries(n: int) -> list[str]:
    """Eval-set questions, then title fragments: a fixed, realistic query mix."""
    from ..corpus import load_corpus

    lines = (PROJECT_ROOT / "eval" / "questions.jsonl").read_text().splitlines()
    found = [json.loads(line)["question"] for line in lines if line.strip()]
    titles = sorted(p.title for p in load_corpus([BUNDLED_CORPUS]).papers)
    found += [" ".join(t.split()[:4]) for t in titles]
    return (found * (n // max(1, len(found)) + 1))[:n]


class Bench:
    def __init__(self, work: Path, settings: Settings, progress: Callable[[str], None]):
        self.work = work
        self.settings = settings
        self.say = progress
        self.results: list[dict] = []
        self._embedder = None

    def add(self, workload: str, size: int, system: str, metric: str, value: float, unit: str) -> None:
        self.results.append({"workload": workload, "size": size, "system": system, "metric": metric,
                             "value": round(value, 4), "unit": unit})
        self.say(f"  {system:<20} {workload:<12} {size:>6} {metric:<22} {value:>10.3f} {unit}")

    @property
    def embedder(self):
        if self._embedder is None:
            from ..index import make_embedder

            self._embedder = make_embedder(self.settings)
            self._embedder.embed_query("warm up")
        return self._embedder

    def corpus(self, size: int | None) -> tuple[Path, int, str]:
        from ..corpus import load_corpus
        from .synthetic import write_synthetic

        real = load_corpus([BUNDLED_CORPUS]).papers
        if size is None:
            return BUNDLED_CORPUS, len(real), "bundled"
        return write_synthetic(real, size, self.work / f"synthetic-{size}.jsonl"), size, "synthetic"

    def assistant(self, data_dir: Path, **overrides):
        from ..api import Assistant

        settings = self.settings.updated(data_dir=data_dir, **overrides)
        return Assistant(settings, embedder=self.embedder, notify=lambda m: None)

    # -- measures ----------------------------------------------------------------
    def ingest_child(self, corpus: Path, data_dir: Path, workload: str, size: int) -> None:
        """Ingest in a fresh process (model load included), for peak RSS and the real cost."""
        started = time.perf_counter()
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "assistant.app.cli", "--data-dir", str(data_dir), "ingest", str(corpus), "--json"],
                stdout=out, stderr=err,
            )
            proc.wait()
            seconds = time.perf_counter() - started
            out.seek(0)
            err.seek(0)
            if proc.returncode:
                raise RuntimeError(f"ingest of {corpus} failed: {err.read().decode()[-2000:]}")
            report = json.loads(out.read())
        self.add(workload, size, "paper-assistant", "ingest_papers_per_s", report["papers"] / report["seconds"], "papers/s")
        self.add(workload, size, "paper-assistant", "ingest_chunks_per_s", report["chunks"] / report["seconds"], "chunks/s")
        self.add(workload, size, "paper-assistant", "ingest_process_s", seconds, "s")
        self.add(workload, size, "paper-assistant", "index_mb", dir_mb(data_dir), "MB")
        self.add(workload, size, "paper-assistant", "rss_mb", report["peak_rss_mb"], "MB")

    def search_latency(self, search: Callable[[str, str], object], workload: str, size: int, system: str,
                       modes=MODES, n: int = 200) -> None:
        for mode in modes:
            search(queries(1)[0], mode)  # warm: models, BM25, caches
            times = []
            for query in queries(n):
                started = time.perf_counter()
                search(query, mode)
                times.append((time.perf_counter() - started) * 1000)
            for name, value in percentiles(times).items():
                self.add(mode, size, system, f"search_{name}_ms", value, "ms")

    def ours(self, corpus: Path, size: int, workload: str, n_queries: int) -> Path:
        data_dir = self.work / f"ours-{workload}-{size}"
        self.ingest_child(corpus, data_dir, workload, size)
        assistant = self.assistant(data_dir)
        self.search_latency(lambda q, m: assistant.search(q, k=10, mode=m), workload, size, "paper-assistant", n=n_queries)
        assistant.close()
        return data_dir

    def llama_index_default(self, corpus: Path, size: int, workload: str, n_queries: int) -> None:
        from llama_index.core import Document, StorageContext, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.vector_stores.chroma import ChromaVectorStore

        from ..corpus import load_corpus
        from ..index import as_llama_index_embedding, open_client, token_counter

        papers = load_corpus([corpus]).papers
        client = open_client(self.work / f"peer-{workload}-{size}")
        collection = client.get_or_create_collection("peer", metadata={"hnsw:space": "cosine"}, embedding_function=None)
        storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
        embed_model = as_llama_index_embedding(self.embedder)
        documents = [Document(text=f"{p.title}\n\n{p.abstract}", metadata={"paper_id": p.paper_id}) for p in papers]
        splitter = SentenceSplitter(chunk_size=self.settings.index.chunk_tokens, chunk_overlap=self.settings.index.chunk_overlap,
                                    tokenizer=token_counter())
        started = time.perf_counter()
        index = VectorStoreIndex.from_documents(documents, storage_context=storage, embed_model=embed_model,
                                                transformations=[splitter])
        seconds = time.perf_counter() - started
        self.add(workload, size, "llama-index-default", "ingest_papers_per_s", len(papers) / seconds, "papers/s")
        retriever = index.as_retriever(similarity_top_k=10)
        self.search_latency(lambda q, m: retriever.retrieve(q), workload, size, "llama-index-default",
                            modes=("dense",), n=n_queries)

    def chroma_server(self, corpus: Path, size: int, workload: str, n_queries: int) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
        server = subprocess.Popen([chroma, "run", "--path", str(self.work / f"server-{size}"), "--host", "127.0.0.1",
                                   "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.time() > deadline:
                        raise RuntimeError("chroma run did not start") from None
                    time.sleep(0.3)
            assistant = self.assistant(self.work / f"server-catalog-{size}", chroma_host="127.0.0.1", chroma_port=port)
            started = time.perf_counter()
            report = assistant.ingest([corpus], progress=False)
            self.add(workload, size, "chroma-server", "ingest_papers_per_s", report.papers / (time.perf_counter() - started), "papers/s")
            self.search_latency(lambda q, m: assistant.search(q, k=10, mode=m), workload, size, "chroma-server", n=n_queries)
            assistant.close()
        finally:
            server.terminate()
            server.wait(timeout=30)

    def embedded_ingest_in_process(self, corpus: Path, size: int, workload: str) -> None:
        """Our ingest with a warm embedder in this process: the like-for-like peer of the two above."""
        assistant = self.assistant(self.work / f"ours-warm-{workload}-{size}")
        started = time.perf_counter()
        report = assistant.ingest([corpus], progress=False)
        self.add(workload, size, "paper-assistant", "ingest_warm_papers_per_s", report.papers / (time.perf_counter() - started), "papers/s")
        assistant.close()

    def cli_cold_start(self, data_dir: Path, runs: int = 3) -> None:
        exe = str(Path(sys.executable).with_name("paper-assistant"))
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([exe, "--data-dir", str(data_dir), "search", "which papers study shortcut learning?", "-k", "5"],
                           check=True, capture_output=True)
            times.append(time.perf_counter() - started)
        self.add("search", 0, "paper-assistant", "cli_cold_start_s", statistics.median(times), "s")

    # the answer path before the learned selector: the hand-set gate, no cross-encoder
    GATE_ONLY = {"PAPER_ASSISTANT_SELECTOR": "thresholds", "PAPER_ASSISTANT_RERANKER": "none"}

    def answers(self, data_dir: Path, backends: list[str], n: int) -> None:
        """Each back-end in a fresh process: warm latency, and peak RSS with its model loaded;
        ``extractive-gate`` is the extractive answer with the hand-set gate and no reranker."""
        import os

        for label in backends:
            backend, env = (("extractive", os.environ | self.GATE_ONLY) if label == "extractive-gate"
                            else (label, None))
            proc = subprocess.run([sys.executable, "-m", "assistant.bench.answers", str(data_dir), backend, str(n)],
                                  capture_output=True, text=True, env=env)
            if proc.returncode:
                raise RuntimeError(f"answer benchmark for {backend} failed: {proc.stderr[-2000:]}")
            figures = json.loads(proc.stdout.strip().splitlines()[-1])
            backend = label
            self.add(backend, 0, "paper-assistant", "answer_first_token_s", figures["first_token_s"], "s")
            self.add(backend, 0, "paper-assistant", "answer_total_s", figures["total_s"], "s")
            self.add(backend, 0, "paper-assistant", "answer_first_token_p95_s", figures["first_token_p95_s"], "s")
            self.add(backend, 0, "paper-assistant", "answer_total_p95_s", figures["total_p95_s"], "s")
            self.add(backend, 0, "paper-assistant", "rss_mb", figures["peak_rss_mb"], "MB")


def run_bench(sizes: list[int], *, quick: bool, settings: Settings, progress: Callable[[str], None],
              peer_max: int = 1000, keep: Path | None = None) -> dict:
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="paper-assistant-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    bench = Bench(work, settings, progress)
    n_queries = 30 if quick else 200
    started = time.perf_counter()
    try:
        corpus, count, workload = bench.corpus(None)
        bundled_index = bench.ours(corpus, count, workload, n_queries)
        bench.embedded_ingest_in_process(corpus, count, workload)
        bench.llama_index_default(corpus, count, workload, n_queries)
        bench.chroma_server(corpus, count, workload, n_queries)
        bench.cli_cold_start(bundled_index, runs=2 if quick else 5)
        bench.answers(bundled_index, ["extractive", "extractive-gate", "local"], 3 if quick else 20)
        for size in sizes:
            corpus, count, workload = bench.corpus(size)
            bench.ours(corpus, count, workload, n_queries)
            if size <= peer_max and not quick:
                bench.embedded_ingest_in_process(corpus, count, workload)
                bench.llama_index_default(corpus, count, workload, n_queries)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return {"machine": machine(), "results": bench.results,
            "meta": {"sizes": sizes, "quick": quick, "seconds": round(time.perf_counter() - started, 1),
                     "embedder": settings.index.embedder}}
