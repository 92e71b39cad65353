"""Cross-fitted judge scores for calibration: every dev question falls in one fold by its
qid alone, and calibration refuses a folds folder that is not 0..N-1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.evaluation.calibrate import collect_cross_fitted
from assistant.evaluation.judge_report import judge_fold

QUESTIONS = Path(__file__).resolve().parent.parent / "eval" / "questions.jsonl"


def test_folds_depend_on_the_qid_alone_and_split_dev_about_evenly():
    qids = [json.loads(line)["qid"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]
    folds = [judge_fold(qid, 2) for qid in qids]
    assert folds == [judge_fold(qid, 2) for qid in qids]
    assert 0.4 < sum(folds) / len(folds) < 0.6
    assert {judge_fold(qid, 3) for qid in qids} == {0, 1, 2}


@pytest.mark.parametrize("names", [[], ["1"], ["0", "2"]])
def test_a_folds_folder_must_hold_judges_0_to_n_minus_1(tmp_path, names):
    for name in names:
        (tmp_path / name).mkdir()
    with pytest.raises(SystemExit, match="expected judge folders 0..N-1"):
        collect_cross_fitted(Settings(), [], None, tmp_path)
