"""The parts that make ingest and search faster keep their results: pipeline stages, the
query-vector cache, BM25 beside the dense search."""

import threading
import time

import pytest

from assistant.index.embedders import QueryCache
from assistant.index.pipeline import BackgroundWriter, prefetch


def test_prefetch_keeps_order_and_runs_ahead():
    made = []

    def produce():
        for i in range(6):
            made.append(i)
            yield i

    consumed = []
    for item in prefetch(produce(), depth=2):
        time.sleep(0.02)
        consumed.append(item)
        if item == 0:
            assert len(made) >= 2, "the producer works while the consumer does"
    assert consumed == list(range(6))


def test_prefetch_raises_the_producers_error_in_the_consumer():
    def produce():
        yield 1
        raise ValueError("bad line 7 in corpus.jsonl")

    got = []
    with pytest.raises(ValueError, match="bad line 7"):
        for item in prefetch(produce()):
            got.append(item)
    assert got == [1]


def test_prefetch_lets_the_producer_go_when_the_consumer_stops_early():
    def produce():
        yield from range(1000)

    before = threading.active_count()
    for item in prefetch(produce(), depth=1):
        if item == 3:
            break
    time.sleep(0.3)
    assert threading.active_count() <= before


def test_background_writer_writes_in_order_and_surfaces_errors():
    written = []

    def write(batch):
        time.sleep(0.01)
        if batch == "bad":
            raise OSError("disk full")
        written.append(batch)

    with BackgroundWriter(write) as writer:
        for batch in ("a", "b", "c"):
            writer.submit(batch)
    assert written == ["a", "b", "c"]

    with pytest.raises(OSError, match="disk full"):
        with BackgroundWriter(write) as writer:
            writer.submit("bad")
            writer.submit("d")  # waits for "bad" first: its error is raised here
    assert "d" not in written


class CountingEmbedder:
    name, dim = "counting", 3

    def __init__(self):
        self.queries = []

    def embed_query(self, text):
        self.queries.append(text)
        return [float(len(text)), 0.0, 1.0]

    def embed_documents(self, texts):
        return [[1.0, 0.0, 0.0] for _ in texts]

    def load(self):
        pass

    def close(self):
        pass


def test_query_cache_embeds_a_repeated_question_once_and_forgets_the_oldest():
    inner = CountingEmbedder()
    cache = QueryCache(inner, size=2)
    first = cache.embed_query("shortcut learning")
    first.append(99.0)  # a caller changing its copy does not change the cache
    assert cache.embed_query("shortcut learning") == [17.0, 0.0, 1.0]
    assert inner.queries == ["shortcut learning"]
    cache.embed_query("b")
    cache.embed_query("c")  # "shortcut learning" is now the oldest: dropped
    cache.embed_query("shortcut learning")
    assert inner.queries == ["shortcut learning", "b", "c", "shortcut learning"]
    assert (cache.hits, cache.misses) == (1, 4)
    assert cache.name == "counting" and cache.embed_documents(["x"]) == [[1.0, 0.0, 0.0]]


def test_query_cache_size_zero_caches_nothing():
    inner = CountingEmbedder()
    cache = QueryCache(inner, size=0)
    cache.embed_query("q")
    cache.embed_query("q")
    assert inner.queries == ["q", "q"]


def test_hybrid_search_gives_the_same_papers_as_before(assistant):
    """Fused results equal dense and BM25 fused by hand (BM25 ran in a thread of its own for a while)."""
    from assistant.retrieval.retrieve import rrf_fuse

    query = "shortcut learning in neural networks"
    hybrid = assistant.search(query, k=8, mode="hybrid").hits
    dense = [h.paper.paper_id for h in assistant.search(query, k=60, mode="dense").hits]
    lexical = [h.paper.paper_id for h in assistant.search(query, k=60, mode="bm25").hits]
    fused = rrf_fuse([dense, lexical], 60)
    expected = sorted(fused, key=lambda p: (-fused[p], p))[:8]
    assert [h.paper.paper_id for h in hybrid] == expected
