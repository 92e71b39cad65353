"""Parse corpus files (daily-papers listings and JSONL) into deduplicated Paper records.

Listing format (one page dump per file): a few header paragraphs ending with the
listing date ("Jan 13"), then entries separated by blank lines::

    Title
    Abstract paragraph
    • 4 authors          <- optional meta paragraph; the first line may be an
    ·                       organisation instead of "• N authors"
    Nov 24, 2023 12      <- publication date, then upvotes when present

JSONL format: one object per line with ``title`` and ``abstract`` required and
``authors`` (a list or a count), ``date``, ``url`` and ``arxiv_id`` optional.

Problems never abort a load: each becomes a :class:`CorpusIssue` naming the file,
line and field, and the good entries are kept. A file lists at most
``MAX_ISSUES_PER_FILE`` problems; one more issue counts the rest and their lines.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Iterator

from ..text.clean import clean_question, clean_text

CORPUS_SUFFIXES = {".txt", ".jsonl"}
MAX_ISSUES_PER_FILE = 1000  # past this, one more issue counts the rest of a file's problems
_LISTING_DATE = re.compile(r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}$")
_META_DATE = re.compile(
    r"^(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?P<day>\d{1,2})"
    r"(?:, (?P<year>\d{4}))?(?:\s+(?P<upvotes>\d+))?$"
)
_AUTHORS = re.compile(r"^•\s*(?P<n>\d+)\s+authors?$")
_HEADER_LINES = {
    "new",
    "get trending papers in your email inbox!",
    "subscribe",
    "daily papers",
    "byak and the research community",
}


@dataclass(frozen=True)
class Paper:
    """One paper, after deduplication across all corpus files."""

    paper_id: str
    title: str
    abstract: str
    authors: int | None = None
    published: str | None = None  # ISO date, e.g. "2023-11-24"
    year: int | None = None
    date_inferred: bool = False  # the listing showed no year; it was inferred
    listing_date: str | None = None  # as shown on the page, e.g. "Jan 13"
    upvotes: int | None = None
    url: str | None = None
    arxiv_id: str | None = None
    sources: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        """Changes exactly when the indexed text changes."""
        return self.hash_text(self.title, self.abstract)

    @staticmethod
    def hash_text(title: str, abstract: str) -> str:
        return hashlib.sha1(f"{title}\n{abstract}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CorpusIssue:
    """A problem in a corpus file, precise enough to fix by hand."""

    path: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        what = f" [{self.field}]" if self.field else ""
        return f"{where}{what}: {self.message}"


class _FileIssues(list):
    """A file's issues: the first MAX_ISSUES_PER_FILE are kept, the rest only counted
    (a 50 MB file of broken lines would otherwise hold ~10^6 issue objects)."""

    def __init__(self, source: str):
        super().__init__()
        self.source = source
        self.more = 0
        self.more_lines: list[int | None] = [None, None]

    def append(self, issue: CorpusIssue) -> None:
        if len(self) < MAX_ISSUES_PER_FILE:
            super().append(issue)
            return
        self.more += 1
        if self.more == 1:
            self.more_lines[0] = issue.line
        self.more_lines[1] = issue.line

    def done(self) -> list[CorpusIssue]:
        issues = list(self)
        if self.more:
            first, last = self.more_lines
            lines = f" (lines {first}-{last})" if first and last else ""
            issues.append(CorpusIssue(self.source, first, None, f"… and {self.more} more problems{lines} not listed"))
        return issues


@dataclass
class CorpusLoad:
    papers: list[Paper] = field(default_factory=list)
    issues: list[CorpusIssue] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    entries_read: int = 0  # before deduplication


def normalize_title(title: str) -> str:
    """Case-, accent-width- and punctuation-insensitive key for deduplication."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def paper_id_for(title: str) -> str:
    return "p" + hashlib.sha1(normalize_title(title).encode()).hexdigest()[:12]


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


def _paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, paragraph text) for each blank-line separated block."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start, block = 0, []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line.strip())
        elif block:
            yield start, "\n".join(block)
            block = []
    if block:
        yield start, "\n".join(block)


def _is_meta(paragraph: str) -> bool:
    lines = paragraph.split("\n")
    return len(lines) >= 2 and (lines[1] == "·" or bool(_AUTHORS.match(lines[0])))


