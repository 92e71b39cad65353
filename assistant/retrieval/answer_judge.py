"""The answer judge at run time: a cross-encoder fitted on the eval's dev split
(assistant/evaluation/judge_fit.py, ``python scripts/train_answer_judge.py``) that reads
(question, abstract sentence) and gives three probabilities: the sentence is **off** topic,
**about** the subject without answering, or **answers** what was asked.

Its folder (data/models/answer-judge/) holds an int8 ONNX graph (model.onnx), the
tokenizer (tokenizer.json) and judge.json (version, labels, max_tokens, the recipe and its dev
figures). Nothing is read at import time; the folder is read, and onnxruntime and tokenizers
imported, on first use. A folder that is missing files or unreadable raises
:class:`AnswerJudgeError` naming its path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from ..index.onnx_common import OnnxModel, batches
from ..layout import ANSWER_JUDGE

DEFAULT_DIR = ANSWER_JUDGE  # data/models/answer-judge
FILES = ("model.onnx", "tokenizer.json", "judge.json")


class AnswerJudgeError(RuntimeError):
    """The judge's folder is missing, incomplete or unreadable (the message names it)."""


def read_meta(folder: Path) -> dict:
    """judge.json, once the folder's files are checked: labels, max_tokens, version, figures."""
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise AnswerJudgeError(f"the answer judge at {folder} lacks {', '.join(missing)}; "
                               "fit it with `python scripts/train_answer_judge.py`")
    try:
        meta = json.loads((folder / "judge.json").read_text(encoding="utf-8"))
        labels, max_tokens = list(meta["labels"]), int(meta["max_tokens"])
    except (ValueError, KeyError, TypeError) as error:
        raise AnswerJudgeError(f"{folder / 'judge.json'} is unreadable: {error!r}") from None
    if "answers" not in labels or max_tokens < 8:
        raise AnswerJudgeError(f"{folder / 'judge.json'} has no 'answers' label or too few max_tokens")
    return meta


class AnswerJudge(OnnxModel):
    """The judge's ONNX graph and tokenizer from ``folder``, opened on first use.

    ``batch_size`` 1 (the default) runs each pair on its own, several at once
    (:meth:`OnnxModel.each`): the int8 graph quantises activations per run, so a pair's
    probabilities do not depend on the sentences scored beside it. A larger size pads that
    many pairs into one run."""

    max_tokens = 128  # judge.json's value replaces it on load

    def __init__(self, folder: Path = DEFAULT_DIR, threads: int | None = None, batch_size: int = 1):
        super().__init__(threads)
        self.folder = Path(folder)
        self.batch_size = batch_size
        self.meta: dict | None = None

    def _files(self) -> tuple[Path, Path]:
        self.meta = read_meta(self.folder)
        self.max_tokens = int(self.meta["max_tokens"])
        return self.folder / "model.onnx", self.folder / "tokenizer.json"

    def _load(self):
        try:
            return super()._load()
        except AnswerJudgeError:
            raise
        except Exception as error:  # onnxruntime's and tokenizers' own errors
            raise AnswerJudgeError(f"the answer judge at {self.folder} could not be loaded: {error}") from error

    @property
    def labels(self) -> list[str]:
        self._load()
        return list(self.meta["labels"])

    def _logits_one(self, session, tokenizer, pair: tuple[str, str]) -> np.ndarray:
        encoded = tokenizer.encode(*pair)
        feeds = {"input_ids": np.array([encoded.ids], dtype=np.int64),
                 "attention_mask": np.array([encoded.attention_mask], dtype=np.int64),
                 "token_type_ids": np.array([encoded.type_ids], dtype=np.int64)}
        return session.run(None, feeds)[0][0]

    def _logits(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        if self.batch_size == 1:
            return np.array(self.each(pairs, self._logits_one), dtype=np.float32)
        session, tokenizer = self._load()
        logits = np.zeros((len(pairs), len(self.meta["labels"])), dtype=np.float32)
        for batch, feeds in batches(tokenizer, pairs, self.batch_size):
            logits[batch] = session.run(None, feeds)[0]
        return logits

    def probabilities(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """(len(sentences), 3) probabilities, columns in :attr:`labels` order (off, about, answers)."""
        if not sentences:
            self._load()
            return np.zeros((0, len(self.meta["labels"])), dtype=np.float32)
        logits = self._logits([(question, sentence) for sentence in sentences])
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)

    def answers(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """P(answers) for each sentence: it answers what the question asks."""
        return self._column(question, sentences, "answers")

    def about(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """P(about) for each sentence: on the question's subject, without answering it."""
        return self._column(question, sentences, "about")

    def _column(self, question: str, sentences: Sequence[str], label: str) -> np.ndarray:
        probabilities = self.probabilities(question, sentences)
        return probabilities[:, self.meta["labels"].index(label)]


def load_answer_judge(path: Path | str = DEFAULT_DIR, threads: int | None = None) -> AnswerJudge | None:
    """The judge in ``path`` (its files checked now, the graph opened on first use), or None
    when the folder does not exist. A folder that exists but is incomplete or unreadable
    raises :class:`AnswerJudgeError`."""
    folder = Path(path)
    if not folder.exists():
        return None
    if not folder.is_dir():
        raise AnswerJudgeError(f"the answer judge's path {folder} is not a folder")
    read_meta(folder)
    return AnswerJudge(folder, threads)
