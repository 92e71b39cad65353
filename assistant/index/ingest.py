"""Incremental, idempotent, resumable ingest: corpus files -> chunks -> vectors + catalog.

The vector store is reconciled against the chunks the corpus asks for:

- a chunk id encodes the paper, a hash of its text and the chunking, so an unchanged
  paper keeps its ids and is never embedded again;
- a changed abstract gets new ids: the new chunks are added, the old ones deleted;
- a paper gone from the corpus files leaves the index;
- vectors are added in batches before the catalog is switched over in one
  transaction, and stale vectors are deleted last, so a killed ingest loses nothing
  and the next run picks up where it stopped;
- only the papers whose stored row changed are chunked and written to the catalog
  (``Catalog.apply``; their digests are read from an index), and the lexical index
  follows the chunk ids the catalog records as changed (bm25.py).
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .catalog_rows import paper_digest
from .chunking import Chunk, chunk_papers
from ..layout import BUNDLED_CORPUS
from ..corpus import CorpusIssue, Paper, expand_paths, load_corpus

if TYPE_CHECKING:
    from .catalog import Catalog
    from .embedders import Embedder
    from .vectorstore import VectorStore

BUNDLED = "@bundled"
PAPER_BATCH = 256  # papers chunked at a time: memory stays flat as the corpus grows
HELD_PAPERS = 10_000  # up to this many papers, their chunks are made once and held (a few KB a paper)


class IngestError(RuntimeError):
    """Nothing could be ingested; the index is left as it was."""

    def __init__(self, message: str, issues: list[CorpusIssue]):
        super().__init__(message)
        self.issues = issues


@dataclass
class IngestReport:
    sources: list[str]
    files: list[str]
    papers: int = 0
    chunks: int = 0
    new_papers: int = 0
    changed_papers: int = 0
    removed_papers: int = 0
    embedded_chunks: int = 0
    deleted_chunks: int = 0
    kept_from_failed_sources: int = 0
    seconds: float = 0.0
    issues: list[CorpusIssue] = field(default_factory=list)
    watched: list = field(default_factory=list)  # saved questions answered again after this ingest

    def to_dict(self) -> dict:
        data = dict(self.__dict__)
        data["issues"] = [str(i) for i in self.issues]
        data["watched"] = [w.to_dict() for w in self.watched]
        return data


def source_key(path: Path) -> str:
    resolved = Path(path).expanduser().resolve()
    return BUNDLED if resolved == BUNDLED_CORPUS.resolve() else str(resolved)


def source_path(key: str) -> Path:
    return BUNDLED_CORPUS if key == BUNDLED else Path(key)


def _lock_holder(handle, patience_s: float = 2.0) -> str:
    """Who holds the lock: the holder writes its pid just after taking it, so allow it a moment."""
    deadline = time.monotonic() + patience_s
    while True:
        handle.seek(0)
        text = handle.read().strip()
        if text or time.monotonic() >= deadline:
            return text or "another process"
        time.sleep(0.05)


@contextmanager
def ingest_lock(lock_file: Path, notify: Callable[[str], None]) -> Iterator[None]:
    """Serialise ingests on one data directory (its lock file); a waiting ingest says what it waits for."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _lock_holder(handle)
            notify(f"another ingest ({holder}) is running on {lock_file.parent}; waiting for it to finish…")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_ingest(
    *,
    catalog: "Catalog",
    vectors: "VectorStore",
    embedder: "Embedder",
    chunk_tokens: int,
    chunk_overlap: int,
    paths: list[Path] | None = None,
    rebuild: bool = False,
    batch_size: int = 256,
    progress: bool = True,
    remove: Path | None = None,
) -> IngestReport:
    """Make the index mirror the registered sources plus ``paths`` (only ``paths`` with
    ``rebuild``; without ``remove``, which leaves the sources)."""
    started = time.perf_counter()
    registered = [] if rebuild else catalog.sources()
    if remove is not None:
        key = source_key(remove)
        if key not in registered:
            raise ValueError(f"{remove} is not a registered source; registered: {', '.join(registered) or 'none'}")
        registered = [s for s in registered if s != key]
        if not registered:
            raise ValueError(f"{remove} is the only source; to start over use `ingest --rebuild PATH`")
    added = [source_key(p) for p in paths] if paths else ([] if registered else [BUNDLED])
    sources = list(dict.fromkeys(registered + added))
    load = load_corpus([source_path(s) for s in sources])
    report = IngestReport(sources=sources, files=load.files, issues=load.issues)

    if paths:
        given, _ = expand_paths([source_path(s) for s in added])
        given_files = {str(f) for f in given}
        if not any(given_files.intersection(p.sources) for p in load.papers):
            mine = [i for i in load.issues if i.path in given_files or i.path in {str(source_path(s)) for s in added}]
            raise IngestError("nothing could be ingested from the given files; the index is unchanged", mine or load.issues)

    old = catalog.paper_digests()  # id -> (content hash, row digest, sources): from an index, no abstracts
    # a file that could not be read at all (missing, empty, binary) is not evidence
    # that its papers are gone: keep what was ingested from it before. A file that gave
    # entries was read, whatever else it reports without a line (a title conflict).
    read = {source for p in load.papers for source in p.sources}
    unreadable = {i.path for i in load.issues if i.line is None} - read
    loaded_ids = {p.paper_id for p in load.papers}
    carried_ids = set() if rebuild or not unreadable else {
        pid for pid, (_, _, srcs) in old.items() if pid not in loaded_ids and unreadable.intersection(json.loads(srcs))
    }
    if not load.papers and not carried_ids:
        raise IngestError("nothing could be ingested; the index is unchanged", load.issues)

    # Only the papers that changed are chunked and written (the carried ones stay as stored). All
    # are, when the catalog was made with another chunking (their chunk ids change with it).
    chunking = f"{chunk_tokens}x{chunk_overlap}"
    fresh = rebuild or catalog.get_meta("chunking") != chunking
    upserts = [p for p in load.papers if fresh or p.paper_id not in old or old[p.paper_id][1] != paper_digest(p)]
    removed = [] if rebuild else sorted(set(old) - loaded_ids - carried_ids)

    # Up to HELD_PAPERS changed papers are chunked once and their chunks held for the three passes
    # below (their chunk ids, the embedding, the catalog write). More are streamed: each pass
    # chunks again, batch by batch, and only the set of ids is kept.
    def chunk_batches(selection: list[Paper]) -> Iterator[list[Chunk]]:
        for start in range(0, len(selection), PAPER_BATCH):
            yield chunk_papers(selection[start : start + PAPER_BATCH], chunk_tokens, chunk_overlap)

    held = list(chunk_batches(upserts)) if len(upserts) <= HELD_PAPERS else None

    def all_batches(selection: list[Paper] | None = None) -> Iterator[list[Chunk]]:
        """The chunks of the selected changed papers (all by default); held chunks are all
        given (the embedding pass skips those already stored)."""
        if held is not None:
            return iter(held)
        return chunk_batches(upserts if selection is None else selection)

    if rebuild:
        vectors.reset()
    paper_of: dict[str, str] = {}  # chunk id -> paper id, of the changed papers' chunks
    for batch in all_batches():
        paper_of.update((c.chunk_id, c.paper_id) for c in batch)
    plan = plan_vectors(catalog, vectors, {p.paper_id for p in upserts} | set(removed), set(paper_of), rebuild)
    existing, restore = plan.existing, plan.restore
    missing = [chunk_id for chunk_id in paper_of if chunk_id not in existing]
    needs_embedding = {paper_of[chunk_id] for chunk_id in missing}
    by_id = {p.paper_id: p for p in load.papers}

    def restored() -> Iterator[list[Chunk]]:
        for start in range(0, len(restore), 2000):
            chunks = catalog.chunks(restore[start : start + 2000])
            by_id.update(catalog.papers({c.paper_id for c in chunks} - by_id.keys()))
            yield chunks

    todo = [p for p in upserts if p.paper_id in needs_embedding]
    embedded = _embed_and_add(itertools.chain(all_batches(todo), restored()), len(missing) + len(restore),
                              existing, by_id, vectors, embedder, batch_size, progress)
    if rebuild:
        catalog.replace_all(upserts, itertools.chain.from_iterable(all_batches()), sources, chunking)
    else:
        catalog.apply(upserts, itertools.chain.from_iterable(all_batches()), removed, sources, chunking)
    vectors.delete(plan.stale)

    report.papers, report.chunks = len(load.papers) + len(carried_ids), catalog.counts()[1]
    report.kept_from_failed_sources = len(carried_ids)
    report.new_papers = sum(1 for pid in by_id if pid in loaded_ids and pid not in old)
    report.changed_papers = sum(1 for p in load.papers if p.paper_id in old and old[p.paper_id][0] != p.content_hash)
    report.removed_papers = sum(1 for pid in old if pid not in loaded_ids and pid not in carried_ids)
    report.embedded_chunks, report.deleted_chunks = embedded, len(plan.stale)
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class VectorPlan:
    existing: set[str]  # of the chunks to write, those the vector store has already
    stale: list[str]  # vectors to delete once the catalog is switched over
    restore: list[str]  # chunks the catalog keeps that the vector store lacks: embedded from the catalog


