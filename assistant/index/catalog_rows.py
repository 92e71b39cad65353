"""How a paper is stored in the catalog: its row, its digests, and slices of rows to write."""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Iterable, Iterator

from ..corpus import Paper

PAPER_COLUMNS = (
    "paper_id", "title", "abstract", "authors", "published", "year", "date_inferred",
    "listing_date", "upvotes", "url", "arxiv_id", "sources",
)
# each paper's content hash (its chunk ids follow it) and a digest of its whole row, read by every
# ingest from this index alone: reading them from the table took 6.4 s at a million papers
DIGEST_INDEX = "CREATE INDEX IF NOT EXISTS papers_digests ON papers(paper_id, content, digest, sources)"
INSERT_PAPER = (f"INSERT OR REPLACE INTO papers ({','.join(PAPER_COLUMNS)}, content, digest) "
                f"VALUES ({','.join('?' * (len(PAPER_COLUMNS) + 2))})")


def paper_row(p: Paper, digests: bool = False) -> tuple:
    row = (
        p.paper_id, p.title, p.abstract, p.authors, p.published, p.year, int(p.date_inferred),
        p.listing_date, p.upvotes, p.url, p.arxiv_id, json.dumps(list(p.sources)),
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
    values["date_inferred"] = bool(values["date_inferred"])
    return Paper(**values)