def parse_listing(text: str, source: str) -> tuple[list[Paper], list[CorpusIssue]]:
    papers: list[Paper] = []
    issues = _FileIssues(source)
    listing_date: str | None = None
    blocks = list(_paragraphs(text))
    i = 0
    # header: boilerplate lines, then the listing date
    while i < len(blocks) and (blocks[i][1].casefold() in _HEADER_LINES or _LISTING_DATE.match(blocks[i][1])):
        if _LISTING_DATE.match(blocks[i][1]):
            listing_date = blocks[i][1]
        i += 1
    while i < len(blocks):
        line, title = blocks[i]
        if _is_meta(title):
            issues.append(CorpusIssue(source, line, "title", "author/date line with no entry before it; skipped"))
            i += 1
            continue
        if "\n" in title or len(title) > 400:
            issues.append(CorpusIssue(source, line, "title", "expected a one-line title; skipped this block"))
            i += 1
            continue
        if i + 1 >= len(blocks) or _is_meta(blocks[i + 1][1]):
            issues.append(CorpusIssue(source, line, "abstract", f"entry {title[:60]!r} has no abstract; skipped"))
            i += 2 if i + 1 < len(blocks) else 1
            continue
        abstract = " ".join(blocks[i + 1][1].split("\n"))
        i += 2
        meta: dict = {}
        if i < len(blocks) and _is_meta(blocks[i][1]):
            meta, problem = _parse_meta(blocks[i][1])
            if problem:
                issues.append(CorpusIssue(source, blocks[i][0], "date", problem))
            i += 1
        papers.append(
            Paper(
                paper_id=paper_id_for(title),
                title=title,
                abstract=abstract,
                listing_date=listing_date,
                sources=(source,),
                **meta,
            )
        )
    if not papers and not issues:
        issues.append(CorpusIssue(source, None, None, "no entries found (not a listing or JSONL corpus?)"))
    return papers, issues.done()


_MONTHS = {m: n for n, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}


def _parse_meta(paragraph: str) -> tuple[dict, str | None]:
    lines = paragraph.split("\n")
    meta: dict = {}
    authors = _AUTHORS.match(lines[0])
    if authors:
        meta["authors"] = int(authors.group("n"))
    date_line = lines[-1] if len(lines) >= 3 else ""
    found = _META_DATE.match(date_line)
    if not found:
        return meta, f"unrecognised date line {date_line!r}"
    if found.group("upvotes"):
        meta["upvotes"] = int(found.group("upvotes"))
    year = found.group("year")
    try:
        day = date(int(year) if year else 2000, _MONTHS[found.group("mon")], int(found.group("day")))
    except ValueError:
        return meta, f"impossible date {date_line!r}"
    if year:
        meta.update(published=day.isoformat(), year=day.year)
    else:  # the page omits the current year; deduplicate() infers it
        meta.update(published=day.isoformat()[5:], date_inferred=True)
    return meta, None


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
    authors = obj.get("authors")
    if isinstance(authors, list):
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
        published=published,
        year=year,
        url=clean_question(str(obj["url"])) if obj.get("url") else None,
        arxiv_id=clean_question(str(obj["arxiv_id"])) if obj.get("arxiv_id") else None,
        sources=(source,),
    )


def deduplicate(papers: list[Paper]) -> tuple[list[Paper], list[CorpusIssue]]:
    """Merge records with the same normalised title; the first abstract wins."""
    merged: dict[str, Paper] = {}
    issues: list[CorpusIssue] = []
    for paper in papers:
        seen = merged.get(paper.paper_id)
        if seen is None:
            merged[paper.paper_id] = paper
            continue
        if seen.abstract != paper.abstract:
            issues.append(
                CorpusIssue(
                    paper.sources[0], None, "abstract",
                    f"{paper.title[:60]!r} has a different abstract than in {seen.sources[0]}; kept the first",
                )
            )
        better_date = seen.year is None and paper.year is not None
        merged[paper.paper_id] = replace(
            seen,
            sources=tuple(dict.fromkeys(seen.sources + paper.sources)),
            authors=seen.authors if seen.authors is not None else paper.authors,
            upvotes=max(filter(None, (seen.upvotes, paper.upvotes)), default=None),
            published=paper.published if better_date else seen.published,
            year=paper.year if better_date else seen.year,
            date_inferred=paper.date_inferred if better_date else seen.date_inferred,
        )
    return _infer_years(list(merged.values())), issues


def _infer_years(papers: list[Paper]) -> list[Paper]:
    """Listings omit the year for the current year: use the latest year the corpus shows."""
    years = [p.year for p in papers if p.year]
    if not years:
        return papers
    current = max(years)
    return [
        replace(p, published=f"{current}-{p.published}", year=current) if p.year is None and p.published else p
        for p in papers
    ]
