"""Ingest reliability with real processes: kill -9, two ingests at once, searching while
an ingest runs, a 50 MB corpus file, and damaged corpus files. No mocks.

The integration tests run the real CLI (``python -m assistant.app.cli``) with the default
(real, ONNX MiniLM) embedder in subprocesses and read the resulting index in this
process. Sizes are chosen to finish in about a minute each on two busy CPU cores
(MiniLM managed about 10 chunks a second there); set RELIABILITY_TEST_PAPERS to use
a bigger synthetic corpus for the kill test.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import Settings

from assistant.layout import BUNDLED_CORPUS, PROJECT_ROOT
from assistant.corpus import MAX_ISSUES_PER_FILE, load_corpus
from assistant.bench.synthetic import write_synthetic
from conftest import copy_index, index_of

KILL_TEST_PAPERS = int(os.environ.get("RELIABILITY_TEST_PAPERS", "200"))
CLI_ENV = {**os.environ, "PAPER_ASSISTANT_EMBED_BATCH_SIZE": "16", "PYTHONUNBUFFERED": "1"}
CLI_ENV.pop("PAPER_ASSISTANT_DATA_DIR", None)


# -- helpers -------------------------------------------------------------------------
def real_papers():
    return load_corpus([BUNDLED_CORPUS]).papers


def cli(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "assistant.app.cli", "--data-dir", str(data_dir), *args]


class Proc:
    """A subprocess whose stdout/stderr go to files, so they can be read while it runs."""

    def __init__(self, cmd: list[str], log_dir: Path, name: str):
        self.out_path, self.err_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
        self._out, self._err = open(self.out_path, "w"), open(self.err_path, "w")
        self.popen = subprocess.Popen(cmd, stdout=self._out, stderr=self._err, env=CLI_ENV, cwd=PROJECT_ROOT)
        self.pid = self.popen.pid

    def poll(self):
        return self.popen.poll()

    def wait(self, timeout: float) -> int:
        try:
            return self.popen.wait(timeout=timeout)
        finally:
            self._out.close()
            self._err.close()

    @property
    def stdout(self) -> str:
        return self.out_path.read_text()

    @property
    def stderr(self) -> str:
        return self.err_path.read_text()

    def kill(self) -> None:
        if self.popen.poll() is None:
            os.kill(self.pid, signal.SIGCONT)  # in case a test stopped it
            self.popen.kill()
            self.popen.wait()


def run_cli(data_dir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(cli(data_dir, *args), capture_output=True, text=True, env=CLI_ENV, cwd=PROJECT_ROOT,
                          timeout=timeout)


def raw_chroma_count(data_dir: Path) -> int:
    """Vectors Chroma has recorded, read straight from its SQLite file (read-only), so this
    process never opens a Chroma client on a directory another process is writing."""
    path = data_dir / "chroma" / "chroma.sqlite3"
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            return db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        finally:
            db.close()
    except sqlite3.OperationalError:  # not created yet
        return 0


def raw_catalog_papers(data_dir: Path) -> int:
    path = data_dir / "catalog.sqlite"
    if not path.exists():
        return 0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return db.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()


def index_state(assistant) -> dict:
    """What the catalog and Chroma hold, ids as lists (so duplicates would show)."""
    vector_ids: list[str] = []
    store = index_of(assistant).vectors
    store.load()
    total, page = store.collection.count(), 1000
    for offset in range(0, total, page):
        vector_ids += store.collection.get(include=[], limit=page, offset=offset)["ids"]
    chunks = index_of(assistant).catalog.chunks()
    return {
        "papers": index_of(assistant).catalog.papers(),
        "chunk_ids": [c.chunk_id for c in chunks],
        "chunk_papers": {c.paper_id for c in chunks},
        "vector_ids": vector_ids,
        "sources": index_of(assistant).catalog.sources(),
    }


def assert_consistent(state: dict) -> None:
    vectors, chunks = state["vector_ids"], state["chunk_ids"]
    assert len(vectors) == len(set(vectors)), "duplicate vector ids in Chroma"
    assert len(chunks) == len(set(chunks)), "duplicate chunk ids in the catalog"
    orphans, missing = set(vectors) - set(chunks), set(chunks) - set(vectors)
    assert not orphans, f"{len(orphans)} vectors with no catalog chunk, e.g. {sorted(orphans)[:3]}"
    assert not missing, f"{len(missing)} catalog chunks with no vector, e.g. {sorted(missing)[:3]}"
    assert state["chunk_papers"] == set(state["papers"]), "every paper has chunks, every chunk a paper"


def open_assistant(data_dir: Path):
    from assistant.api import Assistant

    messages: list[str] = []
    a = Assistant(Settings(data_dir=data_dir, llm="extractive"), notify=messages.append)
    a.messages = messages
    return a


# -- 1. kill -9 in the middle of an ingest ----------------------------------------------
@pytest.mark.integration
def test_kill_9_mid_ingest_then_rerun_completes_without_orphans(tmp_path):
    from assistant.index.chunking import chunk_papers

    corpus = write_synthetic(real_papers(), KILL_TEST_PAPERS, tmp_path / "synthetic.jsonl")
    settings = Settings(data_dir=tmp_path / "unused")
    expected_chunks = len(chunk_papers(load_corpus([corpus]).papers, settings.index.chunk_tokens, settings.index.chunk_overlap))
    data = tmp_path / "data"

    started = time.perf_counter()
    first = Proc(cli(data, "ingest", str(corpus), "--json"), tmp_path, "first")
    try:
        seen = 0
        while first.poll() is None and time.perf_counter() - started < 240:
            seen = raw_chroma_count(data)
            if seen > 0:
                break
            time.sleep(0.1)
        assert first.poll() is None, f"the ingest ended before it could be killed:\n{first.stderr[-2000:]}"
        assert 0 < seen < expected_chunks, (seen, expected_chunks)
        os.kill(first.pid, signal.SIGKILL)
        assert first.wait(timeout=30) == -signal.SIGKILL
    finally:
        first.kill()
    killed_at = time.perf_counter() - started
    left_behind = raw_chroma_count(data)
    assert 0 < left_behind < expected_chunks, "the kill came mid-ingest: some vectors, not all"
    assert raw_catalog_papers(data) == 0, "the catalog switches over only after all vectors are in"

    rerun = run_cli(data, "ingest", str(corpus), "--json")
    rerun_seconds = time.perf_counter() - started - killed_at
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "another ingest" not in rerun.stderr, "a killed ingest's lock must not block the next one"
    report = json.loads(rerun.stdout)
    assert report["papers"] == KILL_TEST_PAPERS and report["chunks"] == expected_chunks
    # resumed: what the killed run had stored is not embedded again
    assert report["embedded_chunks"] == expected_chunks - left_behind, (report, left_behind)

    a = open_assistant(data)
    try:
        state = index_state(a)
        assert len(state["papers"]) == KILL_TEST_PAPERS
        assert len(state["chunk_ids"]) == expected_chunks
        assert_consistent(state)
        target = load_corpus([corpus]).papers[KILL_TEST_PAPERS // 2]
        for mode in ("dense", "bm25", "hybrid"):
            hits = a.search(target.title, k=5, mode=mode).hits
            assert len(hits) == 5, mode
            assert target.paper_id in [h.paper.paper_id for h in hits], (mode, target.title)
    finally:
        a.close()
    print(f"\nkill -9 after {killed_at:.1f}s with {left_behind}/{expected_chunks} vectors stored; "
          f"rerun embedded {report['embedded_chunks']} in {rerun_seconds:.1f}s")


# -- 2. two ingests at once are serialised by the lock --------------------------------
def _wait_for(predicate, timeout: float, what: str, procs=()):
    procs = list(procs)
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        value = predicate()
        if value:
            return value
        if procs and all(p.poll() is not None for p in procs):
            break
        time.sleep(0.02)
    logs = "\n".join(f"pid {p.pid} exit {p.poll()}: {p.stderr[-1500:]}" for p in procs)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


@pytest.mark.integration
def test_two_ingests_at_once_are_serialised(tmp_path):
    real = real_papers()
    corpus_a = write_synthetic(real, 25, tmp_path / "a.jsonl", seed=101)
    corpus_b = write_synthetic(real, 25, tmp_path / "b.jsonl", seed=202)
    expected = {p.paper_id: p for p in load_corpus([corpus_a, corpus_b]).papers}
    assert len(expected) == 50, "the two corpora hold different papers"
    data = tmp_path / "data"
    lock = data / "ingest.lock"

    procs = {
        "a": Proc(cli(data, "ingest", str(corpus_a), "--json"), tmp_path, "a"),
        "b": Proc(cli(data, "ingest", str(corpus_b), "--json"), tmp_path, "b"),
    }
    by_pid = {p.pid: name for name, p in procs.items()}
    try:
        def holder():
            try:
                text = lock.read_text().strip()
            except OSError:
                return None
            pid = int(text.split()[-1]) if text.startswith("pid ") else None
            return by_pid.get(pid)

        first = _wait_for(holder, 180, "one ingest to take the lock", procs.values())
        # freeze the lock holder, so the other one surely arrives while it holds the lock
        os.kill(procs[first].pid, signal.SIGSTOP)
        second = "b" if first == "a" else "a"
        try:
            _wait_for(lambda: "another ingest" in procs[second].stderr, 180,
                      "the second ingest to say it waits", [procs[second]])
            assert holder() == first, "the waiting ingest must not have taken the lock"
        finally:
            os.kill(procs[first].pid, signal.SIGCONT)
        codes = {name: p.wait(timeout=300) for name, p in procs.items()}
    finally:
        for p in procs.values():
            p.kill()

    assert codes == {"a": 0, "b": 0}, {n: p.stderr[-2000:] for n, p in procs.items()}
    waited = procs[second].stderr
    assert f"another ingest (pid {procs[first].pid}) is running on {data}" in waited
    assert "waiting for it to finish" in waited
    assert "another ingest" not in procs[first].stderr
    first_report = json.loads(procs[first].stdout)
    second_report = json.loads(procs[second].stdout)
    first_corpus = corpus_a if first == "a" else corpus_b
    # the second ran after the first had finished: it saw the first's source and papers
    assert first_report["papers"] == len(load_corpus([first_corpus]).papers)
    assert second_report["papers"] == len(expected)
    assert first_report["embedded_chunks"] + second_report["embedded_chunks"] == second_report["chunks"]

    a = open_assistant(data)
    try:
        state = index_state(a)
        assert set(state["papers"]) == set(expected)
        assert sorted(state["sources"]) == sorted([str(corpus_a.resolve()), str(corpus_b.resolve())])
        assert_consistent(state)
    finally:
        a.close()


# -- 3. searches keep working while an ingest runs -------------------------------------
QUERIES = [
    "shortcut learning in deep networks",
    "graph neural networks for molecules",
    "vision transformers trained from scratch",
    "reasoning in large language models",
    "diffusion models for image generation",
]


@pytest.mark.integration
def test_searches_keep_working_while_an_ingest_runs(real_assistant, tmp_path):
    data = tmp_path / "data"
    copy_index(real_assistant.settings.storage.data_dir, data)  # already holds the bundled corpus
    before_vectors = raw_chroma_count(data)
    corpus = write_synthetic(real_papers(), 80, tmp_path / "synthetic.jsonl", seed=7)
    newcomer = load_corpus([corpus]).papers[40]

    a = open_assistant(data)
    version_before = index_of(a).catalog.version
    searches: list[tuple[str, str, int, int, int]] = []  # mode, query, hits, vectors seen, catalog version
    errors: list[str] = []
    proc = Proc(cli(data, "ingest", str(corpus), "--json"), tmp_path, "ingest")
    started = time.perf_counter()
    try:
        i = 0
        while proc.poll() is None and time.perf_counter() - started < 400:
            query, mode = QUERIES[i % len(QUERIES)], ("hybrid", "dense", "bm25")[i % 3]
            i += 1
            vectors_now = raw_chroma_count(data)
            try:
                result = a.search(query, k=5, mode=mode)
            except Exception as exc:  # noqa: BLE001 - every failure is recorded and reported
                errors.append(f"{mode} {query!r}: {type(exc).__name__}: {exc}")
                continue
            searches.append((mode, query, len(result.hits), vectors_now, index_of(a).catalog.version))
        code = proc.wait(timeout=300)
        ingest_seconds = time.perf_counter() - started
        assert code == 0, proc.stderr[-3000:]
        assert not errors, errors[:5]
        assert all(n == 5 for _, _, n, _, _ in searches), [s for s in searches if s[2] != 5][:5]
        mid_ingest = [s for s in searches if s[3] > before_vectors and s[4] == version_before]
        assert mid_ingest, "some searches ran while new vectors were in Chroma and the catalog was not switched yet"
        assert len(searches) >= 10

        # the long-lived assistant's catalog and BM25 move to the new version once the ingest
        # is done (its dense side does not: see the xfail test below)
        assert index_of(a).catalog.version > version_before
        ids = [h.paper.paper_id for h in a.search(newcomer.title, k=5, mode="bm25").hits]
        assert newcomer.paper_id in ids, "the new paper is not found by BM25 in a running assistant"
        state = index_state(a)
        assert len(state["papers"]) == 210 + 80
        assert_consistent(state)
    finally:
        proc.kill()
        a.close()
    after_switch = [s for s in searches if s[4] > version_before]
    print(f"\n{len(searches)} searches during a {ingest_seconds:.1f}s ingest, {len(mid_ingest)} of them "
          f"with new vectors stored and the old catalog, {len(after_switch)} after the catalog switched")


@pytest.mark.integration
def test_running_assistant_finds_papers_another_process_ingested(tmp_path):
    real = real_papers()
    old = write_synthetic(real, 15, tmp_path / "old.jsonl", seed=31)
    new = write_synthetic(real, 15, tmp_path / "new.jsonl", seed=32)
    data = tmp_path / "data"
    # embedded Chroma keeps the vector index in memory per process: the assistant reopens it
    # when the catalog shows another process changed the index
    first = run_cli(data, "ingest", str(old))
    if first.returncode != 0:
        pytest.fail(first.stderr[-2000:])
    a = open_assistant(data)
    try:
        if not a.search("graph neural networks", k=3, mode="dense").hits:  # loads the vector index
            pytest.fail("no dense hits before the second ingest")
        done = run_cli(data, "ingest", str(new))
        if done.returncode != 0:
            pytest.fail(done.stderr[-2000:])
        newcomer = load_corpus([new]).papers[7]
        if index_of(a).catalog.counts()[0] != 30:
            pytest.fail("the catalog misses the second ingest")
        ids = [h.paper.paper_id for h in a.search(newcomer.title, k=5, mode="dense").hits]
        assert newcomer.paper_id in ids, "the dense search of a running assistant misses the new paper"
    finally:
        a.close()


# -- 4. a 50 MB corpus file -------------------------------------------------------------
GOOD = [{"title": f"Valid Paper Number {i} on Sparse Graph Kernels", "abstract": f"Paper {i} studies sparse kernels."}
        for i in range(6)]
JUNK_LINE = '{"title": "broken entry that never ends' + "x" * 40 + "\n"


def write_big_corpus(path: Path, megabytes: int = 50) -> dict:
    """Valid papers among ~700k broken lines and one 5 MB junk line; where each valid one is."""
    n_junk = (megabytes - 5) * 1024 * 1024 // len(JUNK_LINE)
    lines_of = {}
    line = 0
    with open(path, "w", encoding="utf-8") as out:
        def good(i):
            nonlocal line
            out.write(json.dumps(GOOD[i]) + "\n")
            line += 1
            lines_of[GOOD[i]["title"]] = line

        good(0)
        good(1)
        out.write(JUNK_LINE * (n_junk // 2))
        line += n_junk // 2
        good(2)
        out.write("{" + "junk " * (1024 * 1024) + "\n")  # one 5 MB line
        line += 1
        good(3)
        out.write(JUNK_LINE * (n_junk - n_junk // 2))
        line += n_junk - n_junk // 2
        good(4)
        good(5)
    return {"lines_of": lines_of, "broken": n_junk + 1, "total_lines": line}


# Peak RSS is read from VmHWM (this process's own high-water mark): ru_maxrss would start
# at the parent's RSS (a pytest process holding models), since Linux keeps it across exec.
_MEASURE = """
import json, resource, sys, time
from pathlib import Path
from assistant.corpus import load_corpus

