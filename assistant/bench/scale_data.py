"""A simulated corpus for the scale benchmark (scale.py): papers with pre-made vectors, no model.

Embedding a million abstracts would take days on two cores, so the papers come with their
vectors. A ``World`` (one seed) fixes 40 research areas and 3,000 topics: unit centroids in
384 dimensions (MiniLM's), a topic near its area's centroid, topics of Zipf-like popularity.
Paper i has a topic, a vector ``normalise(topic centroid + noise)`` and a text drawn from
words of five kinds: English function words, a general scientific vocabulary, its area's
and its topic's words (each with Zipf-like frequencies) and a long tail of rare words, so
BM25 sees realistic document frequencies and a vocabulary that grows with the corpus. The
noise has a decaying spectrum (variance of dimension j ~ j^-0.8), an assumption standing in
for real embeddings, whose variance is concentrated in fewer directions than 384.

Paper i depends only on (seed, i // BLOCK): any range of papers can be made again, in any
order and in any process, without holding the corpus (100k papers are the first 100k of 1M).
One chunk per paper: its text is the title and the abstract, as ingest embeds them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import numpy as np

DIM = 384
BLOCK = 1000
FUNCTION_WORDS = (
    "the of and to in a we is for that on with by this as are be an our from which it can at or these has its "
    "both than such also into while over using based show results approach method propose model models data "
    "performance new learning task tasks two via between across more each when how where large different"
).split()
KINDS = np.cumsum([0.36, 0.30, 0.10, 0.21, 0.03])  # function, general, area, topic, rare
GENERAL, AREA_WORDS, TOPIC_WORDS = 5000, 400, 120
PAPER_NOISE = 1.0  # noise norm: a paper's cosine to its topic centroid is about 0.7
PLANTED_NOISE = 0.45  # a planted query is a paper's vector plus this much noise (cosine about 0.9)


@dataclass(frozen=True)
class SimQuery:
    text: str
    vector: np.ndarray
    kind: str  # "topic" (a topic's words and a vector near its centroid) or "planted" (near one paper)
    planted: str | None = None  # the paper a planted query was made from


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _zipf_cdf(n: int, s: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** s
    return np.cumsum(weights) / weights.sum()


def _draw(rng: np.random.Generator, cdf: np.ndarray, size) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, rng.random(size)), len(cdf) - 1)


def _pseudo_words(n: int, rng: np.random.Generator) -> list[str]:
    """n distinct made-up words: 2-4 consonant-vowel syllables and a closing consonant the stemmer keeps."""
    syllables = np.array([c + v for c in "bdfghjklmnprstvz" for v in "aeiou"] + [""], dtype=object)
    words: dict[str, None] = {}
    while len(words) < n:
        parts = rng.integers(0, len(syllables) - 1, (2 * n, 4))
        parts[:, 2:] = np.where(rng.integers(2, 5, (2 * n, 1)) > [2, 3], parts[:, 2:], len(syllables) - 1)
        made = syllables[parts[:, 0]] + syllables[parts[:, 1]] + syllables[parts[:, 2]] + syllables[parts[:, 3]]
        words.update(dict.fromkeys(made + np.array(list("kmtvxz"), dtype=object)[parts[:, 0] % 6]))
    return list(words)[:n]


class World:
    def __init__(self, seed: int = 7, topics: int = 3000, areas: int = 40, vocabulary: int = 200_000):
        self.seed = seed
        rng = np.random.default_rng([seed, 0])
        self.area_centroids = _unit(rng.standard_normal((areas, DIM)))
        self.topic_area = rng.integers(0, areas, topics)
        self.topic_centroids = _unit(self.area_centroids[self.topic_area] + _unit(rng.standard_normal((topics, DIM))))
        self.topic_cdf = np.cumsum(rng.permutation(1.0 / np.arange(1, topics + 1) ** 0.8))
        self.topic_cdf /= self.topic_cdf[-1]
        spectrum = np.arange(1, DIM + 1) ** -0.4  # standard deviations: variance ~ j^-0.8
        self.noise_scale = spectrum / np.linalg.norm(spectrum)  # E|noise|^2 = 1 before PAPER_NOISE
        words = FUNCTION_WORDS + _pseudo_words(vocabulary, rng)
        self.words = np.array(words, dtype=object)
        self.tokens = np.array(words + [w + "." for w in words], dtype=object)  # word i, then word i with a full stop
        first = len(FUNCTION_WORDS)
        self.general = np.arange(first, first + GENERAL)
        # disjoint ranges: area words, topic words (each in a few topics), then the rare tail
        self.area_words = rng.integers(first + GENERAL, first + 20_000, (areas, AREA_WORDS))
        self.topic_words = rng.integers(first + 20_000, first + 80_000, (topics, TOPIC_WORDS))
        self.tail = np.arange(first + 80_000, len(words))
        self.cdfs = {"function": _zipf_cdf(first, 1.0), "general": _zipf_cdf(GENERAL, 1.0),
                     "area": _zipf_cdf(AREA_WORDS, 1.0), "topic": _zipf_cdf(TOPIC_WORDS, 1.1),
                     "tail": _zipf_cdf(len(self.tail), 0.9)}

    # -- one block of papers ------------------------------------------------------
    def _rng(self, stream: int, block: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, stream, block])

    def topics(self, block: int) -> np.ndarray:
        return _draw(self._rng(1, block), self.topic_cdf, BLOCK)

    def vectors(self, block: int) -> np.ndarray:
        """The unit vectors (float32) of the block's papers."""
        noise = self._rng(2, block).standard_normal((BLOCK, DIM)) * self.noise_scale * PAPER_NOISE
        return _unit(self.topic_centroids[self.topics(block)] + noise).astype(np.float32)

    def texts(self, block: int, rare: bool = False) -> tuple[list[str], list[str], list[np.ndarray]]:
        """Titles, abstracts (150-250 words) and, if asked, each abstract's rare word ids, rarest first."""
        rng, topics = self._rng(3, block), self.topics(block)
        areas = self.topic_area[topics]
        lengths = rng.integers(150, 251, BLOCK)
        owner = np.repeat(np.arange(BLOCK), lengths)
        kind = np.searchsorted(KINDS, rng.random(len(owner)) * KINDS[-1])
        ids = np.empty(len(owner), dtype=np.int64)
        for k, name in enumerate(("function", "general", "area", "topic", "tail")):
            at = np.flatnonzero(kind == k)
            rank = _draw(rng, self.cdfs[name], len(at))
            if name == "function":
                ids[at] = rank
            elif name in ("general", "tail"):
                ids[at] = getattr(self, name)[rank]
            else:
                pools = self.area_words[areas[owner[at]]] if name == "area" else self.topic_words[topics[owner[at]]]
                ids[at] = pools[np.arange(len(at)), rank]
        ends = rng.random(len(owner)) < 1 / 18  # sentence ends: the word with a full stop
        ends[np.cumsum(lengths) - 1] = True
        tokens = self.tokens[ids + ends * len(self.words)].tolist()
        bounds = np.concatenate([[0], np.cumsum(lengths)]).tolist()
        abstracts = [" ".join(tokens[a:b]) for a, b in zip(bounds, bounds[1:])]
        abstracts = [a[0].upper() + a[1:] for a in abstracts]
        rare_ids = [np.unique(part[part >= self.tail[0]])[::-1] for part in np.split(ids, bounds[1:-1])] if rare else []
        title_ids = np.where(rng.random((BLOCK, 12)) < 0.6,
                             self.topic_words[topics[:, None], _draw(rng, self.cdfs["topic"], (BLOCK, 12))],
                             self.area_words[areas[:, None], _draw(rng, self.cdfs["area"], (BLOCK, 12))])
        titles = [" ".join(list(dict.fromkeys(row))[:n]).capitalize()
                  for row, n in zip(self.words[title_ids].tolist(), rng.integers(5, 11, BLOCK).tolist())]
        return titles, abstracts, rare_ids

    def meta(self, block: int) -> np.ndarray:
        """year, month, day, authors of each paper."""
        rng = self._rng(4, block)
        return np.stack([rng.integers(2015, 2026, BLOCK), rng.integers(1, 13, BLOCK),
                         rng.integers(1, 29, BLOCK), rng.integers(1, 13, BLOCK)], axis=1)

    # -- queries ------------------------------------------------------------------
    def queries(self, papers: int, count: int, seed: int = 0) -> list[SimQuery]:
        """Half topic queries, half planted ones (near a paper among the first ``papers``,
        with 3 of its rarest words and a topic word as text)."""
        rng = np.random.default_rng([self.seed, 9, seed, papers])
        found: list[SimQuery] = []
        seen: set[str] = set()
        for q in range(count):
            if q % 2:
                i = int(rng.integers(0, papers))
                block, row = divmod(i, BLOCK)
                titles, abstracts, rare = self.texts(block, rare=True)
                topic = self.topics(block)[row]
                words = list(self.words[rare[row][:3]]) + [self.words[self.topic_words[topic, 0]]]
                noise = rng.standard_normal(DIM) * self.noise_scale * PLANTED_NOISE
                vector = _unit(self.vectors(block)[row] + noise)
                found.append(SimQuery(" ".join(words), vector.astype(np.float32), "planted", paper_id(i)))
            else:
                topic = int(_draw(rng, self.topic_cdf, 1)[0])
                ranks = list(dict.fromkeys(_draw(rng, self.cdfs["topic"], int(rng.integers(3, 6)))))
                while " ".join(self.words[self.topic_words[topic, ranks]]) in seen:  # texts are keys
                    ranks.append(int(rng.integers(0, TOPIC_WORDS)))
                words = list(self.words[self.topic_words[topic, ranks]])
                noise = rng.standard_normal(DIM) * self.noise_scale * PAPER_NOISE
                vector = _unit(self.topic_centroids[topic] + noise)
                found.append(SimQuery(" ".join(words), vector.astype(np.float32), "topic"))
            seen.add(found[-1].text)
        return found


