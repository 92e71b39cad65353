"""Shared fixtures: a temporary data dir, a fake embedder and fake LLMs.

Unit tests run on fakes by default. Tests marked ``integration`` use the real local
models, servers or a browser; CI runs both (``pytest`` selects everything; use
``-m "not integration"`` for the fast tier).
"""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path

import pytest

from assistant.config import BUNDLED_CORPUS, Settings

CORPUS_FILES = sorted(BUNDLED_CORPUS.glob("*.txt"))


class HashEmbedder:
    """Deterministic bag-of-words embedder: shared words give similar vectors."""

    name = "fake-hash-256"
    dim = 256

    def __init__(self):
        self.calls = 0
        self.texts_embedded = 0

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self.dim
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            if len(word) < 3:
                continue
            digest = hashlib.md5(word.encode()).digest()
            vector[digest[0] % self.dim] += 1.0 if digest[1] % 2 else -1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def embed_documents(self, texts):
        self.calls += 1
        self.texts_embedded += len(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text):
        return self._vector(text)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", llm="extractive")


@pytest.fixture
def fake_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def assistant(settings, fake_embedder):
    from assistant.pipeline import Assistant

    messages: list[str] = []
    a = Assistant(settings, embedder=fake_embedder, notify=messages.append)
    a.messages = messages
    yield a
    a.close()


@pytest.fixture(scope="session")
def minilm():
    from assistant.embedders import MiniLMEmbedder

    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory, minilm):
    """The bundled corpus, indexed once per test session with the real MiniLM embedder."""
    from assistant.pipeline import Assistant

    data = tmp_path_factory.mktemp("real-index")
    a = Assistant(Settings(data_dir=data), embedder=minilm, notify=lambda m: None)
    a.ingest(progress=False)
    yield a
    a.close()
