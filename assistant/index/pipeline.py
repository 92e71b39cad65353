"""Overlap the stages of an ingest: the next batch is chunked while this one is embedded,
and the last one is stored while the next is embedded.

Errors are never lost: a failing producer raises in the consumer, and a failing store
raises before the next store starts (and at the end).
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
_DONE = object()


def prefetch(items: Iterable[T], depth: int = 2) -> Iterator[T]:
    """The items of ``items``, made by a background thread up to ``depth`` ahead of the consumer."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(("item", item)):
                    return
            put(("done", _DONE))
        except BaseException as exc:  # handed to the consumer, raised there
            put(("error", exc))

    worker = threading.Thread(target=produce, name="prefetch", daemon=True)
    worker.start()
    try:
        while True:
            kind, item = ready.get()
            if kind == "done":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()  # the consumer stopped early (or finished): let the producer go
        worker.join(timeout=5)


class BackgroundWriter:
    """Runs ``write`` calls one at a time in a background thread, in order. Each call first
    waits for the previous one, so at most one batch waits to be stored and its error
    surfaces at once."""

    def __init__(self, write: Callable[..., None]):
        self._write = write
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="store")
        self._pending: Future | None = None

    def submit(self, *args) -> None:
        self.wait()
        self._pending = self._pool.submit(self._write, *args)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def __enter__(self) -> "BackgroundWriter":
        return self

    def __exit__(self, *exc) -> None:
        try:
            if exc[0] is None:
                self.wait()
        finally:
            self._pool.shutdown(wait=True)
