"""The catalog: papers, chunks, registered corpus sources and saved questions in one SQLite file.

Chroma holds the vectors; the catalog holds the text and metadata that retrieval,
BM25 and answers read. It is written in a single transaction after the vectors are
in place, so an interrupted ingest leaves the previous catalog intact.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .catalog_changes import IncrementalWrites
from .catalog_rows import (CHUNK_SELECT, CHUNKS_TABLE, DIGEST_INDEX, EMBED_SELECT, INSERT_PAPER, PAPER_COLUMNS,
                           insert_chunks, migrate_chunks, paper_digest, paper_from_row, paper_row)
from .catalog_side import SideTables
from .chunking import Chunk
from ..corpus import Paper

_SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    paper_id TEXT PRIMARY KEY, title TEXT NOT NULL, abstract TEXT NOT NULL,
    authors INTEGER, published TEXT, year INTEGER, date_inferred INTEGER NOT NULL DEFAULT 0,
    listing_date TEXT, upvotes INTEGER, url TEXT, arxiv_id TEXT, sources TEXT NOT NULL,
    content TEXT, digest TEXT, author_names TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS chunks_by_paper ON chunks(paper_id);
CREATE INDEX IF NOT EXISTS papers_by_year ON papers(year);
CREATE TABLE IF NOT EXISTS sources (path TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS watches (
    id INTEGER PRIMARY KEY AUTOINCREMENT, question TEXT NOT NULL UNIQUE, created TEXT NOT NULL,
    cited TEXT NOT NULL, checked_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS changes (version INTEGER PRIMARY KEY, removed TEXT NOT NULL, added TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sentence_vectors (
    key TEXT PRIMARY KEY, dim INTEGER NOT NULL, vectors BLOB NOT NULL
);
"""

