"""How a paper is stored in the catalog: its row, its digests, and slices of rows to write."""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Iterable, Iterator

from ..corpus import Paper

PAPER_COLUMNS = (
    "paper_id", "title", "abstract", "authors", "published", "year", "date_inferred",
    "listing_date", "upvotes", "url", "arxiv_id", "sources", "author_names",
)
# each paper's content hash (its chunk ids follow it) and a digest of its whole row, read by every
# ingest from this index alone: reading them from the table took 6.4 s at a million papers
DIGEST_INDEX = "CREATE INDEX IF NOT EXISTS papers_digests ON papers(paper_id, content, digest, sources)"
INSERT_PAPER = (f"INSERT OR REPLACE INTO papers ({','.join(PAPER_COLUMNS)}, content, digest) "
                f"VALUES ({','.join('?' * (len(PAPER_COLUMNS) + 2))})")


def paper_row(p: Paper, digests: bool = False) -> tuple:
    row = (
        p.paper_id, p.title, p.abstract, p.authors, p.published, p.year, int(p.date_inferred),
        p.listing_date, p.upvotes, p.url, p.arxiv_id, json.dumps(list(p.sources)), json.dumps(list(p.author_names)),
    )
    return row + (p.content_hash, _row_digest(row)) if digests else row


def _row_digest(row: tuple) -> str:
    return hashlib.sha1(json.dumps(row).encode()).hexdigest()[:16]


def paper_digest(p: Paper) -> str:
    """Changes when anything stored about the paper changes (text, metadata, sources)."""
    return _row_digest(paper_row(p))


def slices(rows: Iterable, size: int = 500) -> Iterator[list]:
    rows = iter(rows)
    while part := list(itertools.islice(rows, size)):
        yield part


def paper_from_row(row: tuple) -> Paper:
    values = dict(zip(PAPER_COLUMNS, row))
    values["sources"] = tuple(json.loads(values["sources"]))
    values["author_names"] = tuple(json.loads(values["author_names"]))
    values["date_inferred"] = bool(values["date_inferred"])
    return Paper(**values)


# A chunk is stored as the span of its paper's abstract it covers (each abstract is stored once, in
# papers); its text only when it is not a span of the abstract, and its embedded text only when it is
# not the title and the passage (embed_text_for, chunking.py).
CHUNKS_TABLE = """CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, paper_id TEXT NOT NULL REFERENCES papers(paper_id),
    idx INTEGER NOT NULL, start INTEGER, stop INTEGER, text TEXT, embed TEXT
)"""
_PASSAGE = "COALESCE(c.text, substr(p.abstract, c.start + 1, c.stop - c.start))"
CHUNK_SELECT = (f"SELECT c.chunk_id, c.paper_id, c.idx, {_PASSAGE}, "
                f"COALESCE(c.embed, p.title || char(10) || char(10) || {_PASSAGE}) "
                "FROM chunks c JOIN papers p ON p.paper_id = c.paper_id")
EMBED_SELECT = (f"SELECT c.chunk_id, COALESCE(c.embed, p.title || char(10) || char(10) || {_PASSAGE}) "
                "FROM chunks c JOIN papers p ON p.paper_id = c.paper_id ORDER BY c.rowid")


def insert_chunks(db, chunks: Iterable) -> Iterator[list]:
    """Insert chunk rows (Chunk, or tuples of its five fields) a slice at a time, each as a span of its
    paper's abstract where it is one (its paper is written first); yields each slice's chunk ids."""
    for part in slices(chunks):
        part = [c if isinstance(c, tuple) else (c.chunk_id, c.paper_id, c.index, c.text, c.embed_text) for c in part]
        ids = list({c[1] for c in part})
        papers = {}
        for lo in range(0, len(ids), 500):
            marks = ",".join("?" * len(ids[lo : lo + 500]))
            papers.update((r[0], r[1:]) for r in db.execute(
                f"SELECT paper_id, title, abstract FROM papers WHERE paper_id IN ({marks})", ids[lo : lo + 500]))
        db.executemany("INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?,?)", (_chunk_row(c, papers.get(c[1])) for c in part))
        yield [c[0] for c in part]


def _chunk_row(chunk: tuple, paper: tuple | None) -> tuple:
    chunk_id, paper_id, index, text, embed = chunk
    title, abstract = paper if paper else (None, "")
    start = abstract.find(text) if text else -1
    span = (start, start + len(text), None) if start >= 0 else (None, None, text)
    return (chunk_id, paper_id, index) + span + (None if embed == f"{title}\n\n{text}" else embed,)


def migrate_chunks(db) -> None:
    """A catalog written by older code, which kept each chunk's passage and embedded text in full,
    is rewritten once to the spans above."""
    if "embed_text" not in {row[1] for row in db.execute("PRAGMA table_info(chunks)")}:
        return
    db.execute("ALTER TABLE chunks RENAME TO chunks_old")
    db.execute(CHUNKS_TABLE)
    for _ in insert_chunks(db, db.execute("SELECT chunk_id, paper_id, idx, text, embed_text FROM chunks_old "
                                          "ORDER BY rowid").fetchall()):
        pass
    db.execute("DROP TABLE chunks_old")
    db.execute("CREATE INDEX IF NOT EXISTS chunks_by_paper ON chunks(paper_id)")
