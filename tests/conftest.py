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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    # the fake embedder's similarities are not MiniLM's: the hand-set gate, no reranker
    return Settings(data_dir=tmp_path / "data", llm="extractive", selector="thresholds", reranker="none")


@pytest.fixture
def fake_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def assistant(settings, fake_embedder):
    from assistant.api import Assistant

    messages: list[str] = []
    a = Assistant(settings, embedder=fake_embedder, notify=messages.append)
    a.messages = messages
    yield a
    a.close()


@pytest.fixture(scope="session")
def minilm():
    from assistant.index.embedders import MiniLMEmbedder

    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory):
    """The bundled corpus, indexed once per test session with the default (real) embedder."""
    from assistant.api import Assistant

    data = tmp_path_factory.mktemp("real-index")
    a = Assistant(Settings(data_dir=data), notify=lambda m: None)
    a.ingest(progress=False)
    yield a
    a.close()


class FakeLLM:
    """A scripted chat model: replies by a function of the messages, streamed word by word."""

    def __init__(self, reply, backend: str = "local", model: str = "fake-model", context_window: int = 2048):
        self.reply = reply if callable(reply) else (lambda messages: reply)
        self.backend = backend
        self.model = model
        self.context_window = context_window
        self.calls: list[list[dict]] = []

    def stream(self, messages, *, max_tokens, temperature):
        self.calls.append(messages)
        text = self.reply(messages)
        for i, word in enumerate(text.split(" ")):
            yield word if i == 0 else " " + word


class FailingLLM(FakeLLM):
    def __init__(self, after_words: int = 0, backend: str = "openai"):
        super().__init__("partial answer that breaks off", backend=backend)
        self.after_words = after_words

    def stream(self, messages, *, max_tokens, temperature):
        from assistant.answering.llms import LLMError

        for i, word in enumerate(self.reply(messages).split(" ")):
            if i >= self.after_words:
                raise LLMError("the OpenAI-compatible stream broke off: RemoteProtocolError")
            yield word + " "


SMALL_CORPUS = """Daily Papers

Jan 2

Shortcut Learning in Deep Networks

We study shortcut learning in deep neural networks. Models prefer simple shortcut features such as texture over shape. We measure shortcut bias on synthetic datasets.

• 3 authors
·
May 2, 2023

Graph Networks for Molecules

We propose a graph neural network for molecular property prediction. It reaches 91.5% accuracy on the QM9 benchmark.

• 2 authors
·
Jun 5, 2024 7

Vision Transformers from Scratch

We train vision transformers from scratch on ImageNet. Tokens-to-token embedding improves accuracy to 81.5% top-1.

• 4 authors
·
Mar 1, 2021
"""


def use_thresholds(assistant, thresholds) -> None:
    """Have the assistant choose papers by the hand-set gate with these thresholds."""
    from assistant.retrieval.selection import ThresholdSelector

    assistant.answerer.selector = ThresholdSelector(assistant.judge, thresholds, lambda t: assistant.bm25_index().idf(t))


def small_corpus_relevance():
    """Relevance thresholds that suit SMALL_CORPUS under the fake embedder."""
    from assistant.retrieval.relevance import RelevanceThresholds

    return RelevanceThresholds(
        min_sentence_similarity=0.2, min_chunk_similarity=0.2, min_topic_coverage=0.5,
        list_margin=0.5, other_margin=0.5, other_max_papers=2,
    )


@pytest.fixture
def small_assistant(assistant, tmp_path):
    """The fake-embedder assistant over three tiny papers, with relevance thresholds for it."""
    corpus = tmp_path / "small.txt"
    corpus.write_text(SMALL_CORPUS)
    assistant.ingest([corpus], progress=False)
    use_thresholds(assistant, small_corpus_relevance())
    return assistant
