"""Text at the door: what users type and what corpus files hold is normalised before use.

- NFKC (full-width letters, ligatures and compatibility forms become plain text);
- terminal escape sequences (ANSI CSI/OSC) are removed whole, so ``\\x1b[31m`` leaves no
  ``[31m`` behind;
- other control characters and the bidi embedding/override/isolate marks are removed;
- questions get their whitespace collapsed to single spaces; corpus text keeps its line
  breaks (paragraphs carry the listing's structure).

Nothing from the corpus or a question then reaches the terminal or the page as a control
sequence. :func:`printable` applies the same to text a model wrote, before it is shown.
"""

from __future__ import annotations

import re
import unicodedata

# ESC [ ... final byte (CSI), ESC ] ... BEL or ESC \ (OSC), and two-byte ESC sequences
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?|\x9b[0-?]*[ -/]*[@-~]")
# C0 and C1 control characters, and the bidi marks that reorder what follows: LRE RLE PDF
# LRO RLO (U+202A-E) and LRI RLI FSI PDI (U+2066-9); tab and line ends are kept in corpus text
_CONTROLS_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _strip_controls(text: str) -> str:
    """Regex passes, so that a clean 50 MB file is not copied character by character."""
    return _CONTROLS_BUT_LINES.sub("", _ESCAPES.sub("", text))


def _nfkc(text: str) -> str:
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def clean_text(text: str) -> str:
    """Corpus text: NFKC, no escape sequences, no control or bidi-override characters;
    line breaks (\\n, \\r) and tabs are kept."""
    return _strip_controls(_nfkc(text))


def clean_question(text: str) -> str:
    """A question or query: :func:`clean_text`, then whitespace collapsed to single spaces."""
    return " ".join(_strip_controls(_nfkc(text).replace("\x0b", " ").replace("\x0c", " ")).split())


def printable(text: str) -> str:
    """Text about to be shown (a model's tokens): escape sequences and control characters
    removed, line breaks kept. Unlike clean_text it does not re-normalise Unicode, so a
    stream of pieces stays the same text when joined."""
    return _strip_controls(text)
