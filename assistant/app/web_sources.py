"""What the chat page shows beside an answer, as HTML: the sources panel, the citation
links, the "searched for" line, the corpus sources to tick; and the page's CSS and JS.
Rendering only (web.py wires it; gradio is imported there, never here)."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..retrieval import QUOTE_GAP
from .present import present

if TYPE_CHECKING:
    from .. import AnswerResult, Paper, Scope

CSS = """
#sources .paper { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin: 6px 0; }
#sources .verdict-supported { color: #15803d; } #sources .verdict-weak { color: #b45309; }
#sources .verdict-unsupported { color: #b91c1c; } #sources .verdict-not-cited { color: var(--body-text-color-subdued); }
#sources mark { background: #fef08a; }
#sources .meta, #watches .meta { color: var(--body-text-color-subdued); font-size: 0.9em; }
#table .scroll { overflow-x: auto; max-width: 100%; }
#table table { min-width: 640px; }
.inline-problem { color: #b45309; }
"""

# In-page behaviour: a source's "similar papers" link opens the Similar tab of this page
# (its href still opens a new page on a middle click); after an answer, its start is in view.
JS = """
() => {
  const waitFor = (selector, tries = 40) => new Promise((resolve) => {
    const look = (left) => { const el = document.querySelector(selector);
      if (el || !left) resolve(el); else setTimeout(() => look(left - 1), 50); };
    look(tries);
  });
  document.addEventListener('click', async (event) => {
    const link = event.target.closest('a.similar');
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    // the tab, or on a narrow screen its entry in the "More tabs" menu
    const tab = [...document.querySelectorAll('button[role="tab"], .overflow-dropdown button')]
      .find((b) => b.textContent.trim() === 'Similar');
    if (tab) tab.click();
    const box = await waitFor('#similar-reference textarea, #similar-reference input');
    if (!box) return;
    box.value = link.dataset.paper;
    box.dispatchEvent(new Event('input', { bubbles: true }));
    setTimeout(() => document.querySelector('#similar-button').click(), 100);
  });
}
"""
# The chat does not follow the stream to its end (autoscroll off): a question sent is
# scrolled to the top of the chat, and a finished answer's start is in view.
SCROLL_TO_QUESTION = """
(question) => { setTimeout(() => {
  const asked = document.querySelectorAll('#chat .user-row');
  if (asked.length) asked[asked.length - 1].scrollIntoView({ block: 'nearest' });
}, 400); return question; }
"""
SCROLL_TO_ANSWER = """
() => { setTimeout(() => {
  const answers = document.querySelectorAll('#chat .bot-row');
  if (!answers.length) return;
  const answer = answers[answers.length - 1];
  answer.scrollIntoView({ block: 'start' });
  const chat = answer.closest('.bubble-wrap');  // the chat's own scroller: clear of its label
  if (chat) chat.scrollTop = Math.max(0, chat.scrollTop - 40);
}, 250); }
"""
_MACHINE_NAME = re.compile(r"^(\d+)_[0-9a-f]{12,}$")  # a listing dump's name: 000_44a08bda8a927a10
_SERVER_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][\w.\- ]+)+[\\/]([\w.\-]+)")


def link_citations(answer: str) -> str:
    """[n] and [1, 3] become links to the sources panel."""

    def link(match: re.Match) -> str:
        numbers = [n.strip() for n in match.group(1).split(",")]
        return "[" + ", ".join(f'<a href="#src-{n}">{n}</a>' for n in numbers) + "]"

    return re.sub(r"\[(\d+(?:\s*,\s*\d+)*)\]", link, answer)


def without_paths(text: str) -> str:
    """A message for the page: server paths become the file's name."""
    return _SERVER_PATH.sub(r"\1", text)


def sources_html(result: "AnswerResult | None") -> str:
    if result is None:
        return "<p class='meta'>Sources of the answer appear here.</p>"
    shown = present(result)
    parts = ["<h3>Cited papers</h3>"] if shown.sources else ["<p>No paper was cited.</p>"]
    for source in shown.sources:
        meta = " · ".join(x for x in (source.date, source.authors_line,
                                      f"confidence {source.confidence:.2f}" if source.confidence is not None else "") if x)
        links = "".join(f" · <a class='paper-link' href='{html.escape(url)}' target='_blank' rel='noopener'>"
                        f"{html.escape(label)}</a>" for label, url in source.links)
        quote = html.escape(source.quote)
        abstract = html.escape(source.abstract)
        for part in quote.split(html.escape(QUOTE_GAP)):  # a quote of several spans marks each
            abstract = abstract.replace(part, f"<mark>{part}</mark>", 1)
        paper_id = html.escape(source.paper_id)
        parts.append(
            f"<div class='paper' id='src-{source.n}'><b>[{source.n}] {html.escape(source.title)}</b>"
            f"<div class='meta'>{html.escape(meta)} · <span class='verdict-{source.verdict.replace(' ', '-')}'>"
            f"{source.verdict_words}</span>{links}"
            f" · <a class='similar' href='?similar={paper_id}' data-paper='{paper_id}'>similar papers</a></div>"
            f"<blockquote>“{quote}”</blockquote>"
            f"<details><summary>Abstract</summary><p>{abstract}</p></details></div>"
        )
    for paper in shown.related:
        parts.append(
            f"<div class='paper related'><b>{html.escape(paper.title)}</b>"
            f"<div class='meta'>closest paper; does not answer · confidence {paper.confidence:.2f}</div>"
            f"<blockquote>“{html.escape(paper.quote)}”</blockquote></div>"
        )
    if shown.dropped:
        parts.append("<h4>Dropped by verification</h4><p class='meta'>The model said it; the abstract does not.</p><ul>")
        parts.extend(f"<li class='dropped'>{html.escape(title)}: “{html.escape(text[:200])}” "
                     f"<span class='meta'>({html.escape(why)})</span></li>" for title, text, why in shown.dropped)
        parts.append("</ul>")
    if shown.also:
        parts.append("<h4>May also be relevant</h4><p class='meta'>Below the selector's cut; not cited.</p><ul>")
        parts.extend(f"<li>{html.escape(p.title)} <span class='meta'>({p.date}; confidence {p.confidence:.2f})</span></li>"
                     for p in shown.also)
        parts.append("</ul>")
    if shown.not_cited:
        parts.append("<h4>Retrieved, not cited</h4><ul>")
        parts.extend(f"<li>{html.escape(p.title)} <span class='meta'>({p.date}"
                     + (f"; confidence {p.confidence:.2f}" if p.confidence is not None else "") + ")</span></li>"
                     for p in shown.not_cited)
        parts.append("</ul>")
    return "\n".join(parts)


def searched_line(question: str, scope: "Scope | None" = None, *, years: tuple[int, int] | None = None,
                  years_inherited: bool = False, narrowed_to: int = 0, ticked: int = 0) -> str:
    """What was searched for, filters included: the scope once the answer has one, else the filters asked for."""
    parts = [f"searched for: *{question}*"]
    from .. import Scope

    years = scope.years if scope and scope.years else years
    if years:
        words = Scope(years=years).years_words
        read = f" (read from “{scope.date_phrase}”)" if scope and scope.date_phrase else ""
        parts.append(f"from {words}" + (" (kept from the last question)" if years_inherited else read))
    if narrowed_to:
        parts.append(f"among the {narrowed_to} paper{'s' * (narrowed_to != 1)} of the last answer")
    elif ticked:
        parts.append(f"within the {ticked} ticked source{'s' * (ticked != 1)}")
    if scope and scope.undated_left_out:
        parts.append(f"{scope.undated_left_out} undated papers left out")
    return " · ".join(parts)


def years_asked(start: str | float | None, end: str | float | None) -> tuple[tuple[int, int] | None, str | None]:
    """The year boxes as a range (None: not set), or a message saying what is wrong with them."""
    years = []
    for label, value in (("From year", start), ("To year", end)):
        text = str(value if value is not None else "").strip().removesuffix(".0")
        if text and not re.fullmatch(r"\d{4}", text):
            return None, f"“{label}” must be a year such as 2021, not “{text}”; leave it empty for any year."
        years.append(int(text) if text else None)
    first, last = years
    if first is None and last is None:
        return None, None
    if first is not None and last is not None and first > last:
        return None, f"The year range is reversed: from {first} to {last}. Swap the two years, or empty one box."
    return (first or 1900, last or date.today().year), None


def source_label(path: str, papers: int, years: list[int]) -> str:
    """A corpus file as a person reads it: its name (a listing dump's machine name as
    "listing 000"), its paper count and its years."""
    stem = Path(path).stem
    machine = _MACHINE_NAME.match(stem)
    name = f"listing {machine.group(1)}" if machine else Path(path).name
    span = "" if not years else f", {min(years)}" + (f"-{max(years)}" if max(years) != min(years) else "")
    return f"{name} ({papers} paper{'s' * (papers != 1)}{span})"


def source_choices(papers: "list[Paper]") -> list[tuple[str, str]]:
    """(label, path) of every corpus file the index holds papers from."""
    counts: Counter = Counter()
    years: dict[str, list[int]] = {}
    for paper in papers:
        for source in paper.sources:
            counts[source] += 1
            if paper.year:
                years.setdefault(source, []).append(paper.year)
    return [(source_label(s, counts[s], years.get(s, [])), s) for s in sorted(counts)]
