"""Fit the answer judge on the eval's dev split: a cross-encoder, fine-tuned here on CPU from
all-MiniLM-L6-v2's fp32 weights, that reads (question, abstract sentence) and tells three
things apart: the sentence **answers** what was asked, it is **about** the subject but does
not answer (the rest of the right abstract; a near miss's paper), or it is **off** topic.

    python scripts/train_answer_judge.py [--holdout] [--threads N] [--out data/models/answer-judge]

The pairs come from the dev questions only (``split_of``), of eval/questions.jsonl and of
eval/added/; ``--split test`` is refused. The fit (:class:`Recipe`) is sized for a few
minutes on 2 cores: short pairs (``MAX_TOKENS``), three off-topic pairs per question,
batches of similar length, one epoch at a high learning rate, the embeddings frozen, bfloat16
autocast where the CPU computes it natively. :func:`export` writes the
fitted model as an int8 ONNX graph with its tokenizer, checked against torch. torch,
transformers and onnxruntime are imported when they are needed.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from ..text import split_sentences

if TYPE_CHECKING:
    from .evaluate import Question

LABELS = ("off", "about", "answers")
OFF, ABOUT, ANSWERS = range(3)
MAX_TOKENS = 128  # question + sentence; 96% of the dev pairs fit whole
VERSION = 2  # of the recipe and the folder (judge.json); 1 was the 3-epoch fit of 192 tokens
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an the of in on for to and or with by from at as is are was were be been which what how does do did "
    "that this these those any papers paper work works study studies their its it each two one use using".split()
)


@dataclass(frozen=True)
class Pair:
    qid: str
    question: str
    sentence: str
    label: int


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def _overlaps(sentence: str, spans: Sequence[str]) -> bool:
    """The sentence holds (part of) a gold span: one contains the other, or they share most words."""
    for span in spans:
        if span in sentence or sentence in span:
            return True
        a, b = _words(sentence), _words(span)
        if a and b and len(a & b) / min(len(a), len(b)) >= 0.6:
            return True
    return False


def question_pairs(q: "Question", abstracts: dict[str, str], extra_spans: dict[str, list[str]],
                   rng: random.Random, off_per_question: int = 6) -> list[Pair]:
    """Labelled (question, sentence) pairs for one question (see the module's docstring)."""
    pairs: list[Pair] = []
    used = set(q.gold_titles) | set(q.related_titles)
    for title in q.gold_titles:
        spans = [q.evidence.get(title, "")] + extra_spans.get(title, [])
        spans = [s for s in spans if s]
        for sentence in split_sentences(abstracts[title]):
            text = sentence.text
            if _overlaps(text, spans) or any(f in text for f in q.gold_facts):
                pairs.append(Pair(q.qid, q.question, text, ANSWERS))
            elif q.type != "topic_list":  # a list question's paper is on topic in every sentence
                pairs.append(Pair(q.qid, q.question, text, ABOUT))
    for title in q.related_titles:
        for sentence in split_sentences(abstracts.get(title, "")):
            pairs.append(Pair(q.qid, q.question, sentence.text, ABOUT))
    # off topic: the sentences of other papers that share the most words with the question
    # (hard negatives; gold lists are complete), and a few random ones
    asked = _words(q.question)
    others = [t for t in abstracts if t not in used]
    scored = sorted(((len(asked & _words(s.text)), s.text) for t in others for s in split_sentences(abstracts[t])),
                    key=lambda x: -x[0])
    hard = [text for hits, text in scored[: off_per_question // 2] if hits]
    easy = [rng.choice(split_sentences(abstracts[rng.choice(others)])).text for _ in range(off_per_question - len(hard))]
    pairs += [Pair(q.qid, q.question, text, OFF) for text in hard + easy]
    return pairs


def build_pairs(questions: Iterable["Question"], abstracts: dict[str, str], extra: dict[str, dict[str, list[str]]],
                seed: int = 0, off_per_question: int = 3) -> list[Pair]:
    """Every answers and about pair of these questions, and ``off_per_question`` off-topic ones each."""
    rng = random.Random(seed)
    out: list[Pair] = []
    for q in questions:
        out += question_pairs(q, abstracts, extra.get(q.qid, {}), rng, off_per_question)
    return out


@dataclass(frozen=True)
class Recipe:
    """How the judge is fitted; judge.json and the holdout figures record it."""

    epochs: int = 1
    batch_size: int = 16
    lr: float = 1.5e-4
    train_layers: int = 6  # the top N encoder layers are fitted, those below and the embeddings frozen
    off_per_question: int = 3
    max_tokens: int = MAX_TOKENS
    bf16: bool = True  # torch.autocast to bfloat16 (about 1.5x faster where the CPU has AVX512-BF16)
    seed: int = 0


def bf16_is_fast() -> bool:
    """Whether this CPU computes bfloat16 natively (elsewhere autocast would be slower than fp32)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def length_batches(pairs: Sequence[Pair], batch_size: int, rng: random.Random) -> list[list[Pair]]:
    """The pairs shuffled, cut in batches of similar length (little padding), in random order."""
    order = list(pairs)
    rng.shuffle(order)
    span = batch_size * 16
    out: list[list[Pair]] = []
    for start in range(0, len(order), span):
        chunk = sorted(order[start : start + span], key=lambda p: len(p.question) + len(p.sentence))
        out += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(out)
    return out




class JudgeModel:
    """The fine-tuned cross-encoder in torch (training and measuring); :func:`export` writes ONNX."""

    def __init__(self, base: Path, recipe: Recipe = Recipe()):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        torch.manual_seed(recipe.seed)
        self.torch = torch
        self.recipe = recipe
        self.tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
        self.model = AutoModelForSequenceClassification.from_pretrained(
            str(base), num_labels=len(LABELS), local_files_only=True, attn_implementation="eager")

    def batch(self, questions: Sequence[str], sentences: Sequence[str]):
        return self.tokenizer(list(questions), list(sentences), truncation="longest_first",
                              max_length=self.recipe.max_tokens, padding=True, return_tensors="pt")

    def _trained(self) -> list:
        """Freezes the embeddings and the layers below the top ``train_layers``; the rest."""
        below = self.model.config.num_hidden_layers - self.recipe.train_layers
        frozen = ("bert.embeddings.",) + tuple(f"bert.encoder.layer.{i}." for i in range(below))
        for name, parameter in self.model.named_parameters():
            parameter.requires_grad = not name.startswith(frozen)
        return [p for p in self.model.parameters() if p.requires_grad]

    def fit(self, pairs: Sequence[Pair], log=print) -> None:
        torch, recipe = self.torch, self.recipe
        rng = random.Random(recipe.seed)
        counts = np.bincount([p.label for p in pairs], minlength=len(LABELS))
        weights = torch.tensor(counts.sum() / (len(LABELS) * np.maximum(counts, 1)), dtype=torch.float32)
        loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
        trained = self._trained()
        optimizer = torch.optim.AdamW(trained, lr=recipe.lr, weight_decay=0.01)
        steps = recipe.epochs * ((len(pairs) + recipe.batch_size - 1) // recipe.batch_size)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: min(1.0, (step + 1) / max(1, steps // 10)) * max(0.0, 1 - step / steps))
        self.model.train()
        for epoch in range(recipe.epochs):
            total = 0.0
            for batch in length_batches(pairs, recipe.batch_size, rng):
                inputs = self.batch([p.question for p in batch], [p.sentence for p in batch])
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=recipe.bf16):
                    logits = self.model(**inputs).logits
                loss = loss_fn(logits.float(), torch.tensor([p.label for p in batch]))
                loss.backward()
                torch.nn.utils.clip_grad_norm_(trained, 1.0)
                optimizer.step()
                schedule.step()
                optimizer.zero_grad()
                total += float(loss.detach()) * len(batch)
            log(f"  epoch {epoch + 1}/{recipe.epochs}: loss {total / len(pairs):.3f}")
        self.model.eval()

    def logits(self, questions: Sequence[str], sentences: Sequence[str]) -> np.ndarray:
        with self.torch.no_grad():
            return self.model(**self.batch(questions, sentences)).logits.numpy()

    def probabilities(self, question: str, sentences: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """(n, 3) probabilities of off / about / answers for each sentence."""
        out = [softmax(self.logits([question] * len(sentences[i : i + batch_size]), sentences[i : i + batch_size]))
               for i in range(0, len(sentences), batch_size)]
        return np.concatenate(out) if out else np.zeros((0, len(LABELS)))


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _onnx_logits(path: Path, tokenizer_file: Path, pairs: Sequence[Pair], max_tokens: int) -> np.ndarray:
    """The graph's logits for these pairs, one run each (an int8 graph quantises per run)."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.enable_truncation(max_tokens)
    tokenizer.no_padding()
    out = []
    for pair in pairs:
        e = tokenizer.encode(pair.question, pair.sentence)
        feeds = {name: np.array([values], dtype=np.int64) for name, values in
                 (("input_ids", e.ids), ("attention_mask", e.attention_mask), ("token_type_ids", e.type_ids))}
        out.append(session.run(None, feeds)[0][0])
    return np.array(out)


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    ranks = [np.argsort(np.argsort(x)).astype(float) for x in (a, b)]
    return float(np.corrcoef(*ranks)[0, 1])


def _export_fp32(judge: JudgeModel, path: Path, checks: Sequence[Pair], tokenizer_file: Path
                 ) -> tuple[np.ndarray, float]:
    """Writes the fp32 graph (opset 17, dynamic batch and sequence); its logits on ``checks``
    and their largest gap from torch's, refused over 1e-3."""
    names = ["input_ids", "attention_mask", "token_type_ids"]
    inputs = judge.batch([p.question for p in checks[:2]], [p.sentence for p in checks[:2]])
    axes = {name: {0: "batch", 1: "sequence"} for name in names} | {"logits": {0: "batch"}}
    judge.torch.onnx.export(judge.model, tuple(inputs[n] for n in names), str(path), input_names=names,
                            output_names=["logits"], dynamic_axes=axes, opset_version=17, dynamo=False)
    logits = _onnx_logits(path, tokenizer_file, checks, judge.recipe.max_tokens)
    expected = np.concatenate([judge.logits([p.question], [p.sentence]) for p in checks])
    gap = float(np.abs(logits - expected).max())
    if gap > 1e-3:
        raise RuntimeError(f"the fp32 ONNX graph's logits differ from torch's by {gap:.2g} (over 1e-3)")
    return logits, gap


def export(judge: JudgeModel, folder: Path, checks: Sequence[Pair], meta: dict) -> dict:
    """Writes ``folder``: model.onnx (int8, dynamic quantisation), the tokenizer and judge.json
    (``meta``, the graph's sha256 and the checks). The fp32 graph, a temporary file, must give
    torch's logits within 1e-3 on ``checks``; the int8 one's P(answers) is compared with it."""
    import tempfile

    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder.mkdir(parents=True, exist_ok=True)
    judge.tokenizer.save_pretrained(str(folder))
    with tempfile.TemporaryDirectory() as scratch:
        fp32 = Path(scratch) / "model-fp32.onnx"
        full, gap = _export_fp32(judge, fp32, checks, folder / "tokenizer.json")
        quantize_dynamic(str(fp32), str(folder / "model.onnx"), weight_type=QuantType.QInt8)
    int8 = _onnx_logits(folder / "model.onnx", folder / "tokenizer.json", checks, judge.recipe.max_tokens)
    p_full, p_int8 = softmax(full), softmax(int8)
    meta = dict(meta, model_sha256=hashlib.sha256((folder / "model.onnx").read_bytes()).hexdigest(), onnx_checks={
        "pairs": len(checks), "fp32_vs_torch_max_logit_gap": float(f"{gap:.2g}"),
        "int8_vs_fp32_spearman_p_answers": round(_spearman(p_full[:, ANSWERS], p_int8[:, ANSWERS]), 4),
        "int8_vs_fp32_same_label": round(float((p_full.argmax(1) == p_int8.argmax(1)).mean()), 4),
        "int8_vs_fp32_max_p_gap": round(float(np.abs(p_full - p_int8).max()), 4)})
    (folder / "judge.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta
