"""The chat page's research panels: the comparison table, export downloads, similar
papers, saved questions and the date-filter chip. Rendering only; web.py wires them to
the library API (gradio is imported by web.py, never here)."""

from __future__ import annotations

import html
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .. import AnswerResult, SimilarPaper, Watch, WatchReport

EXPORT_SUFFIX = {"bibtex": ".bib", "csv": ".csv", "markdown": ".md"}


def table_html(result: "AnswerResult | None") -> str:
    """The comparison table of the cited papers: every cell a verbatim span of its abstract."""
    from .. import comparison_table

    if result is None or not result.sources:
        return "<p class='meta'>A list answer's cited papers appear here as a table of quotes.</p>"
    rows = comparison_table([s.paper for s in result.sources], result.question)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ("paper", "task", "method", "data sets", "headline result"))
    body = "".join(
        "<tr><td>" + html.escape(r.title) + "</td>"
        + "".join(f"<td>{html.escape(c.text)}</td>" for c in r.cells.values()) + "</tr>" for r in rows
    )
    return (f"<div class='scroll'><table id='comparison'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
            "<p class='meta'>Each cell is quoted from the paper's abstract; – where it says nothing clear.</p>")


def export_files(result: "AnswerResult | None", folder: Path | None = None) -> dict[str, str | None]:
    """The cited papers written as BibTeX, CSV and Markdown files (paths for download buttons),
    and the comparison table as CSV and Markdown."""
    from .. import comparison_table, export_answer, table_csv, table_markdown

    names = ["bibtex", "csv", "markdown", "table_csv", "table_markdown"]
    if result is None or not result.citations:
        return dict.fromkeys(names)
    folder = Path(folder or tempfile.mkdtemp(prefix="paper-assistant-export-"))
    rows = comparison_table([s.paper for s in result.sources], result.question)
    contents = {fmt: (f"cited{suffix}", export_answer(result, fmt)) for fmt, suffix in EXPORT_SUFFIX.items()}
    contents["table_csv"] = ("table.csv", table_csv(rows))
    contents["table_markdown"] = ("table.md", table_markdown(rows))
    paths = {}
    for key, (name, text) in contents.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths[key] = str(path)
    return paths


def date_chip(result: "AnswerResult | None") -> tuple[str, bool]:
    """The label of the removable date-filter chip, and whether to show it."""
    scope = result.scope if result else None
    if not scope or not scope.date_phrase or not scope.years:
        return "", False
    start, end = scope.years
    span = str(start) if start == end else (f"up to {end}" if start <= 1900 else f"{start}–{end}")
    left_out = f", {scope.undated_left_out} undated left out" if scope.undated_left_out else ""
    return f"📅 {span} (“{scope.date_phrase}”{left_out}) ✕", True


def similar_html(reference: str, found: "list[SimilarPaper] | None", error: str | None = None) -> str:
    if error:
        return f"<p class='similar-error'>{html.escape(error)}</p>"
    if not found:
        return "<p class='meta'>Pick a paper (a title or id) to see its nearest neighbours.</p>"
    items = "".join(
        f"<li><b>{html.escape(s.paper.title)}</b> <span class='meta'>({s.paper.published or 'date unknown'})</span>"
        f"<div class='meta'>shares: {html.escape(', '.join(s.shared_terms) or '–')}</div></li>" for s in found
    )
    return f"<h4>Papers like “{html.escape(reference)}”</h4><ol id='similar-list'>{items}</ol>"


def watches_html(watches: "list[Watch]", reports: "list[WatchReport] | None" = None, *, notice: str | None = None,
                 checked: bool = False) -> str:
    """The saved questions; after a check (or an ingest) what it found for each, new and
    dropped papers by title; ``notice`` (a saved question, or why it was not) above them."""
    import time

    head = f"<p class='watch-notice'>{html.escape(notice)}</p>" if notice else ""
    if checked:
        changed = sum(r.changed for r in reports or [])
        head += (f"<p class='watch-checked'>Checked {len(reports or [])} saved question(s) at {time.strftime('%H:%M:%S')}: "
                 + (f"{changed} changed.</p>" if changed else "no new or dropped papers.</p>"))
    if not watches:
        return head + "<p class='meta'>No saved questions. Save one and later ingests report the new papers that answer it.</p>"
    news = {r.watch.id: r for r in reports or []}
    parts = [head, "<ul id='watch-list'>"]
    for w in watches:
        report = news.get(w.id)
        change = (f"<div class='watch-{'new' if report.changed else 'same'}'>{html.escape(report.line())}</div>"
                  if report and (report.changed or checked) else "")
        parts.append(f"<li>#{w.id} <b>{html.escape(w.question)}</b> <span class='meta'>(saved {w.created}; "
                     f"{len(w.cited)} paper(s))</span>{change}</li>")
    parts.append("</ul>")
    return "".join(parts)
