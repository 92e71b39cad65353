"""What the benchmarks measure with: the machine, percentiles, sizes on disk, the query mix,
and a ``chroma run`` server on a free local port."""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..layout import BUNDLED_CORPUS, PROJECT_ROOT


def machine() -> dict:
    import psutil

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank q-quantile (0 < q <= 1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def percentiles(values: list[float]) -> dict[str, float]:
    return {"p50": percentile(values, 0.50), "p95": percentile(values, 0.95), "p99": percentile(values, 0.99)}


def size_mb(*paths: Path) -> float:
    """MB on disk of these files and folders (missing ones count 0)."""
    files = [f for p in paths for f in ([p] if p.is_file() else p.rglob("*") if p.exists() else []) if f.is_file()]
    return sum(f.stat().st_size for f in files) / 2**20


def run_child(module: str, args: list[str], what: str) -> dict:
    """``python -m module args...`` in a fresh process; the JSON object on its last stdout line.
    A failure raises with ``what`` and the end of the child's stderr."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.run([sys.executable, "-m", module, *args], stdout=out, stderr=err)
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            raise RuntimeError(f"{what} failed ({proc.returncode}): {err.read().decode()[-3000:]}")
        return json.loads(out.read().decode().strip().splitlines()[-1])


@contextmanager
def chroma_server(path: Path, timeout: float = 120, log: Path | None = None) -> Iterator[tuple[int, int]]:
    """`chroma run` serving this Chroma directory on a free localhost port: (port, server pid);
    stopped on exit. The server runs under this interpreter (chromadb's own CLI entry point), so
    it is this environment's chromadb whatever PATH or a console script's ``#!`` line say; what
    it prints goes to ``log`` (quoted if it fails to start), else nowhere."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-c", "from chromadb.cli.cli import app; app()",
               "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    out = open(log, "w") if log else subprocess.DEVNULL
    server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    said = log.read_text()[-2000:] if log else "(no log kept)"
                    raise RuntimeError(f"chroma run did not start on {path} within {timeout:.0f} s: {said}") from None
                time.sleep(0.3)
        yield port, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if log:
            out.close()


def queries(n: int) -> list[str]:
    """Eval-set questions, then title fragments: a fixed, realistic query mix."""
    from ..corpus import load_corpus

    lines = (PROJECT_ROOT / "eval" / "questions.jsonl").read_text().splitlines()
    found = [json.loads(line)["question"] for line in lines if line.strip()]
    titles = sorted(p.title for p in load_corpus([BUNDLED_CORPUS]).papers)
    found += [" ".join(t.split()[:4]) for t in titles]
    return (found * (n // max(1, len(found)) + 1))[:n]
