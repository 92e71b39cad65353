"""Filters that clean an LLM's token stream while it streams, so what the user saw
is exactly the final answer text (no later rewrites)."""

from __future__ import annotations

import re

from .citations import strip_invalid

_CLOSED_GROUP = re.compile(r"\[[^\[\]]*\]")
_SENTENCE_STOP = re.compile(r"(?<=[.!?])[\"')\]]?\s|\n\s*\S")
_TRAILING_HELD = re.compile(r"[\s.!?:;,]+$")


def _stable_prefix(text: str) -> str:
    """Text up to any unclosed '[' (it may still become a citation)."""
    open_at = text.rfind("[")
    if open_at != -1 and "]" not in text[open_at:]:
        return text[:open_at]
    return text


class PhraseFilter:
    """One sentence of the model's phrasing, without any [n] of its own.

    The trailing punctuation is held back, so the pipeline can put its own
    citation before the full stop: "... objects [1]."
    """

    def __init__(self, max_chars: int = 400):
        self.raw = ""
        self.emitted = 0
        self.done = False
        self.max_chars = max_chars

    def _clean(self) -> str:
        text = _CLOSED_GROUP.sub("", self.raw).lstrip(" -*\"'\n")
        stop = _SENTENCE_STOP.search(text)
        if stop:
            text = text[: stop.start() + 1] if text[stop.start()] in ".!?" else text[: stop.start()]
            self.done = True
        if len(text) > self.max_chars:
            text = text[: self.max_chars].rsplit(" ", 1)[0]
            self.done = True
        return re.sub(r"\s+", " ", text)

    def feed(self, piece: str) -> str:
        self.raw += piece
        safe = _TRAILING_HELD.sub("", _stable_prefix(self._clean()))
        return self._advance(safe)

    def finish(self) -> tuple[str, str]:
        """(text not yet emitted, the held-back end punctuation)"""
        clean = _stable_prefix(self._clean()).rstrip()
        body = _TRAILING_HELD.sub("", clean)
        punct = "." if not body else (clean[len(body):].strip()[-1:] if clean[len(body):].strip() else ".")
        if punct not in ".!?":
            punct = "."
        return self._advance(body), punct

    @property
    def text(self) -> str:
        return _TRAILING_HELD.sub("", _stable_prefix(self._clean()))

    def _advance(self, safe: str) -> str:
        if len(safe) <= self.emitted:
            return ""
        out = safe[self.emitted :]
        self.emitted = len(safe)
        return out


class CitationFilter:
    """Pass the model's text through, dropping citation numbers that are not sources."""

    def __init__(self, valid: set[int]):
        self.valid = valid
        self.raw = ""
        self.shown = ""  # exactly what has been emitted
        self.removed: list[int] = []

    def _render(self, final: bool) -> str:
        cleaned, self.removed = strip_invalid(self.raw if final else _stable_prefix(self.raw), self.valid)
        return cleaned if final else cleaned.rstrip(" \t")

    def feed(self, piece: str) -> str:
        self.raw += piece
        return self._advance(self._render(final=False))

    def finish(self) -> str:
        return self._advance(self._render(final=True))

    def _advance(self, safe: str) -> str:
        if len(safe) <= len(self.shown) or not safe.startswith(self.shown):
            return ""
        out, self.shown = safe[len(self.shown) :], safe
        return out
