"""The answer judge's runtime scorer (assistant/retrieval/answer_judge.py): unit tests on a tiny
fake graph and tokenizer written here, and one integration test on the committed model."""
import json
import subprocess
import sys

import numpy as np
import pytest

from assistant.retrieval.answer_judge import DEFAULT_DIR, AnswerJudge, AnswerJudgeError, load_answer_judge

WORDS = "[UNK] [CLS] [SEP] [PAD] how fast is it very the model runs at ten tokens per second".split()


def write_tokenizer(path):
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 1), ("[SEP]", 2)])
    tokenizer.save(str(path))


def write_graph(path):
    """logits = (-1, 0, 1) x the number of the sentence's tokens (token_type_ids 1): longer
    sentences "answer" more."""
    import onnx
    from onnx import TensorProto, helper

    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "sequence"])
              for n in ("input_ids", "attention_mask", "token_type_ids")]
    nodes = [helper.make_node("Cast", ["token_type_ids"], ["types"], to=TensorProto.FLOAT),
             helper.make_node("ReduceSum", ["types", "axis"], ["length"], keepdims=1),
             helper.make_node("Mul", ["length", "weights"], ["logits"])]
    constants = [helper.make_tensor("axis", TensorProto.INT64, [1], [1]),
                 helper.make_tensor("weights", TensorProto.FLOAT, [1, 3], [-1.0, 0.0, 1.0])]
    graph = helper.make_graph(nodes, "fake-judge", inputs,
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])], constants)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


@pytest.fixture
def folder(tmp_path):
    write_graph(tmp_path / "model.onnx")
    write_tokenizer(tmp_path / "tokenizer.json")
    (tmp_path / "judge.json").write_text(json.dumps({"version": 2, "labels": ["off", "about", "answers"],
                                                    "max_tokens": 16}))
    return tmp_path


def test_a_missing_folder_gives_none_and_an_incomplete_one_an_error_naming_it(tmp_path):
    assert load_answer_judge(tmp_path / "nowhere") is None
    with pytest.raises(AnswerJudgeError, match=str(tmp_path)) as caught:
        load_answer_judge(tmp_path)
    assert "model.onnx" in str(caught.value)


def test_nothing_is_read_until_first_use(tmp_path):
    judge = AnswerJudge(tmp_path / "nowhere")  # no error yet
    with pytest.raises(AnswerJudgeError, match="nowhere"):
        judge.answers("how fast", ["it runs"])


def test_a_corrupt_judge_json_or_graph_is_named(folder):
    (folder / "judge.json").write_text("{not json")
    with pytest.raises(AnswerJudgeError, match="judge.json"):
        load_answer_judge(folder)
    (folder / "judge.json").write_text(json.dumps({"labels": ["off", "about", "answers"], "max_tokens": 16}))
    (folder / "model.onnx").write_bytes(b"not a graph")
    with pytest.raises(AnswerJudgeError, match=str(folder)):
        load_answer_judge(folder).probabilities("how fast", ["it runs"])


def test_probabilities_have_one_row_per_sentence_summing_to_one(folder):
    judge = load_answer_judge(folder, threads=2)
    sentences = ["it runs", "the model runs at ten tokens per second", "very fast", "it"]
    probabilities = judge.probabilities("how fast is it", sentences)
    assert probabilities.shape == (4, 3) and judge.labels == ["off", "about", "answers"]
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)
    assert np.allclose(judge.answers("how fast is it", sentences), probabilities[:, 2])
    assert np.allclose(judge.about("how fast is it", sentences), probabilities[:, 1])
    assert int(np.argmax(judge.answers("how fast is it", sentences))) == 1  # the longest, by the fake's rule
    assert judge.probabilities("how fast is it", []).shape == (0, 3)
    judge.close()


def test_padded_batches_give_what_single_runs_give(folder):
    sentences = ["it runs", "the model runs at ten tokens per second", "very fast"] * 3
    single = AnswerJudge(folder, threads=1).probabilities("how fast", sentences)
    padded = AnswerJudge(folder, batch_size=4).probabilities("how fast", sentences)
    assert np.allclose(single, padded, atol=1e-6)


def test_importing_the_module_loads_nothing():
    code = ("import sys, assistant.retrieval.answer_judge;"
            "print(sorted(m for m in ('onnxruntime', 'tokenizers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


PAIRS = [  # (question, a sentence that answers it, a sentence on the same subject that does not)
    ("What top-1 accuracy does the pruned ResNet-50 keep on ImageNet, and by how much are its FLOPs cut?",
     "On ImageNet, our pruned ResNet-50 keeps 75.8% top-1 accuracy while reducing FLOPs by 42%.",
     "Network pruning removes redundant filters from convolutional networks to make them cheaper to run."),
    ("How many parameters does the distilled language model have, and how much faster is it?",
     "The distilled model has 66 million parameters and runs 60% faster than its teacher.",
     "Knowledge distillation trains a small student model to imitate a large teacher model."),
    ("Which dataset is the monocular depth estimator trained on?",
     "The depth estimator is trained on the KITTI driving dataset with stereo supervision.",
     "Monocular depth estimation predicts the distance of every pixel from a single image."),
    ("What BLEU score does the translation model get on WMT14 English-German?",
     "The model achieves 28.4 BLEU on the WMT14 English-to-German translation task.",
     "Neural machine translation maps a sentence in one language to a sentence in another."),
]


@pytest.mark.integration
def test_the_committed_judge_prefers_the_sentence_that_answers():
    judge = load_answer_judge(DEFAULT_DIR, threads=1)
    assert judge is not None, f"{DEFAULT_DIR} is missing"
    for question, answering, related in PAIRS:
        p_answers = judge.answers(question, [answering, related])
        assert p_answers[0] > p_answers[1], (question, p_answers)
    assert judge.meta["trained_on"] == "dev" and judge.labels == ["off", "about", "answers"]
    judge.close()