_BUSY_SECONDS = 30.0
_WAL_KEEP_BYTES = 64 * 2**20  # a checkpointed write-ahead log is cut back to this (else it keeps its largest size)


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch a new catalog file to write-ahead logging. The switch takes an exclusive lock and
    SQLite does not wait for it (its busy timeout does not apply), so when two processes open a
    fresh data directory at once one of them retries here instead of failing "database is locked"."""
    deadline = time.monotonic() + _BUSY_SECONDS
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


class Catalog(SideTables, IncrementalWrites):
    """One SQLite connection per thread (the web page serves several users at once)."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._db.executescript(CHUNKS_TABLE + ";\n" + _SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """A catalog written by older code gets the digest columns, filled once, and their index,
        and its chunks as spans of the abstracts (catalog_rows.py)."""
        db = self._db
        columns = {row[1] for row in db.execute("PRAGMA table_info(papers)")}
        with self._transaction():
            migrate_chunks(db)
            if "author_names" not in columns:  # a catalog from before author names were kept: none for each
                db.execute("ALTER TABLE papers ADD COLUMN author_names TEXT NOT NULL DEFAULT '[]'")
            if "digest" not in columns:  # filled once here (every writer fills them since)
                db.execute("ALTER TABLE papers ADD COLUMN content TEXT")
                db.execute("ALTER TABLE papers ADD COLUMN digest TEXT")
                rows = db.execute(f"SELECT {','.join(PAPER_COLUMNS)} FROM papers").fetchall()
                db.executemany("UPDATE papers SET content=?, digest=? WHERE paper_id=?",
                               ((p.content_hash, paper_digest(p), p.paper_id) for p in map(paper_from_row, rows)))
            db.execute(DIGEST_INDEX)

    @property
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=_BUSY_SECONDS)
            _use_wal(db)
            db.execute(f"PRAGMA journal_size_limit = {_WAL_KEEP_BYTES}")
            # a search reads a few rows at random (candidate ids, best chunks, papers): mapped
            # pages are read without a system call each (not measured on its own)
            db.execute("PRAGMA mmap_size=1073741824")
            self._local.db = db
            with self._all_lock:
                self._all.append(db)
        return db

    def close(self) -> None:
        with self._all_lock:
            for db in self._all:
                db.close()
            self._all.clear()
        self._local = threading.local()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db:  # commits, or rolls back on error
            yield self._db

    # -- sources -------------------------------------------------------------
    def sources(self) -> list[str]:
        """In the order they were registered: on a title conflict the first file wins, and it
        must stay the same file on every re-ingest (not whichever path sorts first)."""
        return [row[0] for row in self._db.execute("SELECT path FROM sources ORDER BY rowid")]

    # -- papers and chunks ---------------------------------------------------
    def replace_all(self, papers: Iterable[Paper], chunks: Iterable[Chunk], sources: Iterable[str],
                    chunking: str | None = None) -> None:
        """Make the catalog hold exactly these papers, chunks and sources, atomically.
        The iterables are consumed row by row (ingest streams its chunks in here)."""
        version = int(self.get_meta("version") or 0) + 1
        with self._transaction() as db:
            db.execute("DELETE FROM chunks")
            db.execute("DELETE FROM papers")
            db.execute("DELETE FROM sources")
            db.execute("DELETE FROM changes")  # a lexical index older than this version is rebuilt
            db.executemany(INSERT_PAPER, (paper_row(p, digests=True) for p in papers))
            for _ in insert_chunks(db, chunks):
                pass
            db.executemany("INSERT INTO sources VALUES (?)", [(s,) for s in dict.fromkeys(sources)])
            self._stamp(db, version, chunking)
        # the whole catalog went through the write-ahead log (6 GB at a million papers): copy it into
        # the database now and cut the log back, rather than leave it at that size while the catalog
        # stays open (a reader still in the log makes this a no-op; journal_size_limit cuts it later)
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()

    def _stamp(self, db: sqlite3.Connection, version: int, chunking: str | None) -> None:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (str(version),))
        counted = [db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in ("papers", "chunks")]
        db.execute("INSERT OR REPLACE INTO meta VALUES ('counts', ?)", (f"{version} {counted[0]} {counted[1]}",))
        if chunking is not None:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('chunking', ?)", (chunking,))

    def clear(self) -> None:
        self.replace_all([], [], [])

    def papers(self, paper_ids: Iterable[str] | None = None) -> dict[str, Paper]:
        rows = self._select(f"SELECT {','.join(PAPER_COLUMNS)} FROM papers", "paper_id", paper_ids)
        return {row[0]: paper_from_row(row) for row in rows}

    def paper_digests(self) -> dict[str, tuple[str, str, str]]:
        """paper_id -> (content hash, digest of the whole row, sources as JSON), from their index
        alone (no abstract is read)."""
        rows = self._db.execute("SELECT paper_id, content, digest, sources FROM papers INDEXED BY papers_digests")
        return {row[0]: row[1:] for row in rows}

    def chunk_ids(self, paper_ids: Iterable[str] | None = None) -> set[str]:
        """The ids of all chunks, or of these papers' chunks, from the indexes (no text read)."""
        if paper_ids is None:
            return {row[0] for row in self._db.execute("SELECT chunk_id FROM chunks")}
        return {r[0] for r in self._select("SELECT chunk_id FROM chunks", "paper_id", paper_ids)}

    def iter_embed_texts(self) -> Iterator[tuple[str, str]]:
        """(chunk_id, embed_text) of every chunk, streamed from one consistent read."""
        yield from self._db.execute(EMBED_SELECT)

    def chunks_of_papers(self, paper_ids: Iterable[str]) -> list[Chunk]:
        return self._chunks("paper_id", paper_ids)

    def chunks(self, chunk_ids: Iterable[str] | None = None) -> list[Chunk]:
        return self._chunks("chunk_id", chunk_ids)

    def existing_chunks(self, chunk_ids: Iterable[str]) -> set[str]:
        """Those of the chunk ids the catalog has (read from the key's index, no text)."""
        return {r[0] for r in self._select("SELECT chunk_id FROM chunks", "chunk_id", chunk_ids)}

    def _chunks(self, key: str, ids: Iterable[str] | None) -> list[Chunk]:
        rows = self._select(CHUNK_SELECT, f"c.{key}", ids, order="c.rowid")
        return [Chunk(chunk_id=r[0], paper_id=r[1], index=r[2], text=r[3], embed_text=r[4]) for r in rows]

    def _select(self, sql: str, key: str, ids: Iterable[str] | None, order: str = "rowid") -> list[tuple]:
        """All rows, or the rows whose key is in ids (queried in slices under SQLite's limit)."""
        if ids is None:
            return list(self._db.execute(f"{sql} ORDER BY {order}"))
        wanted = list(dict.fromkeys(ids))
        rows: list[tuple] = []
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            rows.extend(self._db.execute(f"{sql} WHERE {key} IN ({','.join('?' * len(part))})", part))
        return rows

    def counts(self) -> tuple[int, int]:
        """(papers, chunks), as counted when this version was written: every search asks, and
        counting the rows took 17 ms a search at a million papers (docs/scale.md)."""
        rows = self._db.execute("SELECT key, value FROM meta WHERE key IN ('version', 'counts')").fetchall()
        meta = dict(rows)
        stamped = meta.get("counts", "").split()
        if len(stamped) == 3 and stamped[0] == meta.get("version"):
            return int(stamped[1]), int(stamped[2])
        papers = self._db.execute("SELECT COUNT(*) FROM papers").fetchone()[0]  # written by older code
        chunks = self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return papers, chunks

    def year_span(self) -> tuple[int | None, int]:
        """The newest publication year, and how many papers have no date. Every search asks,
        so both are read from the year index: one query scanning the papers table took 690 ms
        a search at a million papers (docs/scale.md)."""
        newest = self._db.execute("SELECT MAX(year) FROM papers").fetchone()[0]
        undated = self._db.execute("SELECT COUNT(*) FROM papers WHERE year IS NULL").fetchone()[0]
        return newest, int(undated or 0)

    def papers_of_source(self, path: str) -> set[str]:
        """The ids of the papers read from this file (or from files under this folder)."""
        found = set()
        for paper_id, sources in self._db.execute("SELECT paper_id, sources FROM papers INDEXED BY papers_digests"):
            if any(s == path or s.startswith(path.rstrip("/") + "/") for s in json.loads(sources)):
                found.add(paper_id)
        return found

    # -- meta ----------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def version(self) -> int:
        return int(self.get_meta("version") or 0)
