"""Fit the answer judge on the eval's dev split: a cross-encoder, fine-tuned here on CPU from
all-MiniLM-L6-v2's fp32 weights, that reads (question, abstract sentence) and tells three
things apart: the sentence **answers** what was asked, it is **about** the subject but does
not answer (the rest of the right abstract; a near miss's paper), or it is **off** topic.

    python scripts/train_answer_judge.py [--epochs 3] [--out data/models/answer-judge]

The pairs come from the dev questions only (``split_of``), of eval/questions.jsonl and of
eval/added/; ``--split test`` is refused. Test is scored once at the end, for the report, and
never used for a choice. torch and transformers are imported when training starts.
"""

from __future__ import annotations

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
MAX_TOKENS = 192
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
                seed: int = 0) -> list[Pair]:
    rng = random.Random(seed)
    out: list[Pair] = []
    for q in questions:
        out += question_pairs(q, abstracts, extra.get(q.qid, {}), rng)
    return out


class JudgeModel:
    """The fine-tuned cross-encoder in torch (training and measuring); ``export`` writes ONNX."""

    def __init__(self, base: Path, seed: int = 0):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        torch.manual_seed(seed)
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
        self.model = AutoModelForSequenceClassification.from_pretrained(
            str(base), num_labels=len(LABELS), local_files_only=True)

    def _batch(self, questions: Sequence[str], sentences: Sequence[str]):
        return self.tokenizer(list(questions), list(sentences), truncation="longest_first", max_length=MAX_TOKENS,
                              padding=True, return_tensors="pt")

    def fit(self, pairs: Sequence[Pair], epochs: int = 3, batch_size: int = 16, lr: float = 4e-5,
            seed: int = 0, log=print) -> None:
        torch = self.torch
        rng = random.Random(seed)
        counts = np.bincount([p.label for p in pairs], minlength=len(LABELS))
        weights = torch.tensor(counts.sum() / (len(LABELS) * np.maximum(counts, 1)), dtype=torch.float32)
        loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
        optimizer = torch.optim.AdamW(self.model.parameters(), lr=lr, weight_decay=0.01)
        steps = epochs * ((len(pairs) + batch_size - 1) // batch_size)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: min(1.0, (step + 1) / max(1, steps // 10)) * max(0.0, 1 - step / steps))
        self.model.train()
        order = list(pairs)
        for epoch in range(epochs):
            rng.shuffle(order)
            total = 0.0
            for start in range(0, len(order), batch_size):
                batch = order[start : start + batch_size]
                inputs = self._batch([p.question for p in batch], [p.sentence for p in batch])
                loss = loss_fn(self.model(**inputs).logits, torch.tensor([p.label for p in batch]))
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                optimizer.step()
                schedule.step()
                optimizer.zero_grad()
                total += float(loss.detach()) * len(batch)
            log(f"  epoch {epoch + 1}/{epochs}: loss {total / len(order):.3f}")
        self.model.eval()

    def probabilities(self, question: str, sentences: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """(n, 3) probabilities of off / about / answers for each sentence."""
        torch = self.torch
        out = []
        with torch.no_grad():
            for start in range(0, len(sentences), batch_size):
                chunk = sentences[start : start + batch_size]
                logits = self.model(**self._batch([question] * len(chunk), chunk)).logits
                out.append(torch.softmax(logits, dim=-1).numpy())
        return np.concatenate(out) if out else np.zeros((0, len(LABELS)))

    def save(self, folder: Path, report: dict) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(str(folder))
        self.tokenizer.save_pretrained(str(folder))
        (folder / "fit.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

