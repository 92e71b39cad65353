"""Shared fixtures: a temporary data dir, a fake embedder and fake LLMs chosen by name.

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

from assistant.answering.llms import LLMS, FakeLLM
from assistant.config import Settings
from assistant.layout import BUNDLED_CORPUS

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


def write_calibration(path: Path, relevance=None, support=None) -> Path:
    """A calibration file like the project's, with some sections replaced (dataclasses)."""
    import dataclasses
    import json

    from assistant.layout import CALIBRATION_FILE

    data = json.loads(CALIBRATION_FILE.read_text())
    if relevance is not None:
        data["relevance_gate"] = dataclasses.asdict(relevance)
    if support is not None:
        data["support"] = {k: v for k, v in dataclasses.asdict(support).items() if k in data["support"]}
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def make_assistant(settings, fake_embedder, tmp_path):
    """Assistants over the test's data dir with the fake embedder; ``relevance`` thresholds
    go in through a calibration file, other settings by their flat names."""
    from assistant.api import Assistant

    made = []

    def make(relevance=None, **flat):
        if relevance is not None:
            flat["calibration_file"] = write_calibration(tmp_path / f"calibration-{len(made)}.json", relevance)
        messages: list[str] = []
        a = Assistant(settings.updated(**flat), embedder=fake_embedder, notify=messages.append)
        a.messages = messages  # what it told the user (a test's own note on the object)
        made.append((a, messages))
        return a

    yield make
    for a, _ in made:
        a.close()


@pytest.fixture
def assistant(make_assistant):
    return make_assistant()


@pytest.fixture(scope="session")
def minilm():
    from assistant.index.embedders import MiniLMEmbedder

    embedder = MiniLMEmbedder()
    yield embedder
    embedder.close()


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory):
    """The bundled corpus, indexed once per test session with the default (real) embedder."""
    from assistant.api import Assistant

    data = tmp_path_factory.mktemp("real-index")
    a = Assistant(Settings(data_dir=data), notify=lambda m: None)
    a.ingest(progress=False)
    yield a
    a.close()


def copy_index(source: Path, target: Path) -> None:
    """Copy a data directory whose SQLite files this process has open. Not with shutil: it
    would open and close them here, and closing any descriptor of a file drops all of this
    process's POSIX locks on it, so a writer elsewhere could then corrupt the database
    (sqlite.org/howtocorrupt.html, 2.2). A separate process copies it instead."""
    import subprocess

    subprocess.run(["cp", "-r", str(source), str(target)], check=True)


class IndexView:
    """The stores behind an assistant, opened by the index package's public names (for
    white-box checks of what ingest stored); the assistant itself is used by its API only."""

    def __init__(self, assistant):
        from assistant.index import Catalog, open_vector_store
        from assistant.layout import DataLayout

        settings = assistant.settings
        self.catalog = Catalog(DataLayout(settings.storage.data_dir).catalog)
        self.vectors = open_vector_store(settings, assistant.stats().embedder)


_VIEWS: dict[int, IndexView] = {}


def index_of(assistant) -> IndexView:
    if id(assistant) not in _VIEWS:
        _VIEWS[id(assistant)] = IndexView(assistant)
    return _VIEWS[id(assistant)]


@pytest.fixture(autouse=True)
def _close_index_views():
    yield
    for view in _VIEWS.values():
        view.catalog.close()
        view.vectors.close()
    _VIEWS.clear()


class FailingLLM(FakeLLM):
    """A back-end that composes whole answers and breaks off after ``after_words`` words."""

    def __init__(self, after_words: int = 0, backend: str = "failing"):
        super().__init__("partial answer that breaks off", backend=backend, composes=True)
        self.after_words = after_words

    def stream(self, messages, *, max_tokens, temperature):
        from assistant.answering.llms import LLMError

        for i, word in enumerate(self.reply(messages).split(" ")):
            if i >= self.after_words:
                raise LLMError("the OpenAI-compatible stream broke off: RemoteProtocolError")
            yield word + " "


def use_llm(llm) -> str:
    """Register a test double as an LLM back-end, as a plugin would (simonw/llm's tests
    register their MockModel the same way), and return the name to choose it by."""
    name = f"test-{id(llm)}"
    LLMS.register(name, lambda settings: llm, help="a test double", listed=False, replace=True)
    return name


@pytest.fixture(autouse=True)
def _unregister_test_llms():
    yield
    for name in LLMS.names():
        if name.startswith("test-"):
            LLMS.unregister(name)


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


def small_corpus_relevance():
    """Relevance thresholds that suit SMALL_CORPUS under the fake embedder."""
    from assistant.retrieval.relevance import RelevanceThresholds

    return RelevanceThresholds(
        min_sentence_similarity=0.2, min_chunk_similarity=0.2, min_topic_coverage=0.5,
        list_margin=0.5, other_margin=0.5, other_max_papers=2,
    )


@pytest.fixture
def small_assistant(make_assistant, tmp_path):
    """The fake-embedder assistant over three tiny papers, with relevance thresholds for it."""
    corpus = tmp_path / "small.txt"
    corpus.write_text(SMALL_CORPUS)
    assistant = make_assistant(small_corpus_relevance())
    assistant.ingest([corpus], progress=False)
    return assistant


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Free what the tests left loaded, in order, while the interpreter is still whole.

    After the full suite one process has held llama.cpp, onnxruntime and Chroma instances,
    gradio servers and a Playwright driver. Every fixture closes what it opened; what is
    left (objects only the garbage collector still reaches, Chroma's cached systems) is
    freed here, before interpreter finalization, so no native destructor runs against a
    half torn-down interpreter. The process then ends normally: a crash at shutdown shows
    as one (tests/test_shutdown.py checks that nothing skips it).
    """
    import gc

    gc.collect()  # models and sessions that only reference cycles still hold
    try:
        from chromadb.api.shared_system_client import SharedSystemClient
    except ImportError:  # an older chromadb: nothing cached to stop
        return
    SharedSystemClient.clear_system_cache()
    gc.collect()