def plan_vectors(catalog: "Catalog", vectors: "VectorStore", touched: set[str], new_ids: set[str],
                 rebuild: bool = False) -> VectorPlan:
    """What the vector store needs, once the papers ``touched`` get the chunks ``new_ids``.

    When the store holds as many chunks as the catalog, they are the catalog's: every ingest ends
    with the two equal, an interrupted one leaves extra vectors, another embedder's new collection
    or a lost store fewer. Then only the new chunk ids are looked up, and the touched papers' old
    chunks are the stale ones (reading every id took 11-14 s and over a gigabyte at a million
    chunks, docs/scale.md). Otherwise every id is read and the two are reconciled."""
    if not rebuild and vectors.count() == catalog.counts()[1]:
        return VectorPlan(vectors.existing(sorted(new_ids)), sorted(catalog.chunk_ids(touched) - new_ids), [])
    existing = vectors.ids()
    kept = set() if rebuild else catalog.chunk_ids() - catalog.chunk_ids(touched)
    restore = sorted(kept - existing)
    kept.update(new_ids)
    return VectorPlan(existing, sorted(existing - kept), restore)


def _embed_and_add(
    batches: Iterator[list[Chunk]],
    total: int,
    existing: set[str],
    papers: dict[str, Paper],
    vectors: "VectorStore",
    embedder: "Embedder",
    batch_size: int,
    progress: bool,
) -> int:
    """Embed and store the chunks not yet in the store, batch_size at a time; the count."""
    if not total:
        return 0
    from tqdm import tqdm

    from .pipeline import BackgroundWriter, prefetch

    done = 0
    pending: list[Chunk] = []
    with tqdm(
        total=total, unit="chunk", desc="embedding", disable=not progress, file=sys.stderr,
        dynamic_ncols=True, mininterval=0.5,
    ) as bar:
        def write(chunks: list[Chunk], embedded: list[list[float]]) -> None:
            vectors.add(chunks, embedded, papers)
            bar.update(len(chunks))

        # the next papers are chunked (prefetch) and the last batch stored (writer) while
        # this batch is embedded: the embedder never waits for parsing or Chroma
        with BackgroundWriter(write) as writer:
            def flush(chunks: list[Chunk]) -> None:
                nonlocal done
                writer.submit(chunks, embedder.embed_documents([c.embed_text for c in chunks]))
                done += len(chunks)

            for batch in prefetch(batches):
                pending.extend(c for c in batch if c.chunk_id not in existing)
                while len(pending) >= batch_size:
                    flush(pending[:batch_size])
                    del pending[:batch_size]
            if pending:
                flush(pending)
    return done