def peak_kb():
    try:
        with open("/proc/self/status") as status:
            return next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

before = peak_kb()
started = time.perf_counter()
load = load_corpus([Path(sys.argv[1])])
seconds = time.perf_counter() - started
peak = peak_kb()
print(json.dumps({"seconds": seconds, "grew_mb": (peak - before) / 1024,
                  "papers": [p.title for p in load.papers],
                  "issues": [[i.path, i.line, i.field, i.message] for i in load.issues]}))
"""


def test_50_mb_corpus_file_parses_fast_with_capped_issues(tmp_path):
    path = tmp_path / "big.jsonl"
    layout = write_big_corpus(path)
    assert path.stat().st_size > 50 * 1_000_000
    # a fresh process, so its peak RSS measures this load alone
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True,
                         cwd=PROJECT_ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert result["papers"] == [g["title"] for g in GOOD]
    assert result["seconds"] < 60, result["seconds"]
    assert result["grew_mb"] < 300, f"peak RSS grew by {result['grew_mb']:.0f} MB for a 50 MB file"

    issues = result["issues"]
    assert len(issues) == MAX_ISSUES_PER_FILE + 1
    assert all(i[0] == str(path) for i in issues)
    first_junk = layout["lines_of"][GOOD[1]["title"]] + 1
    assert [i[1] for i in issues[:MAX_ISSUES_PER_FILE]] == list(range(first_junk, first_junk + MAX_ISSUES_PER_FILE))
    assert all("broken JSON" in i[3] for i in issues[:MAX_ISSUES_PER_FILE])
    summary = issues[-1]
    hidden = layout["broken"] - MAX_ISSUES_PER_FILE
    assert summary[1] == first_junk + MAX_ISSUES_PER_FILE, "the summary points at the first problem not listed"
    assert f"and {hidden} more problems" in summary[3]
    assert f"lines {first_junk + MAX_ISSUES_PER_FILE}-{layout['total_lines'] - 2}" in summary[3]
    print(f"\n50 MB file: {result['seconds']:.1f}s, peak RSS +{result['grew_mb']:.0f} MB, "
          f"{layout['broken']} broken lines -> {len(issues)} issues")


def test_issue_cap_is_per_file_and_summary_names_file_and_line(tmp_path):
    many = tmp_path / "many.jsonl"
    many.write_text("{bad\n" * (MAX_ISSUES_PER_FILE + 5) + json.dumps(GOOD[0]) + "\n")
    few = tmp_path / "few.jsonl"
    few.write_text("{bad\n" + json.dumps(GOOD[1]) + "\n")
    exact = tmp_path / "exact.jsonl"
    exact.write_text("{bad\n" * MAX_ISSUES_PER_FILE + json.dumps(GOOD[2]) + "\n")
    load = load_corpus([many, few, exact])
    assert [p.title for p in load.papers] == [GOOD[0]["title"], GOOD[1]["title"], GOOD[2]["title"]]
    by_file = {str(f): [i for i in load.issues if i.path == str(f)] for f in (many, few, exact)}
    assert len(by_file[str(many)]) == MAX_ISSUES_PER_FILE + 1
    assert str(by_file[str(many)][-1]) == (
        f"{many}:{MAX_ISSUES_PER_FILE + 1}: … and 5 more problems "
        f"(lines {MAX_ISSUES_PER_FILE + 1}-{MAX_ISSUES_PER_FILE + 5}) not listed"
    )
    assert [i.line for i in by_file[str(few)]] == [1]
    assert len(by_file[str(exact)]) == MAX_ISSUES_PER_FILE, "exactly at the cap: no summary"
    assert "more problems" not in str(by_file[str(exact)][-1])


# -- 5. damaged corpus files: good entries kept, problems reported -----------------------
LATIN1_LISTING = """Daily Papers

