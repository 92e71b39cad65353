"""Split abstracts into embedding-sized chunks with llama-index, counting tokens with tiktoken.

MiniLM reads at most 256 word pieces. Chunks are sized in tiktoken (cl100k_base) tokens
with a margin, and each chunk's embedded text starts with the paper's title so that a
chunk from the middle of an abstract still says what paper it belongs to.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..corpus import Paper


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    paper_id: str
    index: int
    text: str  # the abstract passage alone
    embed_text: str  # what is embedded and BM25-indexed: title + passage


def ensure_tiktoken_cache() -> None:
    """Point tiktoken at the cl100k_base file that llama-index-core ships (no download)."""
    if os.environ.get("TIKTOKEN_CACHE_DIR"):
        return
    import importlib.util

    spec = importlib.util.find_spec("llama_index.core")  # located, not imported (that takes ~2 s)
    if spec and spec.submodule_search_locations:
        cache = Path(list(spec.submodule_search_locations)[0]) / "_static" / "tiktoken_cache"
        if cache.is_dir():
            os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)


@lru_cache(maxsize=1)
def token_counter() -> Callable[[str], list[int]]:
    ensure_tiktoken_cache()
    import tiktoken

    return tiktoken.get_encoding("cl100k_base").encode


def count_tokens(text: str) -> int:
    return len(token_counter()(text))


@lru_cache(maxsize=64)
def make_splitter(chunk_tokens: int, overlap: int):
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(
        chunk_size=chunk_tokens,
        chunk_overlap=min(overlap, chunk_tokens // 4),
        tokenizer=token_counter(),
    )


def embed_text_for(title: str, passage: str) -> str:
    return f"{title}\n\n{passage}"


def paper_of_chunk(chunk_id: str) -> str:
    """The paper a chunk id belongs to: ids start with the paper's id, which holds no '-'."""
    return chunk_id.split("-", 1)[0]


def chunk_papers(papers: list[Paper], chunk_tokens: int, overlap: int) -> list[Chunk]:
    """Deterministic chunks: ids change exactly when a paper's text or the chunking changes."""
    chunks: list[Chunk] = []
    for paper in papers:
        # the title rides along in every chunk, so the passage budget leaves room for it
        budget = max(32, chunk_tokens - count_tokens(paper.title) - 4)
        passages = make_splitter(budget, overlap).split_text(paper.abstract)
        prefix = f"{paper.paper_id}-{paper.content_hash[:8]}-{chunk_tokens}x{overlap}"
        for index, passage in enumerate(passages):
            chunks.append(
                Chunk(
                    chunk_id=f"{prefix}-{index}",
                    paper_id=paper.paper_id,
                    index=index,
                    text=passage,
                    embed_text=embed_text_for(paper.title, passage),
                )
            )
    return chunks
