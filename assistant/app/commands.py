"""The CLI's core commands: ingest, search, ask, eval, bench, serve, stats (the parser is in cli.py)."""

from __future__ import annotations

import argparse
import json
import sys

from .session import assistant_for as _assistant


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
    for watched in report.watched if not args.json else []:
        print(watched.line())
    if report.issues:
        print(f"{len(report.issues)} problem(s) in the corpus files:", file=sys.stderr)
        for issue in report.issues:
            print(f"  {issue}", file=sys.stderr)
    return 1 if (args.strict and report.issues) else 0


def cmd_search(args: argparse.Namespace) -> int:
    result = _assistant(args).search(args.query, k=args.k, mode=args.mode, years=args.years, only=args.only)
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
        only=args.only,
    )
    stream = not (args.json or args.no_stream or (args.export and not args.out))
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
    if args.export:
        from .. import export_answer

        text = export_answer(result, args.export)
        if not args.out:
            print(text, end="")
            return 0
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {len(result.citations)} cited paper(s) as {args.export} to {args.out}", file=sys.stderr)
    if args.json:
        data = result.to_dict()
        if args.table:
            data["table"] = table_rows(result)
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    if not stream:
        print(result.answer, end="")
    if not result.answer.endswith("\n"):
        print()
    refs = references(result)
    if refs:
        print(refs)
    if args.table:
        from .. import comparison_table, table_csv, table_markdown

        render = table_csv if args.table == "csv" else table_markdown
        print()
        print(render(comparison_table([s.paper for s in result.sources], result.question)) if result.sources
              else "(no table: no paper was cited)")
    late = [n for n in result.notices if n]
    if late:
        print()
        for notice in late:
            print(f"Notice: {notice}")
    print(footer(result), file=sys.stderr)
    return 0


def table_rows(result) -> list[dict]:
    """The comparison table of an answer's cited papers, as JSON rows (text and offsets of each cell)."""
    from .. import comparison_table

    rows = comparison_table([s.paper for s in result.sources], result.question)
    return [{"paper_id": r.paper_id, "title": r.title,
             **{name: {"text": c.text, "start": c.start, "end": c.end} for name, c in r.cells.items()}} for r in rows]


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

    sizes = args.sizes if args.sizes is not None else ([10000] if args.quick else [1000, 10000, 50000])
    say = (lambda m: print(m, file=sys.stderr, flush=True)) if args.json else (lambda m: print(m, flush=True))
    say(f"benchmark: bundled corpus + synthetic {sizes} (figures are printed, not judged)")
    report = run_bench(sizes, quick=args.quick, settings=load_settings(data_dir=args.data_dir), progress=say, keep=args.keep)
    if args.out:
        from ..bench import write

        write(report, args.out, "paper-assistant " + " ".join(sys.argv[1:]))
        say(f"wrote {args.out}/benchmarks.md, bench.json, benchmarks.png")
    if args.json:
        print(json.dumps({"machine": report["machine"], "results": report["results"], "ratios": report["ratios"]},
                         indent=1))
    else:
        say("\nagainst llama-index's default path, this run (ours / peer):")
        for r in report["ratios"]:
            say(f"  {r['name']:<46} {r['ours']:>9.2f} / {r['peer']:<9.2f} {r['unit']:<9} = {r['ratio']:5.2f}  target {r['target']}")
        say(f"machine: {report['machine']}; {report['meta']['seconds']} s")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .web import serve

    print(f"paper-assistant page on http://{args.host}:{args.port} (Ctrl+C stops it)", file=sys.stderr)
    serve(_assistant(args), host=args.host, port=args.port, llm=args.llm)
    return 0


def cmd_serve_llm(args: argparse.Namespace) -> int:
    """llama.cpp's OpenAI-compatible server (llama_cpp.server) with a local model, in the foreground."""
    import os
    import subprocess

    from .. import load_settings
    from ..answering import resolve_model

    path = resolve_model(args.model, load_settings().storage.model_cache_dir)
    threads = args.threads or os.cpu_count() or 1
    url = f"http://{args.host}:{args.port}/v1"
    print(f"{path.name} at {url} ({threads} threads, context {args.n_ctx}, {args.n_gpu_layers} GPU layers; Ctrl+C "
          f"stops it)\nanswer with it: PAPER_ASSISTANT_OPENAI_CONTEXT={args.n_ctx} PAPER_ASSISTANT_LLM_TIMEOUT_S=600 "
          f"paper-assistant ask \"...\" --llm openai --base-url {url} --model {args.model}",
          file=sys.stderr)
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--host", args.host,
               "--port", str(args.port), "--n_ctx", str(args.n_ctx), "--n_threads", str(threads),
               "--n_gpu_layers", str(args.n_gpu_layers),
               "--interrupt_requests", "False"]  # queue a second request: its default cuts off the first one's reply
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 130


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
