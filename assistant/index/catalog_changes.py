"""Incremental writes to the catalog: an ingest inserts, replaces and deletes only the papers that
changed, and records which chunk ids left and came, for the lexical index to follow (bm25.py).

A mixin of ``Catalog`` (catalog.py): it uses the catalog's connection and transactions."""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from .chunking import Chunk
    from ..corpus import Paper

KEEP_CHANGES = 50  # versions whose chunk changes are kept for the lexical index to catch up
DELTA_LIMIT = 200_000  # a change of more chunks than this is not recorded: the lexical index is rebuilt


class IncrementalWrites:
    def apply(self, papers: Iterable["Paper"], chunks: Iterable["Chunk"], removed: Iterable[str],
              sources: Iterable[str], chunking: str | None = None) -> None:
        """Insert or replace these papers, with exactly these chunks, and delete the removed papers,
        in one transaction (an interrupted ingest leaves the previous version). The other papers are
        not touched. The chunk ids that left and came are recorded under the new version, for the
        lexical index to catch up (bm25.py). The iterables are consumed row by row."""
        from .catalog_rows import INSERT_PAPER, insert_chunks, paper_row, slices

        version = self.version + 1
        left: set[str] = set()
        came: set[str] = set()
        with self._transaction() as db:
            for part in slices(itertools.chain(((p.paper_id, p) for p in papers), ((pid, None) for pid in removed))):
                ids = [pid for pid, _ in part]
                marks = ",".join("?" * len(ids))
                left.update(r[0] for r in db.execute(f"SELECT chunk_id FROM chunks WHERE paper_id IN ({marks})", ids))
                db.execute(f"DELETE FROM chunks WHERE paper_id IN ({marks})", ids)
                db.execute(f"DELETE FROM papers WHERE paper_id IN ({marks})", ids)
                db.executemany(INSERT_PAPER, (paper_row(p, digests=True) for _, p in part if p is not None))
            for ids in insert_chunks(db, chunks):
                came.update(ids)
            sources = list(dict.fromkeys(sources))
            if sources != [r[0] for r in db.execute("SELECT path FROM sources ORDER BY rowid")]:
                db.execute("DELETE FROM sources")
                db.executemany("INSERT INTO sources VALUES (?)", [(s,) for s in sources])
            gone, new = sorted(left - came), sorted(came - left)
            if len(gone) + len(new) <= DELTA_LIMIT:
                db.execute("INSERT OR REPLACE INTO changes VALUES (?,?,?)", (version, json.dumps(gone), json.dumps(new)))
            db.execute("DELETE FROM changes WHERE version <= ?", (version - KEEP_CHANGES,))
            self._stamp(db, version, chunking)
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()  # as after replace_all (catalog.py)

    def changes_since(self, version: int, upto: int) -> tuple[set[str], set[str]] | None:
        """The chunk ids that left and came after ``version`` up to ``upto`` (a later change of a
        chunk wins), or None when a version between is not recorded (written whole, or too long ago)."""
        rows = self._db.execute("SELECT version, removed, added FROM changes WHERE version > ? AND version <= ? "
                                "ORDER BY version", (version, upto)).fetchall()
        if [r[0] for r in rows] != list(range(version + 1, upto + 1)):
            return None
        left: set[str] = set()
        came: set[str] = set()
        for _, removed, added in rows:
            removed, added = set(json.loads(removed)), set(json.loads(added))
            left, came = (left - added) | removed, (came - removed) | added
        return left, came
