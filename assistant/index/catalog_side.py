"""The catalog's side tables: saved questions and the support judge's sentence-vector cache.

A mixin of ``Catalog`` (catalog.py): it uses the catalog's connection and transactions."""

from __future__ import annotations

import json


class SideTables:
    # -- saved questions -----------------------------------------------------------
    def add_watch(self, question: str, cited: list[str], version: int, created: str) -> int:
        with self._transaction() as db:
            cursor = db.execute("INSERT INTO watches (question, created, cited, checked_version) VALUES (?,?,?,?)",
                                (question, created, json.dumps(cited), version))
            return int(cursor.lastrowid)

    def watches(self) -> list[tuple[int, str, str, list[str], int]]:
        """(id, question, created, cited paper ids, catalog version last checked) of each saved question."""
        rows = self._db.execute("SELECT id, question, created, cited, checked_version FROM watches ORDER BY id")
        return [(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

    def update_watch(self, watch_id: int, cited: list[str], version: int) -> None:
        with self._transaction() as db:
            db.execute("UPDATE watches SET cited=?, checked_version=? WHERE id=?", (json.dumps(cited), version, watch_id))

    def remove_watch(self, watch_id: int) -> bool:
        with self._transaction() as db:
            return db.execute("DELETE FROM watches WHERE id=?", (watch_id,)).rowcount > 0

    # -- sentence vectors (a cache for the support judge) ------------------------
    def sentence_vectors(self, key: str):
        import numpy as np

        row = self._db.execute("SELECT dim, vectors FROM sentence_vectors WHERE key=?", (key,)).fetchone()
        if row is None:
            return None
        return np.frombuffer(row[1], dtype=np.float32).reshape(-1, row[0])

    def put_sentence_vectors(self, key: str, vectors) -> None:
        import numpy as np

        array = np.ascontiguousarray(vectors, dtype=np.float32)
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO sentence_vectors VALUES (?,?,?)", (key, array.shape[1], array.tobytes()))
