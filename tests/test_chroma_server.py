"""Chroma server mode, for real: `chroma run` on a free localhost port."""

import pytest

from conftest import index_of

from assistant.api import Assistant
from assistant.bench import measure
from assistant.config import Settings, load_settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("chroma-server")
    with measure.chroma_server(path / "db", timeout=60, log=path / "server.log") as (port, _):
        yield port


def test_ingest_and_search_through_chroma_server(chroma_server, tmp_path, fake_embedder):
    settings = Settings(data_dir=tmp_path / "data", chroma_host="127.0.0.1", chroma_port=chroma_server)
    assistant = Assistant(settings, embedder=fake_embedder, notify=lambda m: None)
    report = assistant.ingest(progress=False)
    assert report.papers == 210
    stats = assistant.stats()
    assert stats.vectors == report.chunks
    assert stats.vector_store.startswith("chroma server 127.0.0.1")
    # the vectors really live in the server: a fresh client sees them
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server)
    assert client.get_collection(index_of(assistant).vectors.name).count() == report.chunks
    again = assistant.ingest(progress=False)
    assert again.embedded_chunks == 0
    chunk = next(c for c in index_of(assistant).catalog.chunks() if c.embed_text.startswith("On the Foundations of Shortcut"))
    for mode in ("dense", "bm25", "hybrid"):
        # a chunk's own text is its nearest neighbour in every mode
        hits = assistant.search(chunk.embed_text, k=3, mode=mode).hits
        assert hits[0].paper.title == "On the Foundations of Shortcut Learning"
        assert hits[0].best_chunk.chunk_id == chunk.chunk_id


def test_chroma_host_from_environment(monkeypatch, chroma_server):
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(chroma_server))
    settings = load_settings()
    assert (settings.storage.chroma_host, settings.storage.chroma_port) == ("127.0.0.1", chroma_server)
