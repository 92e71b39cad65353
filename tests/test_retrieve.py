"""Retrieval units (fake embedder, real Chroma) and the real-corpus hybrid check (MiniLM)."""

import pytest

from assistant.config import Settings
from assistant.retrieval.retrieve import rrf_fuse
from conftest import index_of

SHORTCUT_QUESTION = "which papers study shortcut learning?"
SHORTCUT_GOLD = {
    "On the Foundations of Shortcut Learning",
    "Understanding Visual Feature Reliance through the Lens of Complexity",
}


def test_rrf_fuse_rewards_agreement():
    fused = rrf_fuse([["a", "b", "c"], ["b", "c", "a"]], k=60)
    assert max(fused, key=fused.get) == "b"
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 63)


def test_modes_group_chunks_into_papers(assistant):
    assistant.ingest(progress=False)
    for mode in ("dense", "bm25", "hybrid"):
        hits = assistant.search("shortcut learning features", k=5, mode=mode).hits
        assert len(hits) == 5
        ids = [h.paper.paper_id for h in hits]
        assert len(set(ids)) == 5, "one hit per paper"
        assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
        assert all(h.best_chunk.paper_id == h.paper.paper_id for h in hits)
        assert hits == sorted(hits, key=lambda h: -h.score)


def test_bm25_finds_exact_terms_and_is_not_rebuilt(assistant):
    assistant.ingest(progress=False)
    hits = assistant.search("Equiangular Basis Vectors", k=3, mode="bm25").hits
    assert hits[0].paper.title == "Equiangular Basis Vectors"
    from assistant.layout import DataLayout

    folder = DataLayout(assistant.settings.storage.data_dir).bm25(index_of(assistant).vectors.name)
    saved = {p: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert saved, "the BM25 index is saved with the ingest"
    for _ in range(3):
        assert assistant.search("Equiangular Basis Vectors", k=3, mode="bm25").hits[0].paper.title == "Equiangular Basis Vectors"
    assert {p: p.stat().st_mtime_ns for p in folder.iterdir()} == saved, "queries never rebuild it"


def test_year_filter(assistant):
    assistant.ingest(progress=False)
    for mode in ("dense", "bm25", "hybrid"):
        hits = assistant.search("neural networks", k=10, mode=mode, years=(2021, 2022)).hits
        assert hits and all(2021 <= h.paper.year <= 2022 for h in hits)


def test_search_json_shape(assistant):
    data = assistant.search("graph neural networks", k=3).to_dict()
    assert set(data) == {"query", "mode", "scope", "results"}
    assert data["scope"] == {"years": None, "date_phrase": None, "only": None, "only_papers": None, "undated_left_out": 0}
    assert set(data["results"][0]) == {"paper_id", "title", "score", "published", "snippet"}


def test_empty_query_is_an_error(assistant):
    with pytest.raises(ValueError, match="empty"):
        assistant.search("   ")


@pytest.mark.integration
def test_hybrid_top5_for_shortcut_question_real_models(real_assistant):
    top5 = {h.paper.title for h in real_assistant.search(SHORTCUT_QUESTION, k=5, mode="hybrid").hits}
    assert SHORTCUT_GOLD <= top5


@pytest.mark.integration
def test_chunks_fit_minilm_window(real_assistant, minilm):
    for chunk in index_of(real_assistant).catalog.chunks():
        assert minilm.count_wordpieces(chunk.embed_text) <= minilm.max_tokens


@pytest.mark.integration
def test_onnx_embedder_matches_sentence_transformers(tmp_path, minilm, real_assistant):
    import numpy as np

    from assistant.index.onnx_minilm import OnnxMiniLMEmbedder

    texts = [c.embed_text for c in index_of(real_assistant).catalog.chunks()[:40]] + ["shortcut learning", "a"]
    onnx = OnnxMiniLMEmbedder(tmp_path / "onnx")
    ours = np.array(onnx.embed_documents(texts))
    reference = np.array(minilm.embed_documents(texts))
    assert onnx.name == minilm.name, "same vectors, same index"
    assert (ours * reference).sum(axis=1).min() > 0.9999
    int8 = OnnxMiniLMEmbedder(tmp_path / "onnx", quantize=True)
    assert int8.name != minilm.name, "quantised vectors get their own collection"
    cosines = (np.array(int8.embed_documents(texts)) * reference).sum(axis=1)
    # per-channel int8 stays close to fp32 (per-tensor scales gave a mean of ~0.94). Measured by CPU
    # (scripts/int8_drift.py, the same texts): AVX-512 VNNI mean 0.9948, min 0.9926; AVX2 mean 0.993
    # over the whole bundled corpus (scripts/int8_variants.py, 2026-11)
    assert cosines.mean() > 0.985 and cosines.min() > 0.95


@pytest.mark.integration
def test_a_texts_vector_does_not_depend_on_its_company(real_assistant):
    """The int8 graph quantises activations per run; each text runs alone (several runs at
    once), so a chunk embedded at ingest gets the vector it gets embedded alone, as a query is."""
    import numpy as np

    from assistant.index import make_embedder

    embedder = make_embedder(Settings())
    try:
        texts = [c.embed_text for c in index_of(real_assistant).catalog.chunks()[:24]]
        together = np.array(embedder.embed_documents(texts))
        alone = np.array([embedder.embed_documents([t])[0] for t in texts])
        query = np.array(embedder.embed_query(texts[5]))
        assert np.abs(together - alone).max() < 1e-5
        assert np.abs(together[5] - query).max() < 1e-5
    finally:
        embedder.close()
