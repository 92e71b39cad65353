"""The offline support judge: does a paper's abstract back a sentence?

For a claim and an abstract it finds the best-matching abstract sentence by
embedding similarity and lexical overlap, and returns that sentence as the verbatim
evidence quote with a verdict: ``supported``, ``weak`` or ``unsupported``. The
thresholds are fitted on the eval set's dev split (``scripts/calibrate.py``; docs/eval.md).
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

from .numbers import check_numbers
from ..text.sentences import Sentence, split_sentences

if TYPE_CHECKING:
    from ..index.catalog import Catalog
    from ..corpus import Paper
    from ..index.embedders import Embedder

SUPPORTED, WEAK, UNSUPPORTED = "supported", "weak", "unsupported"
EVIDENCE_SENTENCES = 2  # a claim may merge two sentences of its abstract
_RANK = {SUPPORTED: 2, WEAK: 1, UNSUPPORTED: 0}


@dataclass(frozen=True)
class SupportThresholds:
    # fitted on the eval's dev split by scripts/calibrate.py ("support")
    supported_similarity: float = 0.60
    supported_overlap: float = 0.20  # share of the claim's content words found in the sentence
    supported_overlap_similarity: float = 0.50  # the overlap route also needs this similarity
    weak_similarity: float = 0.38
    # words the paper never uses are claims it does not make ("... using RLHF" about a paper
    # without RLHF): a supported claim has at most this many content words foreign to the
    # title and abstract (or this share of its words, if larger)
    max_novel_words: int = 2
    max_novel_share: float = 0.15


def is_degenerate(text: str, min_words: int = 12, max_repeats: int = 3) -> bool:
    """A sentence in which one three-word phrase comes back more than max_repeats times."""
    words = re.findall(r"\w+", text.lower())
    if len(words) < min_words:
        return False
    return max(Counter(zip(words, words[1:], words[2:])).values()) > max_repeats


@dataclass(frozen=True)
class SentenceMatch:
    sentence: Sentence
    similarity: float
    overlap: float

    @property
    def score(self) -> float:
        return self.similarity + 0.5 * self.overlap


@dataclass(frozen=True)
class Verdict:
    support: str
    evidence: str  # a verbatim sentence of the abstract
    similarity: float
    overlap: float
    grounding: float  # share of the claim's content words found anywhere in the title or abstract
    number_problems: tuple[str, ...] = ()  # numbers changed, invented or re-paired (numbers.py)


def weakest(verdicts: list[str]) -> str:
    return min(verdicts, key=_RANK.__getitem__) if verdicts else UNSUPPORTED


def content_terms(text: str) -> set[str]:
    from ..index.bm25 import tokenize  # stemmed, without stop words

    return set(tokenize([text])[0])


class SupportJudge:
    def __init__(
        self, embedder: "Embedder", thresholds: SupportThresholds | None = None, cache_size: int = 4096,
        store: "Catalog | None" = None,
    ):
        self.embedder = embedder
        self.store = store  # persists sentence vectors across processes
        self.thresholds = thresholds or SupportThresholds()
        self._cache: OrderedDict[str, tuple[list[Sentence], np.ndarray, list[set[str]]]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def _sentences(self, paper: "Paper") -> tuple[list[Sentence], np.ndarray, list[set[str]]]:
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

    def rank(self, text: str, paper: "Paper", vector: np.ndarray | None = None) -> list[SentenceMatch]:
        """The abstract's sentences, best match for ``text`` first."""
        sentences, vectors, terms = self._sentences(paper)
        if vector is None:
            vector = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
        sims = vectors @ vector / (np.linalg.norm(vectors, axis=1) * (np.linalg.norm(vector) or 1.0) + 1e-9)
        wanted = content_terms(text)
        matches = [
            SentenceMatch(s, float(sim), len(wanted & t) / len(wanted) if wanted else 0.0)
            for s, sim, t in zip(sentences, sims, terms)
        ]
        return sorted(matches, key=lambda m: -m.score)

    def novel_terms(self, claim: str, paper: "Paper") -> tuple[set[str], int]:
        """The claim's content words that the paper's title and abstract never use, and how many it has."""
        wanted = content_terms(claim)
        _, _, terms = self._sentences(paper)
        known = set().union(*terms, content_terms(paper.title))
        return wanted - known, len(wanted)

    def coverage(self, text: str, paper: "Paper", weight: Callable[[str], float]) -> float:
        """Weighted share of the text's content words that the paper's title or abstract uses."""
        wanted = content_terms(text)
        if not wanted:
            return 0.0
        _, _, terms = self._sentences(paper)
        known = set().union(*terms, content_terms(paper.title))
        total = sum(weight(t) for t in wanted) or 1.0
        return sum(weight(t) for t in wanted & known) / total

    def grounding(self, claim: str, paper: "Paper") -> float:
        novel, total = self.novel_terms(claim, paper)
        return 1.0 - len(novel) / total if total else 0.0

    def judge(self, claim: str, paper: "Paper") -> Verdict:
        ranked = self.rank(claim, paper)
        best = ranked[0]
        # every number of the claim must be in its evidence (the two best-matching sentences), paired alike
        numbers = check_numbers(claim, [m.sentence.text for m in ranked[:EVIDENCE_SENTENCES]])
        novel, total = self.novel_terms(claim, paper)
        grounding = 1.0 - len(novel) / total if total else 0.0
        t = self.thresholds
        if is_degenerate(claim) or not numbers.ok:  # a looping model claims nothing; a changed number is wrong
            support = UNSUPPORTED
        elif not total or len(novel) > max(t.max_novel_words, int(t.max_novel_share * total)):
            support = WEAK if best.similarity >= t.weak_similarity else UNSUPPORTED
        elif best.similarity >= t.supported_similarity or (
            best.overlap >= t.supported_overlap and best.similarity >= t.supported_overlap_similarity
        ):
            support = SUPPORTED
        elif best.similarity >= t.weak_similarity:
            support = WEAK
        else:
            support = UNSUPPORTED
        return Verdict(support, best.sentence.text, best.similarity, best.overlap, grounding, tuple(numbers.problems))
