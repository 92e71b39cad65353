"""The scale simulation (assistant/bench/scale*.py) on a small corpus: its stages run the
project's stores end to end and the simulated data has the properties the figures rely on."""

from __future__ import annotations


import numpy as np
import pytest

from assistant.bench.scale_data import BLOCK, World, blocks, exact_top, paper_id, vectors
from assistant.bench.scale_stages import EMBEDDER, SOURCE, QueryEmbedder, ingest, search
from assistant.bench.scale_update import update

N = 2000


@pytest.fixture(scope="module")
def world() -> World:
    return World(7)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """2,000 simulated papers ingested through the stages (embedded Chroma), and the search figures."""
    data = tmp_path_factory.mktemp("scale") / "data"
    base = {"data_dir": str(data), "seed": 7, "batch": 500}
    first = ingest(base | {"start": 0, "end": 1500})
    second = ingest(base | {"start": 1500, "end": N})  # the store, catalog and BM25 grow
    updated = update(base | {"size": N, "new": 90, "changed": 5, "removed": 5})  # then taken back
    figures = search(base | {"papers": N, "queries": 30, "recall_queries": 30, "store": "chroma"})
    return data, first, second, figures, updated


def test_a_paper_is_the_same_whatever_range_makes_it(world):
    whole = next(b for b, lo, _ in blocks(world, 0, N, source=SOURCE) if lo == BLOCK)
    part, lo, hi = next(blocks(world, BLOCK + 7, BLOCK + 9, source=SOURCE))
    assert (lo, hi) == (BLOCK + 7, BLOCK + 9)
    assert part.papers == whole.papers[7:9] and part.chunks == whole.chunks[7:9]
    assert part.chunks[0].chunk_id.startswith(paper_id(BLOCK + 7) + "-")
    assert np.array_equal(next(vectors(world, BLOCK + 7, BLOCK + 9)), world.vectors(1)[7:9])
    assert World(7).texts(3)[1] == world.texts(3)[1] and World(8).texts(3)[1] != world.texts(3)[1]


def test_papers_look_like_abstracts_and_vectors_cluster_by_topic(world):
    titles, abstracts, _ = world.texts(0)
    lengths = [len(a.split()) for a in abstracts]
    assert 150 <= min(lengths) and max(lengths) <= 250 and all(5 <= len(t.split()) <= 10 for t in titles)
    vecs, topics = world.vectors(0), world.topics(0)
    assert vecs.dtype == np.float32 and np.allclose(np.linalg.norm(vecs, axis=1), 1, atol=1e-5)
    sims = vecs @ vecs.T
    areas = world.topic_area[topics]
    same = (topics[:, None] == topics[None, :]) & ~np.eye(BLOCK, dtype=bool)
    same_area = (areas[:, None] == areas[None, :]) & (topics[:, None] != topics[None, :])
    unrelated = areas[:, None] != areas[None, :]
    assert 0.45 < sims[same].mean() < 0.55 and 0.2 < sims[same_area].mean() < 0.3 and abs(sims[unrelated].mean()) < 0.02


def test_exact_top_is_brute_force(world):
    query = world.queries(N, 2)[1]  # planted: near one paper
    top = exact_top(world, query.vector[None, :], N, 5)[0]
    everything = np.vstack(list(vectors(world, 0, N)))
    assert top == [paper_id(int(i)) for i in np.argsort(-(everything @ query.vector))[:5]]
    assert top[0] == query.planted


def test_the_index_holds_every_paper_once(built):
    data, first, second, *_ = built
    from assistant.index import BM25Index, Catalog

    assert (first["store_count"], first["catalog_papers"]) == (1500, 1500) and second["catalog_wal_mb"] == 0
    assert (second["store_count"], second["store_ids"], second["catalog_papers"]) == (N, N, N)
    catalog = Catalog(data / "catalog.sqlite")
    try:
        assert catalog.counts() == (N, N)
        assert catalog.sources() == [SOURCE]
        newest, undated = catalog.year_span()
        assert 2015 <= newest <= 2025 and undated == 0
        index = BM25Index.load(data / "bm25" / f"paper-chunks-{EMBEDDER}", catalog.version)
        assert index is not None and index.size == N
    finally:
        catalog.close()


def test_an_update_writes_only_what_changed_and_is_taken_back(built):
    """The update stage (scale_update.py): 90 new, 5 changed and 5 removed papers, as ingest applies
    them; the lexical index follows the catalog's recorded changes instead of being rebuilt."""
    *_, updated = built
    forth, back = updated["update"], updated["revert"]
    assert (forth["written"], forth["removed"], forth["embedded"], forth["deleted_vectors"]) == (95, 5, 95, 10)
    assert (back["written"], back["removed"], back["embedded"], back["deleted_vectors"]) == (10, 90, 10, 95)
    assert updated["store_count"] == updated["catalog_papers"] == updated["lexical_size"] == N
    assert forth["embed_estimate_s"] == pytest.approx(95 / 25.7)


def test_search_finds_the_planted_papers_and_hnsw_matches_brute_force(built):
    figures = built[3]
    assert figures["dense_planted_at_1"] == 1.0 and figures["hybrid_planted_at_1"] == 1.0
    assert figures["bm25_planted_at_1"] >= 0.9  # by three of the paper's rarest words
    assert figures["planted_exact_at_1"] == 1.0
    assert figures["recall_at_10"] >= 0.95 and figures["recall_at_60"] >= 0.9
    assert all(len(figures[f"{mode}_ms"]) == 30 for mode in ("dense", "bm25", "hybrid"))


