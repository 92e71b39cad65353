"""The CLI's research commands: similar papers, saved questions that watch the corpus,
and removing a corpus source (the parser is in cli.py; the library does the work)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

from .session import assistant_for


def add_commands(sub, retrieval_flags: Callable[[argparse.ArgumentParser], None]) -> None:
    similar = sub.add_parser("similar", help="the papers nearest to a paper (title or id) or to a text")
    similar.add_argument("paper", nargs="?", metavar="TITLE|PAPER_ID", help="a paper of the index")
    similar.add_argument("--text", help="an abstract or any text, instead of a paper")
    similar.add_argument("-k", type=int, default=10, dest="k", help="how many papers (default 10)")
    similar.add_argument("--json", action="store_true")
    similar.set_defaults(func=cmd_similar)

    watch = sub.add_parser("watch", help="saved questions: after each ingest, the new papers that answer them")
    actions = watch.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="save a question (its first answer is the baseline)")
    add.add_argument("question")
    listing = actions.add_parser("list", help="the saved questions and the papers they cite")
    remove = actions.add_parser("remove", help="forget a saved question")
    remove.add_argument("id", type=int)
    run = actions.add_parser("run", help="answer every saved question again and report what changed (for cron)")
    for action in (add, listing, remove, run):
        action.add_argument("--json", action="store_true", help="print the result as JSON")
    watch.set_defaults(func=cmd_watch)

    drop = sub.add_parser("remove", help="drop a registered corpus source and its papers from the index")
    drop.add_argument("path", type=Path, metavar="PATH")
    drop.add_argument("--json", action="store_true")
    drop.set_defaults(func=cmd_remove)


def cmd_similar(args: argparse.Namespace) -> int:
    from .. import PaperNotFound
    if (args.paper is None) == (args.text is None):
        print("error: give a paper (TITLE or PAPER_ID) or --text, not both", file=sys.stderr)
        return 2
    try:
        found = assistant_for(args).similar(args.paper, text=args.text, k=args.k)
    except PaperNotFound as exc:
        print(f"error: no paper matches {exc.reference!r}.", file=sys.stderr)
        if exc.suggestions:
            print("closest titles:\n" + "\n".join(f"  {t}" for t in exc.suggestions), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps([s.to_dict() for s in found], indent=2, ensure_ascii=False))
        return 0
    for s in found:
        print(f"{s.rank:>2}. {s.paper.title}  ({s.paper.published or 'date unknown'})")
        print(f"    shares: {', '.join(s.shared_terms) or '–'}")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    assistant = assistant_for(args)
    if args.action == "add":
        watch = assistant.watch(args.question)
        out = {"added": watch.to_dict()}
        text = f"saved #{watch.id}: {watch.question!r}; it cites {len(watch.cited)} paper(s) now (the baseline)"
    elif args.action == "list":
        watches = assistant.watches()
        out = {"watches": [w.to_dict() for w in watches]}
        text = "\n".join(f"#{w.id} {w.question!r} (saved {w.created}): {len(w.cited)} paper(s)"
                         + "".join(f"\n    {t}" for t in w.titles) for w in watches) or "no saved questions"
    elif args.action == "remove":
        assistant.unwatch(args.id)
        out, text = {"removed": args.id}, f"removed #{args.id}"
    else:
        reports = assistant.check_watches()
        out = {"reports": [r.to_dict() for r in reports]}
        text = "\n".join(r.line() for r in reports) or "no saved questions"
    print(json.dumps(out, indent=2, ensure_ascii=False) if args.json else text)
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    report = assistant_for(args).remove(args.path)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
        return 0
    print(f"removed {args.path}: {report.removed_papers} paper(s) left the index; {report.papers} remain "
          f"from {len(report.sources)} source(s)")
    return 0
