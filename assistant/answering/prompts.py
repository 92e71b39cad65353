"""Prompt templates, read from prompts/ (or PAPER_ASSISTANT_PROMPTS_DIR) at use time.

Templates use ``$name`` placeholders (string.Template); a missing value is an error
that names the template and the placeholder.
"""

from __future__ import annotations

import string
import tomllib
from functools import lru_cache
from pathlib import Path


class PromptError(ValueError):
    pass


class Prompts:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def render(self, name: str, **values: object) -> str:
        template = _read(self.folder / f"{name}.md")
        try:
            return string.Template(template).substitute({k: str(v) for k, v in values.items()}).strip()
        except KeyError as exc:
            raise PromptError(f"prompt {name}.md needs a value for ${exc.args[0]}") from None
        except ValueError as exc:
            raise PromptError(f"prompt {name}.md is not a valid template: {exc}") from None

    def text(self, key: str, **values: object) -> str:
        """A fixed piece of answer text from answer_text.toml."""
        table = _read_toml(self.folder / "answer_text.toml")
        if key not in table:
            raise PromptError(f"answer_text.toml has no entry {key!r}")
        return string.Template(table[key]).safe_substitute({k: str(v) for k, v in values.items()})

    def system(self) -> str:
        return self.render("system", refusal_rule=self.render("refusal_rule", refusal_phrase=self.text("refusal_phrase")))


@lru_cache(maxsize=64)
def _read_cached(path: Path, mtime: float) -> str:
    return path.read_text(encoding="utf-8")


def _read(path: Path) -> str:
    try:
        return _read_cached(path, path.stat().st_mtime)
    except OSError as exc:
        raise PromptError(f"cannot read prompt template {path}: {exc.strerror}") from None


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(_read(path))
    except tomllib.TOMLDecodeError as exc:
        raise PromptError(f"{path}: {exc}") from None
