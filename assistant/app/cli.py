"""The paper-assistant command line: a thin layer over :class:`assistant.api.Assistant`.

Heavy imports happen inside the command functions, so ``--help`` is instant. The back-end
names in ``--help`` and in the choices come from the registries.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Callable, Sequence

# the defaults of settings.retrieval.top_k (search) and settings.selection.candidate_papers
# (ask), written here so that --help needs no settings; tests/test_cli.py checks they agree
TOP_K = 8
CANDIDATE_PAPERS = 15


def _years(text: str) -> tuple[int, int]:
    """--years YEAR or FROM-TO (argparse names the flag in the error)."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected YEAR or FROM-TO with four-digit years (e.g. 2021-2023), got {text!r}")
    start = int(match.group(1))
    end = int(match.group(2) or start)
    if start > end:
        raise argparse.ArgumentTypeError(f"the range {text!r} is reversed: FROM ({start}) is after TO ({end}); write {end}-{start}")
    return start, end


def build_parser() -> argparse.ArgumentParser:
    from .. import EMBEDDERS, LLMS, RERANKERS, VECTOR_STORES
    from ..retrieval import MODES
    from . import commands, research

    llm_names = LLMS.names()
    parser = argparse.ArgumentParser(
        prog="paper-assistant",
        description="Ask questions about a corpus of research-paper abstracts; answers cite their sources.",
        epilog=f"LLM back-ends: {LLMS.describe()}. Embedders (PAPER_ASSISTANT_EMBEDDER): {EMBEDDERS.describe()}. "
               f"Rerankers (PAPER_ASSISTANT_RERANKER): {RERANKERS.describe()}. "
               f"Vector stores (PAPER_ASSISTANT_VECTOR_STORE): {VECTOR_STORES.describe()}.",
    )
    parser.add_argument("--data-dir", type=Path, help="where the index lives (env PAPER_ASSISTANT_DATA_DIR)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show the libraries' own logs and warnings too (env PAPER_ASSISTANT_LOG=debug)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = sub.add_parser("ingest", help="add corpus files (listing .txt or .jsonl) to the index")
    ingest.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: bundled corpus)")
    ingest.add_argument("--rebuild", action="store_true", help="start the index over from these sources")
    ingest.add_argument("--strict", action="store_true", help="exit non-zero on any corpus problem")
    ingest.add_argument("--json", action="store_true", help="print the report as JSON")
    ingest.set_defaults(func=commands.cmd_ingest)

    search = sub.add_parser("search", help="rank papers for a query")
    search.add_argument("query")
    _retrieval_flags(search, papers=TOP_K)
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=commands.cmd_search)

    ask = sub.add_parser("ask", help="answer a question with cited, verified sources")
    ask.add_argument("question")
    ask.add_argument("--llm", choices=llm_names, help="answer back-end (default: openai if a key is set, else local)")
    ask.add_argument("--model", help="model name (openai) or GGUF path (local)")
    ask.add_argument("--base-url", help="an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1")
    _retrieval_flags(ask, papers=CANDIDATE_PAPERS, what="candidate papers the selection step looks at")
    ask.add_argument("--table", nargs="?", const="markdown", choices=["markdown", "csv"],
                     help="also print a comparison table of the cited papers (verbatim spans: task, method, "
                          "data sets, result), as markdown (the default) or csv")
    ask.add_argument("--export", choices=["bibtex", "csv", "markdown"], help="write the cited papers in this format (see --out)")
    ask.add_argument("--out", type=Path, help="the file for --export (default: standard output)")
    ask.add_argument("--json", action="store_true", help="print the whole result as JSON")
    ask.add_argument("--no-stream", action="store_true", help="print the answer when it is complete")
    ask.set_defaults(func=commands.cmd_ask)

    ev = sub.add_parser("eval", help="run the citation-accuracy eval set and write a report")
    ev.add_argument("--questions", type=Path, help="a question file (default eval/questions.jsonl)")
    ev.add_argument("--llm", action="append", choices=llm_names,
                    help="back-end(s) to evaluate; repeat the flag (default: extractive and local, plus openai with a key)")
    ev.add_argument("--mode", action="append", choices=MODES, help="retrieval mode(s); repeat (default: all of them)")
    ev.add_argument("--split", choices=["dev", "test", "all"], default="all",
                    help="dev (what calibration fits on), test (held out) or all (default; reported per split)")
    ev.add_argument("--limit", type=int, help="only N questions, spread over the question types")
    ev.add_argument("--out", type=Path, help="report folder (default eval/results/<timestamp>)")
    ev.add_argument("--no-baseline", action="store_true", help="skip llama-index's CitationQueryEngine baseline")
    ev.add_argument("--json", action="store_true", help="print {summary, records} as JSON")
    ev.set_defaults(func=commands.cmd_eval)

    bench = sub.add_parser("bench", help="speed and scale benchmarks (prints figures)")
    bench.add_argument("--sizes", type=int, nargs="*", help="synthetic corpus sizes (default 1000 10000 50000)")
    bench.add_argument("--quick", action="store_true", help="small and fast (about 6 minutes): the bundled corpus, and search at 10,000 synthetic papers over pre-made vectors")
    bench.add_argument("--keep", type=Path, help="keep the benchmark's corpora and indexes in this folder")
    bench.add_argument("--out", type=Path, help="also write benchmarks.md, bench.json and benchmarks.png here")
    bench.add_argument("--json", action="store_true", help="print {machine, results} as JSON")
    bench.set_defaults(func=commands.cmd_bench)

    serve = sub.add_parser("serve", help="start the local chat page (Gradio)")
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=7860)
    serve.add_argument("--llm", choices=llm_names, help="default answer back-end")
    serve.set_defaults(func=commands.cmd_serve)

    llm = sub.add_parser("serve-llm", help="start llama.cpp's OpenAI-compatible server with a local GGUF model")
    llm.add_argument("--model", default="qwen", help="qwen (scripts/setup.sh --with-qwen installs it), smollm2, "
                     "or a GGUF path (default qwen)")
    llm.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1: this machine only)")
    llm.add_argument("--port", type=int, default=8080)
    llm.add_argument("--n-ctx", type=int, default=8192, help="context window in tokens (default 8192)")
    llm.add_argument("--threads", type=int, help="CPU threads (default: all cores)")
    llm.add_argument("--n-gpu-layers", type=int, default=0, help="layers to offload to a GPU (-1: all; needs a CUDA "
                     "or Metal build of llama-cpp-python)")
    llm.set_defaults(func=commands.cmd_serve_llm)

    stats = sub.add_parser("stats", help="what the index holds")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=commands.cmd_stats)
    research.add_commands(sub, _retrieval_flags)
    return parser


def _retrieval_flags(parser: argparse.ArgumentParser, papers: int = TOP_K, what: str = "how many papers") -> None:
    parser.add_argument("-k", type=int, dest="k", help=f"{what} (default {papers})")
    from ..retrieval import MODES

    parser.add_argument("--mode", choices=MODES, help="retrieval mode (default hybrid)")
    parser.add_argument("--years", type=_years, help="only papers published in YEAR or FROM-TO "
                        "(wins over a date phrase in the question such as 'since 2023')")
    parser.add_argument("--only", metavar="SUBSET", help="search only these papers: a year range (2021-2023), a "
                        "registered corpus file or folder, or paper ids separated by commas")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.func
    try:
        from .logs import configure

        configure(verbose=args.verbose)
        return handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # the user gets one line; PAPER_ASSISTANT_DEBUG=1 shows the traceback
        import os

        if os.environ.get("PAPER_ASSISTANT_DEBUG"):
            raise
        print(f"error: {type(exc).__name__}: {exc} (set PAPER_ASSISTANT_DEBUG=1 for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
