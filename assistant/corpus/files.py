"""Reading corpus files: folders expanded, bytes decoded and cleaned, the format told
apart (listing or JSONL), and the papers of all files deduplicated."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..text.clean import clean_text
from .jsonl import parse_jsonl
from .listing import parse_listing
from .papers import CorpusIssue, CorpusLoad, Paper, deduplicate

CORPUS_SUFFIXES = {".txt", ".jsonl"}


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[CorpusIssue]]:
    """Files named directly, plus corpus files found (non-recursively sorted) in folders."""
    files: list[Path] = []
    issues: list[CorpusIssue] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in CORPUS_SUFFIXES)
            if not found:
                issues.append(CorpusIssue(str(path), None, None, "folder holds no .txt or .jsonl corpus file"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            issues.append(CorpusIssue(str(path), None, None, "no such file or folder"))
    return files, issues


def load_corpus(paths: Iterable[Path]) -> CorpusLoad:
    """Parse every file, then deduplicate by normalised title (first file wins, dates fill in)."""
    files, issues = expand_paths(paths)
    result = CorpusLoad(issues=issues, files=[str(f) for f in files])
    raw: list[Paper] = []
    for path in files:
        file_papers, file_issues = parse_file(path)
        raw.extend(file_papers)
        result.issues.extend(file_issues)
    result.entries_read = len(raw)
    result.papers, dedup_issues = deduplicate(raw)
    result.issues.extend(dedup_issues)
    return result


def parse_file(path: Path) -> tuple[list[Paper], list[CorpusIssue]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [], [CorpusIssue(str(path), None, None, f"cannot read: {exc.strerror or exc}")]
    if not data.strip():
        return [], [CorpusIssue(str(path), None, None, "file is empty")]
    if b"\x00" in data[:8192]:
        return [], [CorpusIssue(str(path), None, None, "binary file (NUL bytes), not a text corpus")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("latin-1")
        line = data[: exc.start].count(b"\n") + 1
        note = CorpusIssue(str(path), line, None, "not UTF-8; read as latin-1")
        papers, issues = _parse_text(path, text)
        return papers, [note, *issues]
    return _parse_text(path, text)


def _parse_text(path: Path, text: str) -> tuple[list[Paper], list[CorpusIssue]]:
    text = clean_text(text.lstrip("\ufeff"))  # NFKC; no escape sequences or control characters
    if path.suffix == ".jsonl" or text.lstrip().startswith("{"):
        return parse_jsonl(text, str(path))
    return parse_listing(text, str(path))
