"""Chroma server mode, for real: `chroma run` on a free localhost port."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import index_of, free_port

from assistant.config import Settings, load_settings
from assistant.api import Assistant

pytestmark = pytest.mark.integration



@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = open(path / "server.log", "w")
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited: {(path / 'server.log').read_text()[-2000:]}")
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma server did not start within 60 s")
    yield port
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


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
