"""Exporting papers and an answer's citations (BibTeX, CSV, Markdown) on the bundled corpus."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import replace

import pytest

from assistant.answering.export import FORMATS, bibtex_key, export_answer, export_papers
from assistant.answering.results import AnswerResult, Citation
from assistant.corpus import load_corpus
from assistant.layout import BUNDLED_CORPUS
from assistant.retrieval.handover import EvidenceRow

SPECIAL_TITLE = "A & B: 50% of $x_1$ {braces} ~tilde"
TEX_ESCAPES = {r"\textbackslash{}": "\\", r"\textbraceleft{}": "{", r"\textbraceright{}": "}",
               r"\textasciitilde{}": "~", r"\textasciicircum{}": "^", r"\%": "%", r"\&": "&", r"\$": "$",
               r"\#": "#", r"\_": "_"}
TEX_ESCAPE = re.compile("|".join(re.escape(e) for e in sorted(TEX_ESCAPES, key=len, reverse=True)))


@pytest.fixture(scope="module")
def papers():
    loaded = load_corpus([BUNDLED_CORPUS]).papers
    assert len(loaded) == 210 and any(p.authors == 1 for p in loaded) and any(p.year is None for p in loaded)
    return loaded


def special(papers, title=SPECIAL_TITLE, paper_id="pspecial00001", **changes):
    return replace(papers[0], paper_id=paper_id, title=title, **changes)


# a tiny BibTeX reader: counts every brace, as BibTeX does, escaped or not

def closing(text: str, start: int) -> int:
    """Index just past the brace that closes the one opened before ``start``."""
    depth, i = 1, start
    while depth:
        assert i < len(text), f"unbalanced braces after {text[max(0, start - 40):start]!r}"
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return i


def parse_bibtex(text: str) -> dict[str, dict[str, str]]:
    """{key: {field: raw value}}; nothing but whitespace may sit between entries."""
    entries, pos = {}, 0
    while pos < len(text):
        head = re.compile(r"\s*@misc\{([^,\s{}]+),").match(text, pos)
        if head is None:
            assert not text[pos:].strip(), f"stray text: {text[pos:pos + 60]!r}"
            break
        end = closing(text, head.end())
        body, fields, i = text[head.end():end - 1], {}, 0
        while field := re.compile(r"\s*(\w+)\s*=\s*\{").match(body, i):
            stop = closing(body, field.end())
            assert field.group(1) not in fields, f"field {field.group(1)} twice"
            fields[field.group(1)] = body[field.end():stop - 1]
            i = re.compile(r"\s*,?").match(body, stop).end()
        assert not body[i:].strip(), f"unparsed: {body[i:i + 60]!r}"
        assert head.group(1) not in entries, f"duplicate key {head.group(1)}"
        entries[head.group(1)] = fields
        pos = end
    return entries


def untex(raw: str) -> str:
    """The text of a field; fails on a special character left unescaped."""
    bare = TEX_ESCAPE.sub("", raw)
    assert not re.search(r"[{}%&$#_~^\\]", bare), f"unescaped special character in {raw!r}"
    return TEX_ESCAPE.sub(lambda m: TEX_ESCAPES[m.group(0)], raw)


def title_of(fields: dict[str, str]) -> str:
    raw = fields["title"]
    assert raw.startswith("{") and raw.endswith("}"), raw  # double braces keep the capitals
    return untex(raw[1:-1])


def unmarkdown(text: str) -> str:
    return re.sub(r"\\([\\`*_\[\]<>|~$#])", r"\1", text)


def read_csv(text: str) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["n", "title", "date", "year", "authors", "author_names", "arxiv_id", "url", "quote"]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_reader_catches_broken_bibtex():
    """The checks below are not vacuous: an unbalanced or unescaped field fails them."""
    with pytest.raises(AssertionError, match="unbalanced"):
        parse_bibtex("@misc{k,\n  title = {{half \\{ open}}\n}\n")
    with pytest.raises(AssertionError, match="unescaped"):
        untex("50% of $x$")
    with pytest.raises(AssertionError, match="duplicate key"):
        parse_bibtex("@misc{k,\n  title = {a}\n}\n@misc{k,\n  title = {b}\n}\n")
    assert untex(r"A \& B: 50\% \textbraceleft{}x\textbraceright{}") == "A & B: 50% {x}"


def test_keys_are_stable_unique_ascii_and_follow_the_scheme(papers):
    keys = [bibtex_key(p) for p in papers]
    assert keys == [bibtex_key(p) for p in papers]
    assert len(set(keys)) == len(papers) == 210
    assert all(re.fullmatch(r"[a-z0-9]+(\d{4}|nd)[0-9a-f]{4}", k) for k in keys), keys
    shortcut = next(p for p in papers if p.title == "On the Foundations of Shortcut Learning")
    assert bibtex_key(shortcut) == "foundations2023" + hashlib.sha1(shortcut.paper_id.encode()).hexdigest()[:4]
    undated = special(papers, title="The Über-Naïve Model", published=None, year=None)
    assert bibtex_key(undated) == "uber" + "nd" + hashlib.sha1(b"pspecial00001").hexdigest()[:4]
    assert bibtex_key(special(papers, title="Of the")).startswith("paper")


def test_bibtex_of_every_corpus_paper_parses_back(papers):
    text = export_papers(papers, "bibtex")
    entries = parse_bibtex(text)
    assert list(entries) == [bibtex_key(p) for p in papers]
    assert text.count("@misc{") == 210 and "author =" not in text  # a count, never invented names
    for paper, fields in zip(papers, entries.values()):
        assert title_of(fields) == paper.title
        assert fields.get("year") == (str(paper.year) if paper.year else None)
        assert fields.get("date") == paper.published
        authors = None if paper.authors is None else f"{paper.authors} author" + "s" * (paper.authors != 1)
        assert fields.get("note") == authors
        assert set(fields) <= {"title", "date", "year", "note"}  # the corpus has no arXiv ids nor urls


def test_csv_parses_back_to_the_same_titles_and_quotes(papers):
    tricky = special(papers, title='He said "stop, now", then left', paper_id="ptricky000001")
    chosen = papers + [tricky]
    quotes = {p.paper_id: p.abstract.split(". ")[0] for p in papers}
    quotes[tricky.paper_id] = 'a quote, with "quotes",\nand a second line'
    rows = read_csv(export_papers(chosen, "csv", quotes=quotes))
    assert [r["title"] for r in rows] == [p.title for p in chosen]
    assert [r["quote"] for r in rows] == [quotes[p.paper_id] for p in chosen]
    assert [r["n"] for r in rows] == [str(i) for i in range(1, 212)]
    assert [r["authors"] for r in rows] == ["" if p.authors is None else str(p.authors) for p in chosen]
    assert [r["date"] for r in rows] == [p.published or "" for p in chosen]
    assert any("," in r["title"] for r in rows[:210]) and any('"' in r["title"] for r in rows[:210])


def test_markdown_lists_every_title_under_the_question(papers):
    text = export_papers(papers, "markdown", question="Which papers study *shortcut* learning?")
    assert text.startswith("## Which papers study \\*shortcut\\* learning?\n")
    items = [line for line in text.splitlines() if line.startswith("- **[")]
    assert len(items) == 210
    for paper, item in zip(papers, items):
        assert paper.title in unmarkdown(item)
        assert paper.authors is None or re.search(rf"\b{paper.authors} authors?\)$", item), item
    assert not export_papers(papers[:2], "markdown").startswith("#")


def test_special_characters_survive_every_format(papers):
    odd = special(papers, arxiv_id="2311.01234", url="https://example.org/a_b?x=1&y={2}")
    lone = special(papers, title="Half { open \\ and ^ caret # hash", paper_id="plone00000001", authors=1)
    chosen = [odd, lone, papers[1]]
    quotes = {odd.paper_id: "costs 5% & $3 {sic}", lone.paper_id: "x_1 ~ y^2"}
    entries = list(parse_bibtex(export_papers(chosen, "bibtex", quotes=quotes)).values())
    assert [title_of(e) for e in entries] == [p.title for p in chosen]
    assert [untex(e["annote"]) for e in entries[:2]] == [quotes[odd.paper_id], quotes[lone.paper_id]]
    assert entries[0]["eprint"] == "2311.01234" and entries[0]["archivePrefix"] == "arXiv"
    assert entries[0]["url"] == "https://example.org/a_b?x=1&y=%7B2%7D"
    assert entries[1]["note"] == "1 author"
    rows = read_csv(export_papers(chosen, "csv", quotes=quotes))
    assert [r["title"] for r in rows] == [p.title for p in chosen]
    assert (rows[0]["arxiv_id"], rows[0]["url"], rows[0]["quote"]) == ("2311.01234", odd.url, quotes[odd.paper_id])
    markdown = export_papers(chosen, "markdown", quotes=quotes)
    assert r"\$x\_1\$" in markdown  # no accidental math nor emphasis in a notes app
    assert all(p.title in unmarkdown(markdown) for p in chosen)
    assert "  > costs 5% & \\$3 {sic}" in markdown and "https://arxiv.org/abs/2311.01234" in markdown


def test_an_unknown_format_names_it_and_the_known_ones(papers):
    with pytest.raises(ValueError) as error:
        export_papers(papers[:1], "ris")
    assert "'ris'" in str(error.value) and all(f in str(error.value) for f in FORMATS)
    with pytest.raises(ValueError, match="'xml'"):
        export_answer(AnswerResult("q", "q"), "xml")


def test_an_answer_exports_only_its_cited_papers_with_their_quotes(papers):
    chosen = papers[:3]
    sources = [EvidenceRow(n, p, "", (), 0.9, None, "chosen") for n, p in enumerate(chosen, 1)]
    evidence = {p.paper_id: p.abstract.split(". ")[1] for p in chosen}
    citations = [Citation(n, p.paper_id, p.title, evidence[p.paper_id], "supported", 0.8)
                 for n, p in ((3, chosen[2]), (1, chosen[0]))]  # out of order; source 2 not cited
    result = AnswerResult("What is better: more or less?", "more", answer="More [1][3].",
                          citations=citations, sources=sources)
    cited = [chosen[0], chosen[2]]
    entries = parse_bibtex(export_answer(result, "bibtex"))
    assert list(entries) == [bibtex_key(p) for p in cited]
    assert [untex(e["annote"]) for e in entries.values()] == [evidence[p.paper_id] for p in cited]
    rows = read_csv(export_answer(result, "csv"))
    assert [(r["n"], r["title"], r["quote"]) for r in rows] == [
        ("1", cited[0].title, evidence[cited[0].paper_id]), ("3", cited[1].title, evidence[cited[1].paper_id])]
    markdown = export_answer(result, "markdown")
    assert markdown.startswith("## What is better: more or less?\n")
    assert chosen[1].title not in unmarkdown(markdown)
    lines = unmarkdown(markdown).splitlines()
    first, third = lines.index(f"  > {evidence[cited[0].paper_id]}"), lines.index(f"  > {evidence[cited[1].paper_id]}")
    assert lines[first - 1].startswith(f"- **[1]** {cited[0].title}") and lines[third - 1].startswith("- **[3]** ")
    assert first < third
    empty = AnswerResult("q", "q", refused=True, sources=sources)
    assert parse_bibtex(export_answer(empty, "bibtex")) == {} and len(read_csv(export_answer(empty, "csv"))) == 0


def test_a_month_day_date_takes_the_year_and_a_paper_is_exported_once(papers):
    listed = special(papers, published="01-13", year=2024)
    (row,) = read_csv(export_papers([listed, listed], "csv"))
    assert row["date"] == "2024-01-13" and row["year"] == "2024"
    (fields,) = parse_bibtex(export_papers([listed], "bibtex")).values()
    assert fields["date"] == "2024-01-13"
    (fields,) = parse_bibtex(export_papers([special(papers, published="01-13", year=None)], "bibtex")).values()
    assert "date" not in fields and "year" not in fields  # not a date BibTeX can read


def test_author_names_from_a_jsonl_corpus_reach_every_format(tmp_path, make_assistant):
    """A JSONL "authors" list keeps the names (through an ingest and the catalog too); BibTeX braces each name."""
    import json

    corpus = tmp_path / "named.jsonl"
    corpus.write_text(json.dumps({"title": "Named Paper", "abstract": "We study things.", "arxiv_id": "2401.00001",
                                  "authors": ["Ada Lovelace", "Jane van Doe", "OpenAI Team", "Q. Li"]}) + "\n")
    assistant = make_assistant()
    assistant.ingest([corpus], progress=False)
    stored = assistant.papers()[0]
    assert stored.author_names == ("Ada Lovelace", "Jane van Doe", "OpenAI Team", "Q. Li") and stored.authors == 4
    entry = next(iter(parse_bibtex(export_papers([stored], "bibtex")).values()))
    assert entry["author"] == "{Ada Lovelace} and {Jane van Doe} and {OpenAI Team} and {Q. Li}"
    assert "note" not in entry and entry["eprint"] == "2401.00001"
    assert read_csv(export_papers([stored], "csv"))[0]["author_names"] == "Ada Lovelace; Jane van Doe; OpenAI Team; Q. Li"
    assert "Ada Lovelace, Jane van Doe, OpenAI Team et al." in export_papers([stored], "markdown")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"title": "T", "abstract": "A.", "authors": ["ok", 3]}) + "\n")
    assert "bad.jsonl:1 [authors]" in str(load_corpus([bad]).issues[0])
