"""The JSONL corpus format: one object per line with ``title`` and ``abstract`` required
and ``authors`` (a list or a count), ``date``, ``url`` and ``arxiv_id`` optional."""

from __future__ import annotations

import json
from datetime import datetime

from ..text.clean import clean_question
from .papers import CorpusIssue, Paper, _FileIssues, paper_id_for


def parse_jsonl(text: str, source: str) -> tuple[list[Paper], list[CorpusIssue]]:
    papers: list[Paper] = []
    issues = _FileIssues(source)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            issues.append(CorpusIssue(source, number, None, f"broken JSON: {exc.msg} at column {exc.colno}"))
            continue
        if not isinstance(obj, dict):
            issues.append(CorpusIssue(source, number, None, "expected a JSON object"))
            continue
        missing = [key for key in ("title", "abstract") if not str(obj.get(key) or "").strip()]
        if missing:
            issues.append(CorpusIssue(source, number, missing[0], f"required field {missing[0]!r} is missing or empty"))
            continue
        try:
            papers.append(_paper_from_json(obj, source))
        except (TypeError, ValueError) as exc:
            issues.append(CorpusIssue(source, number, getattr(exc, "field", None), str(exc)))
    return papers, issues.done()


class _FieldError(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


def _paper_from_json(obj: dict, source: str) -> Paper:
    title = clean_question(str(obj["title"]))  # JSON can carry escapes as \u001b: clean after decoding
    authors, names = obj.get("authors"), ()
    if isinstance(authors, list):
        if not all(isinstance(name, str) and name.strip() for name in authors):
            raise _FieldError("authors", "authors must be a list of names (non-empty strings) or a count")
        names = tuple(clean_question(name) for name in authors)
        authors = len(authors)
    elif authors is not None and not isinstance(authors, int):
        raise _FieldError("authors", "authors must be a list of names or a count")
    published, year = None, None
    if obj.get("date"):
        try:
            day = datetime.fromisoformat(str(obj["date"])[:10]).date()
        except ValueError:
            raise _FieldError("date", f"date {obj['date']!r} is not YYYY-MM-DD") from None
        published, year = day.isoformat(), day.year
    return Paper(
        paper_id=paper_id_for(title),
        title=title,
        abstract=clean_question(str(obj["abstract"])),
        authors=authors,
        author_names=names,
        published=published,
        year=year,
        url=clean_question(str(obj["url"])) if obj.get("url") else None,
        arxiv_id=clean_question(str(obj["arxiv_id"])) if obj.get("arxiv_id") else None,
        sources=(source,),
    )