def test_bm25_finds_a_paper_by_its_rare_words(built, world):
    from assistant import Assistant, Settings

    data, *_ = built
    block, row = divmod(1234, BLOCK)
    _, _, rare = world.texts(block, rare=True)
    words = " ".join(world.words[rare[row][:2]])
    assistant = Assistant(Settings(data_dir=data, llm="extractive", reranker="none", selector="thresholds"),
                          embedder=QueryEmbedder({}), notify=lambda message: None)
    try:
        hits = assistant.search(words, k=3, mode="bm25").hits
        assert hits[0].paper.paper_id == paper_id(1234)
        with pytest.raises(KeyError, match="no vector for the query"):
            assistant.search(words, k=3, mode="dense")
    finally:
        assistant.close()


def test_collections_get_hnsw_settings_fitted_to_their_size_older_ones_included(tmp_path, monkeypatch):
    import numpy as np

    from assistant import Settings
    from assistant.index import open_client, open_vector_store, vectorstore

    monkeypatch.setattr(vectorstore, "SMALL_INDEX", 30)  # a "large" index of 31 vectors
    settings = Settings(data_dir=tmp_path / "data")
    # made by an older version: Chroma's defaults, ef_search 100 and an index write every 1,000 adds
    older = open_client(tmp_path / "data" / "chroma").get_or_create_collection(
        "paper-chunks-older", metadata={"hnsw:space": "cosine"}, embedding_function=None)
    vectors = np.random.default_rng(0).normal(size=(31, 8))
    older.add(ids=[f"p{i}#0" for i in range(31)], embeddings=vectors.tolist())

    def hnsw(name: str) -> dict:
        store = open_vector_store(settings, name)
        try:
            store.load()
            return store.collection.configuration_json["hnsw"]
        finally:
            store.close()

    fitted = hnsw("older")
    assert (fitted["ef_search"], fitted["sync_threshold"], fitted["space"]) == (400, 10_000, "cosine")
    new = hnsw("newer")  # empty: small
    assert (new["ef_search"], new["sync_threshold"], new["space"]) == (100, 10_000, "cosine")
    older.delete(ids=[f"p{i}#0" for i in range(10)])  # shrunk below the line: back to the cheap search
    assert hnsw("older")["ef_search"] == 100
    # a search on the re-fitted collection still finds the nearest vector
    store = open_vector_store(settings, "older")
    try:
        assert store.query(vectors[20].tolist(), 1)[0].chunk_id == "p20#0"
    finally:
        store.close()


@pytest.mark.integration
def test_the_whole_simulation_runs_and_reports(tmp_path):
    from assistant.bench import plot_scale, render_scale, run_scale

    lines = []
    report = run_scale([1000, 2000], servers=["embedded"], progress=lines.append, work=tmp_path / "work",
                       queries=20, recall_queries=20, ef_sweep=(50,))
    assert not (tmp_path / "work").exists()  # the simulated index is deleted
    metrics = {(r["size"], r["metric"]) for r in report["results"]}
    assert {(2000, "ingest_peak_rss_mb"), (2000, "hybrid_p95_ms"), (2000, "recall_at_10_ef_50"),
            (2000, "catalog_mb")} <= metrics
    text = render_scale(report, "python scripts/scale_sim.py --sizes 1000 2000 --servers embedded")
    assert "| 2,000 | embedded |" in text
    assert plot_scale(report, tmp_path / "scale.png") and (tmp_path / "scale.png").stat().st_size > 0
    with pytest.raises(ValueError, match="servers"):
        run_scale([1000], servers=["elsewhere"], progress=print)


def test_the_catalog_answers_counts_and_years_from_stamps_and_indexes(tmp_path):
    """The scale fixes in catalog.py: counts() reads the counts stamped with the version (falling
    back to counting rows for a catalog another writer changed), year_span() the year index."""
    import sqlite3

    from assistant import Paper
    from assistant.index import Catalog, Chunk

    catalog = Catalog(tmp_path / "catalog.sqlite")
    years = [2019, None, 2024, 2021, None]
    papers = [Paper(paper_id=f"p{i}", title=f"t{i}", abstract="a", year=y) for i, y in enumerate(years)]
    catalog.replace_all(papers, [Chunk(f"p{i}-h-160x32-0", f"p{i}", 0, "a", f"t{i}\n\na") for i in range(5)], ["s"])
    assert catalog.counts() == (5, 5) and catalog.year_span() == (2024, 2)
    assert (tmp_path / "catalog.sqlite-wal").stat().st_size == 0  # the log is cut back after the write
    with sqlite3.connect(tmp_path / "catalog.sqlite") as db:  # a writer that stamps no counts
        db.execute("DELETE FROM chunks WHERE paper_id = 'p1'")
        db.execute("DELETE FROM papers WHERE paper_id = 'p1'")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'version'")
        plan = db.execute("EXPLAIN QUERY PLAN SELECT MAX(year) FROM papers").fetchall()
    assert catalog.counts() == (4, 4) and catalog.year_span() == (2024, 1)
    assert "papers_by_year" in str(plan)
    catalog.close()


def test_the_vector_store_keeps_vectors_and_metadata_but_no_chunk_text(built):
    """The catalog holds the text; Chroma indexing it for full-text search slowed adds 3.6x at 1M."""
    from assistant.index import open_client

    data, *_ = built
    collection = open_client(data / "chroma").get_collection(f"paper-chunks-{EMBEDDER}")
    got = collection.get(limit=5, include=["documents", "metadatas", "embeddings"])
    assert got["documents"] == [None] * 5
    assert all(set(m) == {"paper_id", "chunk", "year", "title"} for m in got["metadatas"])
    assert len(got["embeddings"][0]) == 384