Jan 2

Café Networks for Naïve Reasoning

We study café networks and naïve reasoning over graphs of cafés. Results are strong.

Café Lab
·
May 2, 2023
"""


def write_damaged_corpora(tmp_path: Path) -> dict[str, Path]:
    broken = tmp_path / "broken.jsonl"
    broken.write_text(
        json.dumps({"title": "Sparse Attention for Long Documents", "abstract": "We make attention sparse."}) + "\n"
        + "{broken json\n"
        + json.dumps({"title": "A Title With No Abstract"}) + "\n"
        + json.dumps({"title": "Also No Abstract", "abstract": "   "}) + "\n"
        + "[1, 2, 3]\n"
        + json.dumps({"title": "Robust Retrieval Under Noise", "abstract": "Retrieval that survives noise."}) + "\n"
    )
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(LATIN1_LISTING.encode("latin-1"))
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps({"title": "Shared Title: One Paper", "abstract": "The first abstract wins."}) + "\n")
    second = tmp_path / "second.jsonl"
    second.write_text(
        json.dumps({"title": "shared title - one paper", "abstract": "A second, different abstract."}) + "\n"
        + json.dumps({"title": "Only In The Second File", "abstract": "This one is fine."}) + "\n"
    )
    return {"broken": broken, "latin1": latin1, "first": first, "second": second}


def test_damaged_files_ingest_the_good_entries_and_report_the_rest(assistant, tmp_path):
    files = write_damaged_corpora(tmp_path)
    report = assistant.ingest(list(files.values()), progress=False)
    papers = {p.title: p for p in index_of(assistant).catalog.papers().values()}
    assert set(papers) == {
        "Sparse Attention for Long Documents", "Robust Retrieval Under Noise",
        "Café Networks for Naïve Reasoning", "Shared Title: One Paper", "Only In The Second File",
    }
    assert "naïve reasoning over graphs of cafés" in papers["Café Networks for Naïve Reasoning"].abstract
    shared = papers["Shared Title: One Paper"]
    assert shared.abstract == "The first abstract wins."
    assert shared.sources == (str(files["first"].resolve()), str(files["second"].resolve()))

    issues = [str(i) for i in report.issues]
    broken = str(files["broken"].resolve())
    assert f"{broken}:2: broken JSON" in "\n".join(issues)
    assert f"{broken}:3 [abstract]: required field 'abstract' is missing or empty" in issues
    assert f"{broken}:4 [abstract]: required field 'abstract' is missing or empty" in issues
    assert f"{broken}:5: expected a JSON object" in issues
    assert f"{files['latin1'].resolve()}:5: not UTF-8; read as latin-1" in issues
    conflict = [i for i in report.issues if "different abstract" in i.message]
    assert len(conflict) == 1 and conflict[0].path == str(files["second"].resolve())
    assert str(files["first"].resolve()) in conflict[0].message and "kept the first" in conflict[0].message
    assert len(issues) == 6

    assert_consistent(index_state(assistant))
    hits = assistant.search("café networks naïve reasoning", k=1).hits
    assert hits[0].paper.title == "Café Networks for Naïve Reasoning"


def test_first_registered_file_keeps_winning_a_title_conflict(assistant, tmp_path, fake_embedder):
    """"The first abstract wins" means the first file ingested, on every later re-ingest too,
    not whichever path sorts first."""
    z = tmp_path / "z_original.jsonl"
    z.write_text(json.dumps({"title": "Contested Paper", "abstract": "The original abstract."}) + "\n")
    a = tmp_path / "a_later.jsonl"
    a.write_text(json.dumps({"title": "contested paper", "abstract": "A later, different abstract."}) + "\n")
    assistant.ingest([z], progress=False)
    added = assistant.ingest([a], progress=False)
    assert [p.abstract for p in index_of(assistant).catalog.papers().values()] == ["The original abstract."]
    assert added.embedded_chunks == 0
    embedded = fake_embedder.texts_embedded
    again = assistant.ingest(progress=False)  # a plain re-ingest of the registered sources
    assert [p.abstract for p in index_of(assistant).catalog.papers().values()] == ["The original abstract."]
    assert (again.changed_papers, again.embedded_chunks) == (0, 0)
    assert fake_embedder.texts_embedded == embedded


def test_title_conflict_does_not_keep_removed_papers_alive(assistant, tmp_path):
    """A duplicate-title conflict is reported without a line number; it must not make its
    file count as unreadable (whose old papers would be carried over)."""
    corpus = tmp_path / "c.jsonl"
    rows = [{"title": "Keeper", "abstract": "Stays."}, {"title": "Goner", "abstract": "Leaves the corpus."}]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assistant.ingest([corpus], progress=False)
    assert index_of(assistant).catalog.counts()[0] == 2
    corpus.write_text(json.dumps(rows[0]) + "\n" + json.dumps({"title": "keeper", "abstract": "Other."}) + "\n")
    report = assistant.ingest(progress=False)
    assert any("different abstract" in i.message for i in report.issues)
    assert report.kept_from_failed_sources == 0
    assert report.removed_papers == 1
    assert [p.title for p in index_of(assistant).catalog.papers().values()] == ["Keeper"]
    assert_consistent(index_state(assistant))


@pytest.mark.integration
def test_cli_strict_exits_non_zero_but_still_ingests_the_good_entries(tmp_path):
    files = write_damaged_corpora(tmp_path)
    strict_dir, lenient_dir = tmp_path / "strict", tmp_path / "lenient"
    script = Path(sys.executable).with_name("paper-assistant")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "assistant.app.cli"]

    def run(data_dir: Path, *flags: str):
        return subprocess.run(base + ["--data-dir", str(data_dir), "ingest", str(files["broken"]), "--json", *flags],
                              capture_output=True, text=True, env=CLI_ENV, cwd=PROJECT_ROOT, timeout=300)

    strict = run(strict_dir, "--strict")
    lenient = run(lenient_dir)
    assert strict.returncode == 1, strict.stderr[-2000:]
    assert lenient.returncode == 0, lenient.stderr[-2000:]
    for out, data_dir in ((strict, strict_dir), (lenient, lenient_dir)):
        report = json.loads(out.stdout)
        assert report["papers"] == 2
        assert "4 problem(s) in the corpus files" in out.stderr
        assert f"{files['broken'].resolve()}:2: broken JSON" in out.stderr
        a = open_assistant(data_dir)
        try:
            state = index_state(a)
            assert sorted(p.title for p in state["papers"].values()) == [
                "Robust Retrieval Under Noise", "Sparse Attention for Long Documents"]
            assert_consistent(state)
        finally:
            a.close()


def test_waiting_ingest_names_a_holder_that_writes_its_pid_late(tmp_path):
    """The holder takes the lock a moment before it writes its pid; the waiter must still
    name it rather than 'another process' (this race failed a CI run once)."""
    import fcntl
    import threading

    from assistant.index.ingest import ingest_lock

    tmp_path.mkdir(exist_ok=True)
    lock_file = tmp_path / "ingest.lock"
    holder = open(lock_file, "a+")
    fcntl.flock(holder, fcntl.LOCK_EX)
    messages: list[str] = []

    def write_pid_late_then_release():
        time.sleep(0.3)
        holder.write("pid 424242")
        holder.flush()
        time.sleep(0.2)
        holder.truncate(0)
        fcntl.flock(holder, fcntl.LOCK_UN)

    thread = threading.Thread(target=write_pid_late_then_release)
    thread.start()
    try:
        with ingest_lock(tmp_path / "ingest.lock", messages.append):
            assert lock_file.read_text() == f"pid {os.getpid()}"
    finally:
        thread.join()
        holder.close()
    assert messages == [f"another ingest (pid 424242) is running on {tmp_path}; "
                        "waiting for it to finish…"]
