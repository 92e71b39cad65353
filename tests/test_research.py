"""Research workflows on the real bundled corpus: date filters read from the question,
similar papers, saved questions that watch the corpus, subsets (--only), removing a
source, export and the comparison table; through the library API and the CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from conftest import copy_index

from assistant import PaperNotFound
from assistant.api import Assistant
from assistant.config import Settings
from assistant.layout import PROJECT_ROOT

pytestmark = pytest.mark.integration

NEW_PAPER = """Daily Papers

Jan 2

Magnitude Pruning Revisited for Sparse Transformers

We study magnitude pruning of transformer weights and show that pruning 60% of the weights keeps accuracy on GLUE.

• 3 authors
·
May 2, 2025

On the Foundations of Shortcut Learning

The literature on shortcut learning has noted examples in which models privilege one feature over another.

• 4 authors
·
Oct 1, 2023
"""


@pytest.fixture
def own_index(real_assistant, tmp_path):
    """A copy of the indexed bundled corpus that a test may change."""
    data = tmp_path / "data"
    copy_index(real_assistant.settings.storage.data_dir, data)
    assistant = Assistant(Settings(data_dir=data), notify=lambda m: None)
    yield assistant
    assistant.close()


def test_a_date_phrase_in_the_question_filters_by_year(real_assistant):
    result = real_assistant.ask("Which papers since 2024 study pruning?", llm="extractive")
    scope = result.to_dict()["searched_for"]
    assert scope["topic"] == "pruning" and scope["years"] == [2024, 2025] and scope["date_phrase"] == "since 2024"
    assert scope["undated_left_out"] == 50 and "50 paper(s) that have no date" in result.notice
    assert result.sources and all(s.paper.year >= 2024 for s in result.sources)
    assert all(h.paper.year and h.paper.year >= 2024 for h in result.retrieved)
    # without the phrase, older pruning papers are there too
    unfiltered = real_assistant.ask("Which papers study pruning?", llm="extractive")
    assert any((s.paper.year or 0) < 2024 for s in unfiltered.sources)


def test_explicit_years_win_and_lookalikes_are_not_filters(real_assistant):
    result = real_assistant.ask("Which papers since 2024 study pruning?", llm="extractive", years=(2019, 2023))
    assert result.scope.years == (2019, 2023) and result.scope.date_phrase is None
    assert all(2019 <= h.paper.year <= 2023 for h in result.retrieved)
    for question in ("Which papers report results on the COCO 2017 benchmark?", "Which papers evaluate on ImageNet-2012?"):
        assert real_assistant.ask(question, llm="extractive").scope.years is None
    hits = real_assistant.search("papers from 2023 on shortcut learning").hits
    assert all(h.paper.year == 2023 for h in hits)


def test_similar_papers_share_terms_and_leave_the_paper_out(real_assistant):
    found = real_assistant.similar("On the Foundations of Shortcut Learning", k=5)
    titles = [s.paper.title for s in found]
    assert "On the Foundations of Shortcut Learning" not in titles and len(found) == 5
    assert titles[0] == "Understanding Visual Feature Reliance through the Lens of Complexity"
    assert "shortcut" in found[0].shared_terms
    by_id = real_assistant.similar(found[0].paper.paper_id, k=3)
    assert found[0].paper.title not in [s.paper.title for s in by_id]
    by_text = real_assistant.similar(text="models that rely on spurious shortcut features such as texture", k=3)
    assert "On the Foundations of Shortcut Learning" in [s.paper.title for s in by_text]
    with pytest.raises(PaperNotFound) as missing:
        real_assistant.similar("Foundations of Shortcut Lerning")
    assert "On the Foundations of Shortcut Learning" in missing.value.suggestions


def test_saved_questions_report_new_papers_after_an_ingest(own_index, tmp_path):
    watch = own_index.watch("Which papers study pruning?")
    assert watch.cited and own_index.watches()[0].question == "Which papers study pruning?"
    corpus = tmp_path / "new.txt"
    corpus.write_text(NEW_PAPER)
    report = own_index.ingest([corpus], progress=False)
    assert report.new_papers == 1
    [watched] = report.watched
    assert watched.new == ["Magnitude Pruning Revisited for Sparse Transformers"]
    assert watched.line().startswith(
        "1 new paper(s) now answer 'Which papers study pruning?': Magnitude Pruning Revisited for Sparse Transformers.")
    # a borderline paper may drop out of the list beside a clearer one; it is then named too
    assert all(title in watched.line() and title in watch.titles for title in watched.gone)
    if watched.gone:  # one sentence each, not run together
        assert f"Sparse Transformers. {len(watched.gone)} paper(s) no longer answer" in watched.line()
    assert not own_index.check_watches()[0].changed, "the new answer is the baseline now"
    own_index.unwatch(watch.id)
    assert own_index.watches() == []
    with pytest.raises(ValueError, match="no saved question"):
        own_index.unwatch(watch.id)


def test_only_a_subset_and_removing_a_source(own_index, tmp_path):
    corpus = tmp_path / "new.txt"
    corpus.write_text(NEW_PAPER)
    own_index.ingest([corpus], progress=False)
    hits = own_index.search("pruning transformers", only=str(corpus)).hits
    assert {h.paper.title for h in hits} == {"Magnitude Pruning Revisited for Sparse Transformers",
                                             "On the Foundations of Shortcut Learning"}
    ids = [h.paper.paper_id for h in hits]
    assert {h.paper.paper_id for h in own_index.search("learning", only=",".join(ids)).hits} == set(ids)
    assert all(h.paper.year == 2023 for h in own_index.search("learning", only="2023").hits)
    with pytest.raises(ValueError, match="only: 'nope-id' is neither"):
        own_index.search("learning", only="nope-id")
    report = own_index.remove(corpus)
    titles = {p.title for p in own_index.papers()}
    assert report.removed_papers == 1 and "Magnitude Pruning Revisited for Sparse Transformers" not in titles
    assert "On the Foundations of Shortcut Learning" in titles, "a paper another source holds stays"
    assert own_index.stats().papers == 210
    with pytest.raises(ValueError, match="not a registered source"):
        own_index.remove(corpus)


def cli(data_dir, *args):
    exe = [sys.executable, "-m", "assistant.app.cli", "--data-dir", str(data_dir), *args]
    return subprocess.run(exe, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300)


def test_cli_similar_export_and_table(real_assistant, tmp_path):
    data = real_assistant.settings.storage.data_dir
    similar = cli(data, "similar", "Foundations of Shortcut Lerning")
    assert similar.returncode == 1 and "closest titles:" in similar.stderr and "Traceback" not in similar.stderr
    out = tmp_path / "cited.csv"
    asked = cli(data, "ask", "which papers study shortcut learning?", "--llm", "extractive", "--export", "csv",
                "--out", str(out), "--table", "--json")
    assert asked.returncode == 0, asked.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    result = json.loads(asked.stdout)
    assert [r["title"] for r in rows] == [c["title"] for c in result["citations"]]
    assert all(r["quote"] == c["evidence"] for r, c in zip(rows, result["citations"]))
    abstracts = {p.paper_id: p.abstract for p in real_assistant.papers()}
    assert [row["paper_id"] for row in result["table"]] == [c["paper_id"] for c in result["citations"]]
    for row in result["table"]:
        for column in ("task", "method", "data sets", "headline result"):
            cell = row[column]
            assert cell["text"] == "–" or abstracts[row["paper_id"]][cell["start"]:cell["end"]] == cell["text"]
    bib = cli(data, "ask", "which papers study shortcut learning?", "--llm", "extractive", "--export", "bibtex")
    assert bib.returncode == 0 and bib.stdout.count("@misc{") == len(result["citations"])
    assert bib.stdout == cli(data, "ask", "which papers study shortcut learning?", "--llm", "extractive",
                             "--export", "bibtex").stdout, "stable keys"


def test_cli_watch_and_remove(own_index, tmp_path):
    data = own_index.settings.storage.data_dir
    added = cli(data, "watch", "add", "Which papers study pruning?", "--json")
    assert added.returncode == 0, added.stderr
    corpus = tmp_path / "new.txt"
    corpus.write_text(NEW_PAPER)
    ingested = cli(data, "ingest", str(corpus))
    assert "1 new paper(s) now answer 'Which papers study pruning?': Magnitude Pruning" in ingested.stdout
    run = json.loads(cli(data, "watch", "run", "--json").stdout)
    assert run["reports"][0]["new"] == [] and "Magnitude Pruning Revisited for Sparse Transformers" in run["reports"][0]["cited"]
    removed = cli(data, "remove", str(corpus))
    assert removed.returncode == 0 and "1 paper(s) left the index; 210 remain" in removed.stdout


def test_shared_terms_leave_out_filler_and_url_parts():
    from assistant.corpus import Paper
    from assistant.retrieval.similar import shared_terms

    text = ("Shortcut features have been studied; code is available at https://github.com/lab/shortcut-repo "
            "and www.example.org/page. Texture bias in networks.")
    paper = Paper("p", "Texture and shortcut features", "We have been studying texture bias; code at github.com/x.")
    terms = shared_terms(text, paper, idf=lambda stem: 1.0)
    assert {"texture", "shortcut", "features"} <= set(terms)
    assert not {"have", "been", "code", "github", "https", "available", "example"} & set(terms), terms
