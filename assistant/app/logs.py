"""What reaches the user's terminal: the project's own lines, not its libraries' logs.

bm25s, onnxruntime, chromadb, httpx, gradio, llama.cpp, llama-index and the rest log at
their own levels, some through the root logger and some from C++. By default only
records of the ``assistant`` loggers pass, with errors from libraries rephrased as one
line that names the library; Python warnings go to logging (and so are hidden too), and
onnxruntime's native logger is set to errors only. ``--verbose`` or
``PAPER_ASSISTANT_LOG=debug`` shows everything, as the libraries wrote it.

Only the entry points (the CLI, app.py) call :func:`configure`: importing the library
changes no logging.
"""

from __future__ import annotations

import logging
import os
import sys

LEVELS = {"quiet": logging.WARNING, "info": logging.INFO, "debug": logging.DEBUG}
PROJECT = "assistant"


def requested_level(verbose: bool = False) -> str:
    """quiet (the default), info or debug, from --verbose or PAPER_ASSISTANT_LOG."""
    if verbose:
        return "debug"
    wanted = os.environ.get("PAPER_ASSISTANT_LOG", "quiet").strip().lower() or "quiet"
    if wanted not in LEVELS:
        raise ValueError(f"PAPER_ASSISTANT_LOG: {wanted!r} is not one of {', '.join(LEVELS)}")
    return wanted


class _OwnLinesOnly(logging.Filter):
    """Pass the project's records; of other loggers' records only errors, rephrased."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == PROJECT or record.name.startswith(PROJECT + "."):
            return True
        if record.levelno < logging.ERROR:
            return False
        library = record.name.split(".")[0] if record.name != "root" else "a library"
        record.msg, record.args = f"{library} reported an error: {record.getMessage()}", None
        return True


def configure(verbose: bool = False) -> str:
    """Set up logging for a command-line or page session; returns the level in force."""
    level = requested_level(verbose)
    if verbose:
        os.environ["PAPER_ASSISTANT_LOG"] = "debug"  # child processes and native loggers see it too
    root = logging.getLogger()
    for handler in list(root.handlers):  # a library's basicConfig() must not decide what is shown
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    if level == "debug":
        handler.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
        root.setLevel(logging.DEBUG)
    else:
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.addFilter(_OwnLinesOnly())
        root.setLevel(LEVELS[level])
        os.environ.setdefault("ORT_LOGGING_LEVEL", "3")  # onnxruntime's C++ logger: errors only
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    root.addHandler(handler)
    logging.captureWarnings(True)  # warnings.warn(...) from libraries become py.warnings records
    logging.getLogger(PROJECT).setLevel(logging.DEBUG if level == "debug" else logging.INFO)
    return level


def quiet_native() -> bool:
    """True unless the user asked for the libraries' own output (native loggers check this)."""
    return requested_level() != "debug"