@lru_cache(maxsize=2)
def cached_world(seed: int) -> World:
    """The world of this seed, made once per process."""
    return World(seed)


def paper_id(i: int) -> str:
    return f"p{i:012d}"


@dataclass(frozen=True)
class SimBlock:
    """Papers start..start+len-1 as the project's Paper and Chunk records (no vectors)."""

    papers: list
    chunks: list


def blocks(world: World, start: int, end: int, *, source: str, chunking: str = "160x32") -> Iterator[tuple[SimBlock, int, int]]:
    """(block, first, last+1) for the papers start..end-1, a BLOCK at a time."""
    from ..corpus import Paper
    from ..index import Chunk

    for block in range(start // BLOCK, (end + BLOCK - 1) // BLOCK):
        lo, hi = max(start, block * BLOCK), min(end, (block + 1) * BLOCK)
        titles, abstracts, _ = world.texts(block)
        meta = world.meta(block)
        papers, chunks = [], []
        for i in range(lo, hi):
            row = i - block * BLOCK
            year, month, day, authors = (int(x) for x in meta[row])
            title, abstract, pid = titles[row], abstracts[row], paper_id(i)
            papers.append(Paper(paper_id=pid, title=title, abstract=abstract, authors=authors,
                                published=f"{year}-{month:02d}-{day:02d}", year=year, sources=(source,)))
            digest = hashlib.sha1(f"{title}\n{abstract}".encode()).hexdigest()[:8]
            chunks.append(Chunk(chunk_id=f"{pid}-{digest}-{chunking}-0", paper_id=pid, index=0,
                                text=abstract, embed_text=f"{title}\n\n{abstract}"))
        yield SimBlock(papers, chunks), lo, hi


def vectors(world: World, start: int, end: int) -> Iterator[np.ndarray]:
    """The vectors of papers start..end-1, a BLOCK (or less) at a time, in order."""
    for block in range(start // BLOCK, (end + BLOCK - 1) // BLOCK):
        lo, hi = max(start, block * BLOCK), min(end, (block + 1) * BLOCK)
        yield world.vectors(block)[lo - block * BLOCK : hi - block * BLOCK]


def exact_top(world: World, queries: np.ndarray, papers: int, k: int) -> list[list[str]]:
    """Brute force (numpy): the ids of each query's k nearest papers by cosine, best first."""
    best_ids = np.zeros((len(queries), 0), dtype=np.int64)
    best_sims = np.zeros((len(queries), 0), dtype=np.float32)
    start = 0
    for part in vectors(world, 0, papers):
        sims = queries @ part.T
        ids = np.broadcast_to(np.arange(start, start + len(part)), sims.shape)
        sims, ids = np.hstack([best_sims, sims]), np.hstack([best_ids, ids])
        keep = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        best_sims, best_ids = np.take_along_axis(sims, keep, 1), np.take_along_axis(ids, keep, 1)
        start += len(part)
    return [[paper_id(int(i)) for i in row] for row in best_ids]


def recall(store, sample: list[SimQuery], exact: list[list[str]], k: int) -> tuple[float, list[float]]:
    """Recall@k of the store's query (its papers among the exact k nearest) and each query's time in ms."""
    import time

    hits, times = 0, []
    for q, best in zip(sample, exact):
        started = time.perf_counter()
        found = {h.paper_id for h in store.query(q.vector.tolist(), k)}
        times.append((time.perf_counter() - started) * 1000)
        hits += len(found & set(best[:k]))
    return hits / (k * len(sample)), times


def ef_sweep(store, sample: list[SimQuery], exact: list[list[str]], values: list[int]) -> list[dict]:
    """Recall@10 and query time at other HNSW ef_search values; the store's own choice is put
    back. A changed ef_search applies to an index Chroma loads after the change, so the store is
    reopened (and must be the process's only client of it: another open client keeps the old
    index loaded)."""
    if not values:
        return []
    store.load()
    own = store.collection.configuration_json["hnsw"]["ef_search"]
    rows = []
    try:
        for ef in [*values, own]:
            store.search_ef = ef  # what the store sets when it opens the collection
            store.close()
            store.load()
            found, times = recall(store, sample, exact, 10)
            rows.append({"ef_search": ef, "recall_at_10": found, "query_p50_ms": sorted(times)[len(times) // 2]})
    finally:
        store.search_ef = None
        store.close()
        store.load()
    return rows
