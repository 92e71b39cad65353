"""Where everything lives on disk: the project's own files and the data directory.

This is the only module that knows the data directory's layout::

    <data_dir>/catalog.sqlite        papers, chunks, sources, sentence vectors (index/catalog.py)
    <data_dir>/chroma/               embedded Chroma (index/vectorstore.py)
    <data_dir>/bm25/<collection>/    the BM25 index of one embedder's collection (index/bm25.py)
    <data_dir>/uploads/              corpus files added on the web page
    <data_dir>/ingest.lock           one ingest at a time (index/ingest.py)

and of the project's bundled files: the corpus, the prompts, and the models and
thresholds fitted on the eval's dev split (data/models/).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PROJECT_ROOT / "data" / "corpus"
PROMPTS_DIR = PROJECT_ROOT / "prompts"
MODELS_DIR = PROJECT_ROOT / "data" / "models"
SELECTOR_MODEL = MODELS_DIR / "selector.json"
CALIBRATION_FILE = MODELS_DIR / "calibration.json"
ANSWER_JUDGE = MODELS_DIR / "answer-judge"  # written by scripts/train_answer_judge.py
EVAL_QUESTIONS = PROJECT_ROOT / "eval" / "questions.jsonl"
EVAL_RESULTS = PROJECT_ROOT / "eval" / "results"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "paper-assistant"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "paper-assistant"


@dataclass(frozen=True)
class DataLayout:
    """The paths of one data directory (nothing is created until asked)."""

    root: Path

    @property
    def catalog(self) -> Path:
        return self.root / "catalog.sqlite"

    @property
    def chroma(self) -> Path:
        return self.root / "chroma"

    def bm25(self, collection: str) -> Path:
        return self.root / "bm25" / collection

    @property
    def uploads(self) -> Path:
        return self.root / "uploads"

    @property
    def ingest_lock(self) -> Path:
        return self.root / "ingest.lock"

    def ensure(self) -> "DataLayout":
        self.root.mkdir(parents=True, exist_ok=True)
        return self

    def upload_target(self, name: str) -> Path:
        """Where an uploaded file called ``name`` is kept (the caller makes the name safe)."""
        self.uploads.mkdir(parents=True, exist_ok=True)
        return self.uploads / name
