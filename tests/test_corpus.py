import json
from pathlib import Path

from assistant.corpus import (
    load_corpus, normalize_title, paper_id_for, parse_jsonl, parse_listing,
)
from conftest import CORPUS_FILES

SHORTCUT = "On the Foundations of Shortcut Learning"


def test_bundled_corpus_counts_and_dedup():
    load = load_corpus(CORPUS_FILES)
    assert len(CORPUS_FILES) == 5
    assert load.entries_read == 254  # entries before deduplication
    assert len(load.papers) == 210  # unique normalised titles
    assert load.issues == []
    assert len({p.paper_id for p in load.papers}) == 210
    repeated = [p for p in load.papers if len(p.sources) > 1]
    assert repeated, "titles repeat across the listing files"


def test_fields_spot_checks():
    papers = {p.title: p for p in load_corpus(CORPUS_FILES).papers}
    shortcut = papers[SHORTCUT]
    assert shortcut.abstract.startswith("Deep-learning models can extract a rich assortment of features")
    assert shortcut.authors == 4
    assert shortcut.published == "2023-10-24" and shortcut.year == 2023
    assert shortcut.listing_date == "Jan 13"
    assert shortcut.paper_id == paper_id_for(SHORTCUT)
    # "Aug 2, 2025 2": the trailing number is the upvote count
    assert papers["CM^3: Calibrating Multimodal Recommendation"].upvotes == 2
    # a year-less date takes the corpus's current year; here confirmed by another listing
    meta = papers["Meta Pruning via Graph Metanetworks : A Meta Learning Framework for Network Pruning"]
    assert meta.published == "2025-05-24" and not meta.date_inferred
    assert len(meta.sources) == 2
    # an organisation instead of "• N authors" on the meta line
    kalm = papers["KaLM-Embedding-V2: Superior Training Techniques and Data Inspire A Versatile Embedding Model"]
    assert (kalm.authors, kalm.published) == (None, "2025-06-25")
    # file 002 has no meta lines at all
    assert papers["Tokens-to-Token ViT: Training Vision Transformers from Scratch on ImageNet"].published is None


def test_normalised_title_dedup_merges_variants():
    text = "Jan 1\n\nShortcut  Learning: A Study\n\nAbstract one.\n\nshortcut learning - a study\n\nAbstract one.\n"
    papers, issues = parse_listing(text, "x.txt")
    assert len(papers) == 2 and not issues
    assert normalize_title(papers[0].title) == normalize_title(papers[1].title)
    merged = load_corpus([])  # no files: nothing, no crash
    assert merged.papers == []


def test_listing_reports_entry_without_abstract(tmp_path: Path):
    path = tmp_path / "bad.txt"
    path.write_text("Jan 1\n\nA Title\n\n• 3 authors\n·\nMay 2, 2024\n\nGood Title\n\nA real abstract here.\n")
    load = load_corpus([path])
    assert [p.title for p in load.papers] == ["Good Title"]
    assert len(load.issues) == 1
    issue = load.issues[0]
    assert issue.path == str(path) and issue.line == 3 and issue.field == "abstract"


def test_jsonl_format_and_errors(tmp_path: Path):
    path = tmp_path / "mine.jsonl"
    rows = [
        {"title": "My Paper", "abstract": "We study things.", "authors": ["A", "B"], "date": "2024-03-05",
         "url": "https://example.org/p", "arxiv_id": "2403.00001"},
        {"title": "No Abstract"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken\n")
    load = load_corpus([path])
    assert len(load.papers) == 1
    paper = load.papers[0]
    assert (paper.authors, paper.year, paper.published, paper.arxiv_id) == (2, 2024, "2024-03-05", "2403.00001")
    assert [(i.line, i.field) for i in load.issues] == [(2, "abstract"), (3, None)]
    assert "broken JSON" in str(load.issues[1]) and str(path) in str(load.issues[1])


def test_jsonl_bad_date_names_field():
    papers, issues = parse_jsonl('{"title": "T", "abstract": "A.", "date": "yesterday"}', "f.jsonl")
    assert papers == [] and issues[0].field == "date" and issues[0].line == 1


def test_unreadable_inputs_are_reported(tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Jan 2\n\nCaf\xe9 Networks\n\nAn abstract about caf\xe9s.\n".encode("latin-1"))
    load = load_corpus([empty, binary, latin, tmp_path / "missing.txt"])
    assert [p.title for p in load.papers] == ["Café Networks"]
    messages = " | ".join(str(i) for i in load.issues)
    assert "empty.txt: file is empty" in messages
    assert "blob.txt: binary file" in messages
    assert "latin.txt:3: not UTF-8" in messages
    assert "missing.txt: no such file" in messages
