"""Finding evidence: which sentences of a paper's abstract match a text.

For a text (a question, a claim) and a paper, :class:`EvidenceFinder` ranks the
abstract's sentences by embedding similarity and lexical overlap, and measures how
much of the text's vocabulary the paper uses. Selection (which papers answer) and the
support judge (does a sentence hold) both stand on it. Sentence vectors are cached in
memory and, through the catalog, on disk.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

from ..text.sentences import Sentence, split_sentences

if TYPE_CHECKING:
    from ..corpus import Paper
    from ..index.catalog import Catalog
    from ..index.embedders import Embedder


@dataclass(frozen=True)
class SentenceMatch:
    sentence: Sentence
    similarity: float
    overlap: float  # share of the text's content words found in the sentence

    @property
    def score(self) -> float:
        return self.similarity + 0.5 * self.overlap


def content_terms(text: str) -> set[str]:
    """The text's content words: stemmed, without stop words (BM25's tokenizer)."""
    from ..index.bm25 import tokenize

    return set(tokenize([text])[0])


class EvidenceFinder:
    def __init__(self, embedder: "Embedder", store: "Catalog | None" = None, cache_size: int = 4096):
        self.embedder = embedder
        self.store = store  # persists sentence vectors across processes
        self._cache: OrderedDict[str, tuple[list[Sentence], np.ndarray, list[set[str]]]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def sentences(self, paper: "Paper") -> tuple[list[Sentence], np.ndarray, list[set[str]]]:
        """The abstract's sentences, their vectors and their content words."""
        key = f"{paper.paper_id}:{paper.content_hash}"
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        sentences = split_sentences(paper.abstract) or [Sentence(paper.abstract, 0, len(paper.abstract))]
        stored_key = f"{key}:{self.embedder.name}"
        vectors = self.store.sentence_vectors(stored_key) if self.store else None
        if vectors is None or len(vectors) != len(sentences):
            vectors = np.asarray(self.embedder.embed_documents([s.text for s in sentences]), dtype=np.float32)
            if self.store:
                self.store.put_sentence_vectors(stored_key, vectors)
        terms = [content_terms(s.text) for s in sentences]
        with self._lock:
            self._cache[key] = (sentences, vectors, terms)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return sentences, vectors, terms

    def query_vector(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed_query(text), dtype=np.float32)

    def rank(self, text: str, paper: "Paper", vector: np.ndarray | None = None,
             ignore: frozenset[str] = frozenset()) -> list[SentenceMatch]:
        """The abstract's sentences, best match for ``text`` first; overlap leaves out ``ignore``d terms."""
        sentences, vectors, terms = self.sentences(paper)
        if vector is None:
            vector = self.query_vector(text)
        sims = vectors @ vector / (np.linalg.norm(vectors, axis=1) * (np.linalg.norm(vector) or 1.0) + 1e-9)
        wanted = content_terms(text) - ignore
        matches = [
            SentenceMatch(s, float(sim), len(wanted & t) / len(wanted) if wanted else 0.0)
            for s, sim, t in zip(sentences, sims, terms)
        ]
        return sorted(matches, key=lambda m: -m.score)

    def known_terms(self, paper: "Paper") -> set[str]:
        _, _, terms = self.sentences(paper)
        return set().union(*terms, content_terms(paper.title))

    def novel_terms(self, text: str, paper: "Paper") -> tuple[set[str], int]:
        """The text's content words that the paper's title and abstract never use, and how many it has."""
        wanted = content_terms(text)
        return wanted - self.known_terms(paper), len(wanted)

    def coverage(self, text: str, paper: "Paper", weight: Callable[[str], float]) -> float:
        """Weighted share of the text's content words that the paper's title or abstract uses."""
        wanted = content_terms(text)
        if not wanted:
            return 0.0
        total = sum(weight(t) for t in wanted) or 1.0
        return sum(weight(t) for t in wanted & self.known_terms(paper)) / total

    def grounding(self, text: str, paper: "Paper") -> float:
        """Share of the text's content words found anywhere in the title or abstract."""
        novel, total = self.novel_terms(text, paper)
        return 1.0 - len(novel) / total if total else 0.0
