"""Export papers, or what an answer cited, for a reference manager or notes.

Three formats (``FORMATS``): BibTeX ``@misc`` entries, CSV with a header row, and a
Markdown list to paste into notes. Each entry holds the title, the date, the number of
authors (their names where the corpus lists them, a JSONL "authors" list; else only the
count, and no name is invented), the arXiv id or URL when the corpus has one, and for an answer the verbatim evidence quote it cited.
Pure functions, standard library only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import quote as percent_encode

from ..corpus.papers import Paper

if TYPE_CHECKING:
    from .results import AnswerResult

FORMATS = ("bibtex", "csv", "markdown")
EXPORT_FORMATS = FORMATS
CSV_HEADER = ("n", "title", "date", "year", "authors", "author_names", "arxiv_id", "url", "quote")
_SKIP = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "or", "with", "by", "from", "at", "as",
         "is", "are", "via", "towards", "toward"}
# braces and backslash become commands with balanced braces: BibTeX counts "\{" as a brace
_TEX = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}", "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$#])")

Row = tuple[int, "Paper", "str | None"]  # (number, paper, evidence quote)


def bibtex_key(paper: Paper) -> str:
    """``word`` + year (or ``nd``) + 4 hex of sha1(paper_id): stable, ASCII, e.g. ``foundations2023c1f0``."""
    ascii_title = unicodedata.normalize("NFKD", paper.title).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.findall(r"[a-z0-9]+", ascii_title) if w not in _SKIP]
    year = _year(paper)
    return f"{words[0][:24] if words else 'paper'}{year or 'nd'}{hashlib.sha1(paper.paper_id.encode()).hexdigest()[:4]}"


def export_papers(papers: list[Paper], fmt: str, *, quotes: dict[str, str] | None = None,
                  question: str | None = None) -> str:
    """Papers numbered 1.. in the given order; ``quotes`` maps paper_id to an evidence quote."""
    quotes = quotes or {}
    unique: dict[str, Paper] = {}  # each paper once, at its first place
    for paper in papers:
        unique.setdefault(paper.paper_id, paper)
    return _export([(i, p, quotes.get(p.paper_id)) for i, p in enumerate(unique.values(), 1)], fmt, question)


def export_answer(result: AnswerResult, fmt: str) -> str:
    """The papers an answer cited, by citation number, each with its verbatim evidence quote."""
    by_id = {s.paper.paper_id: s.paper for s in result.sources}
    rows: dict[str, Row] = {}  # a paper cited twice: once, at its first number
    for c in sorted(result.citations, key=lambda c: c.n):
        paper = by_id.get(c.paper_id) or Paper(paper_id=c.paper_id, title=c.title, abstract="")
        rows.setdefault(c.paper_id, (c.n, paper, c.evidence))
    return _export(list(rows.values()), fmt, result.question)


def _export(rows: list[Row], fmt: str, question: str | None) -> str:
    writer = {"bibtex": _bibtex, "csv": _csv, "markdown": _markdown}.get(str(fmt).strip().lower())
    if writer is None:
        raise ValueError(f"unknown export format {fmt!r}; known formats: {', '.join(FORMATS)}")
    return writer(rows, question)


def _bibtex(rows: list[Row], _question: str | None) -> str:
    entries, used = [], set()
    for _, paper, quote in rows:
        key = base = bibtex_key(paper)
        i = 1
        while key in used:  # distinct papers sharing word, year and 4 hex chars (rare)
            i, key = i + 1, f"{base}_{i + 1}"
        used.add(key)
        fields = [("title", "{" + _tex(_title(paper.title)) + "}")]  # inner braces keep the capitalisation
        if paper.author_names:  # each name braced: BibTeX must not split "Jane van Doe" or "OpenAI Team"
            fields.append(("author", " and ".join("{" + _tex(name) + "}" for name in paper.author_names)))
        date, year = _date(paper), _year(paper)
        if date and re.fullmatch(r"\d{4}-\d\d-\d\d", date):
            fields.append(("date", date))
        if year:
            fields.append(("year", str(year)))
        if paper.authors is not None and not paper.author_names:
            fields.append(("note", authors_line(paper)))
        if paper.arxiv_id:
            fields += [("eprint", _tex(paper.arxiv_id)), ("archivePrefix", "arXiv")]
        if paper.url:
            fields.append(("url", percent_encode(paper.url, safe="/:?=&%#+@;,~!*'()$-._")))
        if quote:
            fields.append(("annote", _tex(quote)))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@misc{{{key},\n{body}\n}}\n")
    return "\n".join(entries)  # no question comment: an "@" outside an entry would start one


def _csv(rows: list[Row], _question: str | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for n, paper, quote in rows:
        writer.writerow([n, _title(paper.title), _date(paper) or "", _year(paper) or "",
                         "" if paper.authors is None else paper.authors, "; ".join(paper.author_names),
                         paper.arxiv_id or "", paper.url or "",
                         quote or ""])
    return out.getvalue()


def _markdown(rows: list[Row], question: str | None) -> str:
    lines = [f"## {_md(_title(question))}", ""] if question else []
    for n, paper, quote in rows:
        facts = [x for x in (_date(paper), authors_line(paper)) if x]
        if paper.arxiv_id:
            facts.append(f"[arXiv:{_md(paper.arxiv_id)}](https://arxiv.org/abs/{percent_encode(paper.arxiv_id)})")
        if paper.url:
            facts.append(f"<{paper.url}>" if not re.search(r"[\s<>]", paper.url) else _md(paper.url))
        lines.append(f"- **[{n}]** {_md(_title(paper.title))}" + (f" ({'; '.join(facts)})" if facts else ""))
        if quote:
            lines += [f"  > {_md(line)}".rstrip() for line in quote.splitlines()]
    return "\n".join(lines) + "\n"


def _tex(text: str) -> str:  # BibTeX
    return "".join(_TEX.get(ch, ch) for ch in text)


def _md(text: str) -> str:  # Markdown (and the $math$ of notes apps)
    return _MD_SPECIAL.sub(r"\\\1", text)


def _title(text: str) -> str:
    return " ".join(text.split())


def _date(paper: Paper) -> str | None:
    """The ISO date; a listing's "MM-DD" gets the paper's year when it has one."""
    published = paper.published
    if published and re.fullmatch(r"\d\d-\d\d", published) and paper.year:
        return f"{paper.year}-{published}"
    return published


def authors_line(paper: Paper) -> str | None:
    """The names where the corpus has them (three, then "et al."), else the count."""
    if paper.author_names:
        names = paper.author_names
        return ", ".join(names[:3]) + (" et al." if len(names) > 3 else "")
    return None if paper.authors is None else f"{paper.authors} author{'' if paper.authors == 1 else 's'}"


def _year(paper: Paper) -> int | None:
    if paper.year:
        return paper.year
    match = re.match(r"(\d{4})-", paper.published or "")
    return int(match.group(1)) if match else None

