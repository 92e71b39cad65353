"""Values fitted on the eval's dev split, read from a versioned data file.

``data/models/calibration.json`` (written by ``python scripts/calibrate.py``) holds one
section per consumer: ``relevance_gate`` (retrieval/relevance.py, the fallback selector)
and ``support`` (answering/support.py, the support judge); the learned selector has its
own file (``selector.json``). Code keeps no copy of these numbers.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from .layout import CALIBRATION_FILE

VERSION = 1


class CalibrationError(ValueError):
    """The calibration file is missing, of another version, or lacks a value."""


def _read(path: Path) -> dict[str, Any]:
    try:
        stamp = path.stat()
    except OSError as exc:
        raise CalibrationError(f"{path}: cannot read the calibration file ({exc.strerror}); "
                               "run python scripts/calibrate.py") from None
    return _parse(path, stamp.st_mtime_ns, stamp.st_size)


@lru_cache(maxsize=8)
def _parse(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CalibrationError(f"{path}: cannot read the calibration file ({exc.strerror}); "
                               "run python scripts/calibrate.py") from None
    except json.JSONDecodeError as exc:
        raise CalibrationError(f"{path}: line {exc.lineno}: not JSON ({exc.msg})") from None
    if data.get("version") != VERSION:
        raise CalibrationError(f"{path} [version]: {data.get('version')!r}, but this code reads version {VERSION}")
    return data


def section(name: str, path: Path | None = None) -> dict[str, Any]:
    """One consumer's fitted values."""
    path = Path(path or CALIBRATION_FILE)
    data = _read(path.resolve())
    if not isinstance(data.get(name), dict):
        raise CalibrationError(f"{path} [{name}]: section is missing")
    return dict(data[name])


def write(path: Path, sections: dict[str, dict[str, Any]], meta: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": VERSION, "meta": meta, **sections}, indent=1) + "\n", encoding="utf-8")
