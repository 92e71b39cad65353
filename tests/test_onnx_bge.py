"""The optional bge-small-en-v1.5 int8 embedder (``bge-small-int8``), on the real model."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.config import Settings
from assistant.index.embedders import make_embedder

pytestmark = pytest.mark.integration

BERLIN = "Berlin has a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers."
NEW_YORK = "New York City is famous for the Metropolitan Museum of Art."


@pytest.fixture(scope="module")
def bge():
    return make_embedder(Settings(embedder="bge-small-int8"))


def test_graph_outputs_last_hidden_state(bge):
    bge.embed_documents(["load"])
    session = bge._session
    assert [i.name for i in session.get_inputs()] == ["input_ids", "attention_mask", "token_type_ids"]
    (output,) = session.get_outputs()
    assert output.name == "last_hidden_state" and output.shape[2] == 384


def test_name_is_stable_and_distinct(bge):
    assert bge.name == "bge-small-en-v1.5-int8" and bge.dim == 384
    assert bge.name != make_embedder(Settings(embedder="minilm-int8")).name


def test_query_is_closer_to_the_berlin_passage(bge):
    query = np.array(bge.embed_query("How many people live in Berlin?"))
    berlin, new_york = np.array(bge.embed_documents([BERLIN, NEW_YORK]))
    assert query.shape == (384,)
    for vector in (query, berlin, new_york):
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    assert query @ berlin > query @ new_york + 0.2


def test_query_carries_the_instruction_documents_do_not(bge):
    from assistant.index.onnx_bge import QUERY_INSTRUCTION

    text = "How many people live in Berlin?"
    assert bge.embed_query(text) == pytest.approx(bge.embed_documents([QUERY_INSTRUCTION + text])[0])
    assert bge.embed_query(text) != pytest.approx(bge.embed_documents([text])[0], abs=1e-3)


def test_is_v1_5_not_v1(bge):
    # fastembed's canonical first five values of embed(["hello world", "flag embedding"])[0]
    # (documents, [CLS], normalised): qdrant/fastembed tests/test_text_embedding.py
    v1_5 = np.array([0.01522374, -0.02271799, 0.00860278, -0.07424029, 0.00386434])  # BAAI/bge-small-en-v1.5
    v1 = np.array([-0.0232, -0.0255, 0.0174, -0.0639, -0.0006])  # BAAI/bge-small-en
    head = np.array(bge.embed_documents(["hello world", "flag embedding"])[0][:5])
    assert np.abs(head - v1_5).max() < 0.01  # int8 vs fp32, measured 0.005 on AVX2 and on AVX-512 VNNI (scripts/int8_drift.py)
    assert np.abs(head - v1).max() > 0.02


def test_counts_word_pieces_past_the_window(bge):
    assert bge.count_wordpieces("hello world") == 4  # [CLS] hello world [SEP]
    assert bge.count_wordpieces("word " * 600) == 602
    assert bge.max_tokens == 512
