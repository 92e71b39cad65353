#!/usr/bin/env python3
"""A bounded load test of the chat page on localhost: N concurrent sessions ask through
the page's named `ask` endpoint (gradio_client) and every answer is checked.

    python scripts/load_test.py [--sessions 20] [--questions 2] [--llm local] [--url URL] [--json]

Without --url it starts the page in this process on a free 127.0.0.1 port. Prints
throughput and latency percentiles; exits non-zero if any answer is wrong.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = [
    ("Which papers study shortcut learning?", "On the Foundations of Shortcut Learning", False),
    ("What CIFAR-10 error rate does NASNet achieve?", "Learning Transferable Architectures for Scalable Image Recognition", False),
    ("Which papers study protein structure prediction?", None, True),
]


def start_page(llm: str):
    from assistant.config import load_settings
    from assistant.api import Assistant
    from assistant.app import build_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assistant = Assistant(load_settings(), notify=lambda m: None)
    demo = build_app(assistant, default_llm=llm)
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    return demo, f"http://127.0.0.1:{port}/"


def session(url: str, index: int, questions: int) -> list[dict]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    outcomes = []
    for turn in range(questions):
        question, expected, refuse = CASES[(index + turn) % len(CASES)]
        started = time.perf_counter()
        data = client.predict(question, api_name="/ask")
        seconds = time.perf_counter() - started
        cited = {c["title"] for c in data["citations"]}
        ok = data["refused"] if refuse else (expected in cited)
        outcomes.append({"session": index, "question": question, "ok": ok, "seconds": seconds})
    return outcomes


def run(url: str, sessions: int, questions: int) -> dict:
    session(url, 0, 1)  # warm: the first question waits for the models
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=sessions) as pool:
        results = [o for batch in pool.map(lambda i: session(url, i, questions), range(sessions)) for o in batch]
    wall = time.perf_counter() - started
    latencies = sorted(r["seconds"] for r in results)
    p95 = latencies[min(len(latencies) - 1, max(0, round(0.95 * len(latencies)) - 1))]
    return {
        "sessions": sessions, "answers": len(results), "correct": sum(r["ok"] for r in results),
        "wall_s": round(wall, 2), "throughput_answers_per_s": round(len(results) / wall, 3),
        "latency_p50_s": round(statistics.median(latencies), 3), "latency_p95_s": round(p95, 3),
        "failures": [r for r in results if not r["ok"]],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--questions", type=int, default=2, help="questions per session")
    parser.add_argument("--llm", default="local", choices=["local", "openai", "extractive"])
    parser.add_argument("--url", help="an already running page")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    demo = None
    url = args.url
    if not url:
        demo, url = start_page(args.llm)
    try:
        report = run(url, args.sessions, args.questions)
    finally:
        if demo is not None:
            with contextlib.redirect_stdout(sys.stderr):  # gradio says goodbye on stdout
                demo.close()
    report["llm"] = args.llm
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0 if report["correct"] == report["answers"] else 1


if __name__ == "__main__":
    sys.exit(main())
