"""A BM25 index over chunk texts (bm25s), built once per catalog version and kept on disk.

It is never rebuilt per query: it is loaded from disk when its stamp matches the
catalog version, and rebuilt (then saved) only after the catalog changed.
"""

from __future__ import annotations

import itertools
import json
import shutil
import threading
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    from .catalog import Catalog


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: str
    score: float


@lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer  # PyStemmer
    except ImportError:  # bm25s works without stemming, only a little worse
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


class BM25Index:
    def __init__(self, retriever, chunk_ids: list[str], version: int):
        self.retriever = retriever
        self.chunk_ids = chunk_ids
        self.version = version
        self._df = None

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str]], version: int, batch: int = 2000) -> "BM25Index":
        """Index (chunk_id, text) rows, read and tokenized a batch at a time. Each chunk is
        kept as a compact array of token ids rather than a list of token strings, which
        more than halves the peak memory of building over a large corpus."""
        import bm25s

        vocab: dict[str, int] = {}
        chunk_ids: list[str] = []
        token_ids: list[array] = []
        rows = iter(rows)
        while part := list(itertools.islice(rows, batch)):
            chunk_ids.extend(chunk_id for chunk_id, _ in part)
            for tokens in tokenize([text for _, text in part]):
                token_ids.append(array("i", (vocab.setdefault(t, len(vocab)) for t in tokens)))
        retriever = bm25s.BM25()
        if token_ids:
            retriever.index((token_ids, vocab), show_progress=False)
        return cls(retriever, chunk_ids, version)

    def save(self, folder: Path) -> None:
        """Write a complete copy beside the old one, then swap it in (each writer its own temp folder)."""
        import os

        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{id(self)}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        if self.chunk_ids:
            self.retriever.save(str(tmp))
        (tmp / "chunk_ids.json").write_text(json.dumps({"version": self.version, "ids": self.chunk_ids}))
        old = folder.with_name(f"{folder.name}.old-{os.getpid()}-{id(self)}")
        try:
            folder.rename(old)
        except FileNotFoundError:
            old = None
        try:
            tmp.rename(folder)
        except OSError:  # another writer swapped in its copy first: it is as good as ours
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path, version: int) -> "BM25Index | None":
        """The saved index, or None when it is missing, unreadable or stale."""
        import bm25s

        try:
            stamp = json.loads((folder / "chunk_ids.json").read_text())
            if stamp["version"] != version:
                return None
            retriever = bm25s.BM25.load(str(folder)) if stamp["ids"] else bm25s.BM25()
        except (OSError, ValueError, KeyError):
            return None
        return cls(retriever, stamp["ids"], version)

    def idf(self, term: str) -> float:
        """Inverse document frequency of a (stemmed) term over the chunks; rare terms weigh more."""
        import math

        if self._df is None:
            import numpy as np

            indptr = self.retriever.scores.get("indptr") if self.chunk_ids else None
            self._df = np.diff(indptr) if indptr is not None else np.zeros(0)
        index = self.retriever.vocab_dict.get(term) if self.chunk_ids else None
        df = int(self._df[index]) if index is not None and index < len(self._df) else 0
        n = max(1, len(self.chunk_ids))
        return math.log((n + 1) / (df + 0.5))

    def search(self, query: str, n: int) -> list[LexicalHit]:
        if not self.chunk_ids:
            return []
        tokens = tokenize([query])
        if not tokens or not tokens[0]:
            return []
        noise = _noise_tokens()
        known = [t for t in tokens[0] if t in self.retriever.vocab_dict and t not in noise]
        if not known:
            return []
        import numpy as np

        # the top n among the chunks that score at all (bm25s's retrieve partitions every chunk's
        # score, which grew to most of a search's time at a million chunks in the scale simulation);
        # equal scores in chunk order
        scores = self.retriever.get_scores(known)
        found = np.flatnonzero(scores > 0)
        if len(found) > n:
            found = found[np.argpartition(-scores[found], n - 1)[:n]]
        found = found[np.lexsort((found, -scores[found]))]
        return [LexicalHit(self.chunk_ids[int(doc)], float(scores[doc])) for doc in found]


class BM25Store:
    """The BM25 index of the catalog's current version: from memory, from disk, or built once."""

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
                index = BM25Index.build(self.catalog.iter_embed_texts(), version)
                index.save(self.folder)
            self._index = index
            return index

    def idf(self, term: str) -> float:
        return self.current().idf(term)
