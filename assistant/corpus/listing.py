"""The daily-papers listing format (one page dump per file).

A few header paragraphs ending with the listing date ("Jan 13"), then entries separated
by blank lines::

    Title
    Abstract paragraph
    • 4 authors          <- optional meta paragraph; the first line may be an
    ·                       organisation instead of "• N authors"
    Nov 24, 2023 12      <- publication date, then upvotes when present
"""

from __future__ import annotations

import re
from datetime import date
from typing import Iterator

from .papers import CorpusIssue, Paper, _FileIssues, paper_id_for

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
