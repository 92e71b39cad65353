"""A BM25 index over chunk texts (tantivy: segments on disk, memory-mapped), kept beside the catalog
and updated in place when it changes.

Texts are tokenized here as before (bm25s's tokenizer: English stop words, Snowball stems), and
tantivy indexes the tokens as they are, so the terms are the same; tantivy scores them with BM25
(k1 1.2, b 0.75). A stamp file names the catalog version the index holds. When the catalog moves
on, the index follows its recorded changes (the chunk ids that left and came; catalog_changes.py):
only those chunks are deleted and added. When a version between was not recorded (written
whole, or long ago) the index is built again beside the old one and swapped in. Writers take
a lock file, so an ingest and a running assistant never write at once; an interrupted update
leaves the old stamp, and the next reader applies the same changes again (deletes, then adds).
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

if TYPE_CHECKING:
    from .catalog import Catalog

STAMP = "stamp.json"
_HEAP_BYTES = 256 * 2**20  # tantivy's indexing buffer: a segment is written when it fills
_FIELDS = ("chunk_id", "text")


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: str
    score: float


@lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer  # PyStemmer
    except ImportError:  # works without stemming, only a little worse
        return None
    return Stemmer.Stemmer("english")


# words of a question about papers that say nothing about the topic
_QUERY_NOISE = ("paper", "papers", "study", "studies", "work", "works", "article", "articles", "research")


@lru_cache(maxsize=1)
def _noise_tokens() -> frozenset[str]:
    return frozenset(t for tokens in tokenize(list(_QUERY_NOISE)) for t in tokens)


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    import bm25s

    return bm25s.tokenize(list(texts), stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)


@lru_cache(maxsize=1)
def _schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("chunk_id", stored=True, tokenizer_name="raw", index_option="basic")
    # the tokens are made above and joined by spaces; term frequencies, no positions (no phrases)
    builder.add_text_field("text", tokenizer_name="whitespace", index_option="freq")
    return builder.build()


def _add(writer, rows: Iterable[tuple[str, str]], batch: int = 2000) -> int:
    """Tokenize and add (chunk_id, text) rows, a batch at a time; the count."""
    import tantivy

    added = 0
    rows = iter(rows)
    while part := list(itertools.islice(rows, batch)):
        for (chunk_id, _), tokens in zip(part, tokenize([text for _, text in part])):
            writer.add_document(tantivy.Document(chunk_id=chunk_id, text=" ".join(tokens)))
        added += len(part)
    return added


def read_stamp(folder: Path) -> int | None:
    try:
        return int(json.loads((folder / STAMP).read_text())["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_stamp(folder: Path, version: int) -> None:
    tmp = folder / f"{STAMP}.tmp-{os.getpid()}"
    tmp.write_text(json.dumps({"version": version, "engine": "tantivy"}))
    os.replace(tmp, folder / STAMP)


@contextmanager
def _writing(folder: Path) -> Iterator[None]:
    """One writer of this index at a time, across processes (a lock file beside the folder)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.with_name(f"{folder.name}.lock"), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class BM25Index:
    """The index in ``folder`` as of catalog version ``version``, open for searching."""

    def __init__(self, folder: Path, version: int):
        import tantivy

        self.folder, self.version = folder, version
        self._index = tantivy.Index.open(str(folder))
        self._searcher = self._index.searcher()
        self._schema = self._index.schema

    @property
    def size(self) -> int:
        """How many chunks it holds."""
        return self._searcher.num_docs

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str]], version: int, folder: Path) -> "BM25Index":
        """Index (chunk_id, text) rows into a new folder beside ``folder``, then swap it in (a reader
        of the old one keeps its mapped files; each writer builds in a temp folder of its own)."""
        import tantivy

        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        writer = tantivy.Index(_schema(), path=str(tmp), reuse=False).writer(_HEAP_BYTES, num_threads=1)
        _add(writer, rows)
        writer.commit()
        writer.wait_merging_threads()
        _write_stamp(tmp, version)
        old = folder.with_name(f"{folder.name}.old-{os.getpid()}-{threading.get_ident()}")
        try:
            folder.rename(old)
        except FileNotFoundError:
            old = None
        tmp.rename(folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return cls(folder, version)

    @classmethod
    def load(cls, folder: Path, version: int) -> "BM25Index | None":
        """The saved index, or None when it is missing, unreadable or of another version."""
        if read_stamp(folder) != version:
            return None
        try:
            return cls(folder, version)
        except (OSError, ValueError):
            return None

    @classmethod
    def follow(cls, folder: Path, catalog: "Catalog", target: int) -> "BM25Index | None":
        """Bring the saved index to catalog version ``target`` by the catalog's recorded changes;
        None when the index is missing or a change between is not recorded (build it instead)."""
        import tantivy

        since = read_stamp(folder)
        changes = catalog.changes_since(since, target) if since is not None and since < target else None
        if changes is None:
            return None
        left, came = changes
        try:
            writer = tantivy.Index.open(str(folder)).writer(_HEAP_BYTES, num_threads=1)
        except (OSError, ValueError):
            return None
        for chunk_id in sorted(left | came):  # the chunks that came are deleted too: adding twice is safe
            writer.delete_documents_by_term("chunk_id", chunk_id)
        _add(writer, ((c.chunk_id, c.embed_text) for c in catalog.chunks(sorted(came))))
        writer.commit()
        writer.wait_merging_threads()
        _write_stamp(folder, target)
        return cls(folder, target)

    def idf(self, term: str) -> float:
        """Inverse document frequency of a (stemmed) term over the chunks; rare terms weigh more."""
        import math

        df = self._searcher.doc_freq("text", term) if term else 0
        n = max(1, self.size)
        return math.log((n + 1) / (df + 0.5))

    def search(self, query: str, n: int) -> list[LexicalHit]:
        tokens = tokenize([query])
        if not self.size or not tokens or not tokens[0]:
            return []
        noise = _noise_tokens()
        terms = [t for t in tokens[0] if t not in noise]
        if not terms:
            return []
        import tantivy

        clauses = [(tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "text", t, index_option="freq"))
                   for t in terms]
        found = self._searcher.search(tantivy.Query.boolean_query(clauses), n, count=False).hits
        doc = self._searcher.doc
        return [LexicalHit(doc(address)["chunk_id"][0], float(score)) for score, address in found if score > 0]


class BM25Store:
    """The BM25 index of the catalog's current version: from memory, from disk (brought up to date
    by the catalog's recorded changes), or built once."""

    def __init__(self, folder: Path, catalog: "Catalog"):
        self.folder = folder
        self.catalog = catalog
        self._index: BM25Index | None = None
        self._lock = threading.Lock()

    def current(self) -> BM25Index:
        with self._lock:
            version = self.catalog.version
            if self._index is not None and self._index.version == version:
                return self._index
            index = BM25Index.load(self.folder, version)
            if index is None:
                with _writing(self.folder):  # another process may have done it while this one waited
                    index = BM25Index.load(self.folder, version) or BM25Index.follow(self.folder, self.catalog, version)
                    if index is None:
                        index = BM25Index.build(self.catalog.iter_embed_texts(), version, self.folder)
            self._index = index
            return index

    def idf(self, term: str) -> float:
        return self.current().idf(term)
