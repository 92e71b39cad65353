"""The paper-assistant command line: a thin layer over :class:`assistant.api.Assistant`.

Heavy imports happen inside the command functions, so ``--help`` is instant. The back-end
names in ``--help`` and in the choices come from the registries.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Callable, Sequence


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
    ingest.set_defaults(func=cmd_ingest)

    search = sub.add_parser("search", help="rank papers for a query")
    search.add_argument("query")
    _retrieval_flags(search)
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=cmd_search)

    ask = sub.add_parser("ask", help="answer a question with cited, verified sources")
    ask.add_argument("question")
    ask.add_argument("--llm", choices=llm_names, help="answer back-end (default: openai if a key is set, else local)")
    ask.add_argument("--model", help="model name (openai) or GGUF path (local)")
    ask.add_argument("--base-url", help="an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1")
    _retrieval_flags(ask)
    ask.add_argument("--json", action="store_true", help="print the whole result as JSON")
    ask.add_argument("--no-stream", action="store_true", help="print the answer when it is complete")
    ask.set_defaults(func=cmd_ask)

    ev = sub.add_parser("eval", help="run the citation-accuracy eval set and write a report")
    ev.add_argument("--questions", type=Path, help="a question file (default eval/questions.jsonl)")
    ev.add_argument("--llm", action="append", choices=llm_names,
                    help="back-end(s) to evaluate; repeat the flag (default: extractive and local, plus openai with a key)")
    ev.add_argument("--mode", action="append", choices=["dense", "bm25", "hybrid"], help="retrieval mode(s); repeat (default: all three)")
    ev.add_argument("--split", choices=["dev", "test", "all"], default="all",
                    help="dev (what calibration fits on), test (held out) or all (default; reported per split)")
    ev.add_argument("--limit", type=int, help="only N questions, spread over the question types")
    ev.add_argument("--out", type=Path, help="report folder (default eval/results/<timestamp>)")
    ev.add_argument("--no-baseline", action="store_true", help="skip llama-index's CitationQueryEngine baseline")
    ev.add_argument("--json", action="store_true", help="print {summary, records} as JSON")
    ev.set_defaults(func=cmd_eval)

    bench = sub.add_parser("bench", help="speed and scale benchmarks (prints figures)")
    bench.add_argument("--sizes", type=int, nargs="*", help="synthetic corpus sizes (default 1000 10000 50000)")
    bench.add_argument("--quick", action="store_true", help="small and fast (about 3 minutes): bundled corpus and 200 synthetic papers")
    bench.add_argument("--keep", type=Path, help="keep the benchmark's corpora and indexes in this folder")
    bench.add_argument("--out", type=Path, help="also write benchmarks.md, bench.json and benchmarks.png here")
    bench.add_argument("--json", action="store_true", help="print {machine, results} as JSON")
    bench.set_defaults(func=cmd_bench)

    serve = sub.add_parser("serve", help="start the local chat page (Gradio)")
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=7860)
    serve.add_argument("--llm", choices=llm_names, help="default answer back-end")
    serve.set_defaults(func=cmd_serve)

    stats = sub.add_parser("stats", help="what the index holds")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=cmd_stats)
    return parser


def _retrieval_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-k", type=int, dest="k", help="how many papers (default 8)")
    parser.add_argument("--mode", choices=["dense", "bm25", "hybrid"], help="retrieval mode (default hybrid)")
    parser.add_argument("--years", type=_years, help="only papers published in YEAR or FROM-TO")


def _assistant(args: argparse.Namespace, **overrides: object):
    from ..config import load_settings
    from ..api import Assistant

    return Assistant(load_settings(data_dir=args.data_dir, **overrides))


def cmd_ingest(args: argparse.Namespace) -> int:
    from .. import IngestError

    assistant = _assistant(args)
    try:
        report = assistant.ingest(args.paths or None, rebuild=args.rebuild, progress=sys.stderr.isatty())
    except IngestError as exc:
        for issue in exc.issues:
            print(f"  {issue}", file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        from .resources import peak_rss_mb

        print(json.dumps(report.to_dict() | {"peak_rss_mb": round(peak_rss_mb(), 1)}, indent=2))
    else:
        print(
            f"{report.papers} papers, {report.chunks} chunks from {len(report.files)} files "
            f"({report.new_papers} new, {report.changed_papers} changed, {report.removed_papers} removed; "
            f"{report.embedded_chunks} chunks embedded, {report.deleted_chunks} deleted) in {report.seconds:.1f}s"
        )
        if report.kept_from_failed_sources:
            print(f"kept {report.kept_from_failed_sources} papers from files that could not be read this time")
    if report.issues:
        print(f"{len(report.issues)} problem(s) in the corpus files:", file=sys.stderr)
        for issue in report.issues:
            print(f"  {issue}", file=sys.stderr)
    return 1 if (args.strict and report.issues) else 0


def cmd_search(args: argparse.Namespace) -> int:
    result = _assistant(args).search(args.query, k=args.k, mode=args.mode, years=args.years)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return 0
    if not result.hits:
        print("No papers found.")
        return 0
    for hit in result.hits:
        paper = hit.paper
        date = paper.published or "date unknown"
        print(f"{hit.rank:>2}. {paper.title}  ({date}; score {hit.score:.4f})")
        print(f"    {_shorten(hit.best_chunk.text, 220)}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from .render import footer, references

    assistant = _assistant(args)
    events = assistant.ask_stream(
        args.question, llm=args.llm, model=args.model, base_url=args.base_url, k=args.k, mode=args.mode, years=args.years,
    )
    stream = not (args.json or args.no_stream)
    result = None
    for event in events:
        if event.kind == "token" and stream:
            print(event.text, end="", flush=True)
        elif event.kind == "reset" and stream:
            print("\n", flush=True)
        elif event.kind == "notice" and not args.json:
            print(f"note: {event.text}", file=sys.stderr, flush=True)
        elif event.kind == "done":
            result = event.result
    assert result is not None
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return 0
    if not stream:
        print(result.answer, end="")
    if not result.answer.endswith("\n"):
        print()
    refs = references(result)
    if refs:
        print(refs)
    late = [n for n in result.notices if n]
    if late:
        print()
        for notice in late:
            print(f"Notice: {notice}")
    print(footer(result), file=sys.stderr)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from ..evaluation import evaluate

    command = "paper-assistant " + " ".join(sys.argv[1:]) if sys.argv[0].endswith("paper-assistant") else "paper-assistant eval"
    run, out = evaluate(_assistant(args), questions=args.questions, split=args.split, limit=args.limit, llms=args.llm,
                        modes=args.mode, baseline=not args.no_baseline, out=args.out, command=command,
                        progress=sys.stderr.isatty())
    if args.json:
        print(json.dumps({"summary": run["summary"], "records": run["records"]}, ensure_ascii=False))
    else:
        print((out / "report.md").read_text())
        print(f"report, results.json and plots in {out}", file=sys.stderr)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from ..bench import run_bench
    from ..config import load_settings

    sizes = args.sizes if args.sizes is not None else ([200] if args.quick else [1000, 10000, 50000])
    say = (lambda m: print(m, file=sys.stderr, flush=True)) if args.json else (lambda m: print(m, flush=True))
    say(f"benchmark: bundled corpus + synthetic {sizes} (figures are printed, not judged)")
    report = run_bench(sizes, quick=args.quick, settings=load_settings(data_dir=args.data_dir), progress=say, keep=args.keep)
    if args.out:
        from ..bench import write

        write(report, args.out, "paper-assistant " + " ".join(sys.argv[1:]))
        say(f"wrote {args.out}/benchmarks.md, bench.json, benchmarks.png")
    if args.json:
        print(json.dumps({"machine": report["machine"], "results": report["results"]}, indent=1))
    else:
        say(f"machine: {report['machine']}; {report['meta']['seconds']} s")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .web import serve

    print(f"paper-assistant page on http://{args.host}:{args.port} (Ctrl+C stops it)", file=sys.stderr)
    serve(_assistant(args), host=args.host, port=args.port, llm=args.llm)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    stats = _assistant(args).stats().to_dict()
    if args.json:
        print(json.dumps(stats, indent=2))
    else:
        for key, value in stats.items():
            print(f"{key:>16}: {value}")
    return 0


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"


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
