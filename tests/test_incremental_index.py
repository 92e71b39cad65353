"""The incremental catalog (Catalog.apply, catalog_changes.py, catalog_rows.py) and the tantivy BM25
index that follows it (bm25.py): real SQLite, real tantivy."""

from __future__ import annotations

import math
import sqlite3

import pytest

from assistant import Paper
from assistant.index import BM25Index, BM25Store, Catalog, Chunk, paper_digest
from assistant.index import bm25 as bm25_module


def paper(i: int, abstract: str, title: str | None = None, **meta) -> Paper:
    return Paper(paper_id=f"p{i}", title=title or f"Title {i}", abstract=abstract, sources=("s",), **meta)


def chunks_of(p: Paper, parts: int = 1) -> list[Chunk]:
    words = p.abstract.split()
    step = max(1, len(words) // parts)
    out = []
    for k in range(parts):
        passage = " ".join(words[k * step : (k + 1) * step if k < parts - 1 else None])
        out.append(Chunk(f"{p.paper_id}-{p.content_hash[:8]}-160x32-{k}", p.paper_id, k, passage,
                         f"{p.title}\n\n{passage}"))
    return out


CORPUS = [
    paper(0, "graph neural networks predict molecular properties from atoms and bonds"),
    paper(1, "diffusion models edit images with text prompts and masks"),
    paper(2, "shortcut learning makes classifiers rely on spurious features in images"),
]


@pytest.fixture
def store(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite")
    catalog.replace_all(CORPUS, [c for p in CORPUS for c in chunks_of(p, 2)], ["s"], "160x32")
    lexical = BM25Store(tmp_path / "bm25" / "c", catalog)
    yield catalog, lexical
    catalog.close()


def found(lexical: BM25Store, query: str) -> list[str]:
    return sorted({h.chunk_id.split("-")[0] for h in lexical.current().search(query, 20)})


def test_bm25_scores_are_the_lucene_formula_on_our_tokens(tmp_path):
    """tantivy scores the tokens tokenize() makes with BM25 (k1 1.2, b 0.75; lengths under 40 are
    stored exactly): checked by hand on a small index."""
    texts = {"a": "graph graph network", "b": "graph language model model model", "c": "vision transformer"}
    index = BM25Index.build(texts.items(), 1, tmp_path / "bm25")
    tokens = {cid: bm25_module.tokenize([t])[0] for cid, t in texts.items()}
    avg = sum(map(len, tokens.values())) / len(tokens)

    def score(cid: str, terms: list[str]) -> float:
        total = 0.0
        for term in terms:
            df = sum(term in t for t in tokens.values())
            tf = tokens[cid].count(term)
            idf = math.log(1 + (len(tokens) - df + 0.5) / (df + 0.5))
            total += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len(tokens[cid]) / avg)) if tf else 0.0
        return total

    hits = index.search("graph models", 10)
    terms = bm25_module.tokenize(["graph models"])[0]
    assert [h.chunk_id for h in hits] == ["b", "a"]
    assert [h.score for h in hits] == pytest.approx([score("b", terms), score("a", terms)], rel=1e-5)
    assert index.idf("graph") == pytest.approx(math.log(4 / 2.5)) and index.idf("unseen") == pytest.approx(math.log(8))
    assert index.search("papers about research", 10) == []  # only words that say nothing of the topic


def test_an_update_writes_only_the_changed_papers_and_records_their_chunks(store):
    catalog, _ = store
    before = {r[0]: r[1] for r in catalog._db.execute("SELECT paper_id, rowid FROM papers")}
    changed = paper(1, "diffusion models edit videos frame by frame")
    catalog.apply([changed, paper(3, "retrieval augmented generation answers questions")],
                  [c for p in (changed, paper(3, "retrieval augmented generation answers questions")) for c in chunks_of(p)],
                  ["p2"], ["s"], "160x32")
    after = {r[0]: r[1] for r in catalog._db.execute("SELECT paper_id, rowid FROM papers")}
    assert after.keys() == {"p0", "p1", "p3"} and after["p0"] == before["p0"], "an untouched paper is not rewritten"
    assert catalog.counts() == (3, 2 + 1 + 1) and catalog.version == 2
    left, came = catalog.changes_since(1, 2)
    assert left == {c.chunk_id for p in CORPUS[1:] for c in chunks_of(p, 2)}
    assert came == {chunks_of(changed)[0].chunk_id, chunks_of(paper(3, "retrieval augmented generation answers questions"))[0].chunk_id}
    assert catalog.changes_since(0, 2) is None, "replace_all records no changes: the lexical index is rebuilt"
    digests = catalog.paper_digests()
    assert digests["p1"][:2] == (changed.content_hash, paper_digest(changed))
    plan = catalog._db.execute("EXPLAIN QUERY PLAN SELECT paper_id, content, digest, sources FROM papers "
                               "INDEXED BY papers_digests").fetchall()
    assert "COVERING INDEX papers_digests" in str(plan), "digests are read from their index, no abstract"


def test_later_changes_of_a_chunk_win(store):
    catalog, _ = store
    new = paper(3, "first words")
    catalog.apply([new], chunks_of(new), [], ["s"])
    catalog.apply([], [], ["p3"], ["s"])
    left, came = catalog.changes_since(1, 3)
    assert chunks_of(new)[0].chunk_id in left and not came


def test_each_abstract_is_stored_once_and_chunks_read_back_whole(store, tmp_path):
    catalog, _ = store
    stored = catalog._db.execute("SELECT COUNT(*) FROM chunks WHERE text IS NULL AND embed IS NULL").fetchone()[0]
    assert stored == 6, "every chunk is a span of its abstract"
    assert catalog.chunks_of_papers(["p0"]) == chunks_of(CORPUS[0], 2)
    odd = Chunk("p9-x-160x32-0", "p9", 0, "not in the abstract", "another embedded text")
    catalog.apply([paper(9, "the abstract")], [odd], [], ["s"])
    assert catalog.chunks(["p9-x-160x32-0"]) == [odd]
    assert dict(catalog.iter_embed_texts())["p0-" + CORPUS[0].content_hash[:8] + "-160x32-1"] == chunks_of(CORPUS[0], 2)[1].embed_text


def test_a_catalog_of_the_old_layout_is_converted_once(tmp_path):
    """Older catalogs kept each passage and embedded text in full, and had no digest columns."""
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE papers (paper_id TEXT PRIMARY KEY, title TEXT NOT NULL, abstract TEXT NOT NULL,
                authors INTEGER, published TEXT, year INTEGER, date_inferred INTEGER NOT NULL DEFAULT 0,
                listing_date TEXT, upvotes INTEGER, url TEXT, arxiv_id TEXT, sources TEXT NOT NULL);
            CREATE TABLE chunks (chunk_id TEXT PRIMARY KEY, paper_id TEXT NOT NULL, idx INTEGER NOT NULL,
                text TEXT NOT NULL, embed_text TEXT NOT NULL);
            CREATE INDEX chunks_by_paper ON chunks(paper_id);""")
        p = CORPUS[0]
        db.execute("INSERT INTO papers VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                   (p.paper_id, p.title, p.abstract, None, None, None, 0, None, None, None, None, '["s"]'))
        db.executemany("INSERT INTO chunks VALUES (?,?,?,?,?)",
                       [(c.chunk_id, c.paper_id, c.index, c.text, c.embed_text) for c in chunks_of(p, 2)])
    catalog = Catalog(path)
    try:
        assert catalog.chunks() == chunks_of(CORPUS[0], 2)
        assert catalog.paper_digests()["p0"][:2] == (CORPUS[0].content_hash, paper_digest(CORPUS[0]))
        assert catalog._db.execute("SELECT COUNT(*) FROM chunks WHERE text IS NULL").fetchone()[0] == 2
    finally:
        catalog.close()


def test_the_lexical_index_follows_the_catalog_without_a_rebuild(store, monkeypatch):
    catalog, lexical = store
    assert found(lexical, "molecular") == ["p0"] and lexical.current().size == 6
    changed = paper(1, "diffusion models edit videos frame by frame")
    new = paper(3, "retrieval augmented generation answers questions about molecular data")
    catalog.apply([changed, new], chunks_of(changed) + chunks_of(new), ["p2"], ["s"], "160x32")

    def no_rebuild(*args, **kwargs):
        raise AssertionError("rebuilt instead of following the recorded changes")

    monkeypatch.setattr(BM25Index, "build", no_rebuild)
    assert lexical.current().size == 4 and lexical.current().version == 2
    assert found(lexical, "molecular") == ["p0", "p3"]
    assert found(lexical, "videos") == ["p1"] and found(lexical, "masks") == [] and found(lexical, "shortcut") == []
    # another process opening the same folder reads the same version from disk
    assert BM25Store(lexical.folder, catalog).current().size == 4


def test_an_interrupted_update_is_applied_again_on_the_next_read(store, monkeypatch):
    """Killed after tantivy committed but before the stamp was written: the stamp still names the
    old version, and the next reader applies the same changes again (deletes first: no duplicates)."""
    catalog, lexical = store
    lexical.current()
    new = paper(3, "retrieval augmented generation for molecular data")
    catalog.apply([new], chunks_of(new), [], ["s"])
    real = bm25_module._write_stamp
    monkeypatch.setattr(bm25_module, "_write_stamp", lambda folder, version: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        lexical.current()
    assert bm25_module.read_stamp(lexical.folder) == 1
    monkeypatch.setattr(bm25_module, "_write_stamp", real)
    fresh = BM25Store(lexical.folder, catalog)
    assert fresh.current().size == 7 and found(fresh, "retrieval") == ["p3"]
    assert len(fresh.current().search("retrieval", 10)) == 1


def test_without_recorded_changes_the_index_is_built_again(store):
    catalog, lexical = store
    folder = lexical.folder
    lexical.current()
    catalog.replace_all(CORPUS[:1], chunks_of(CORPUS[0]), ["s"])  # written whole: nothing recorded
    assert lexical.current().size == 1 and found(lexical, "images") == []
    # a folder another engine wrote (bm25s kept chunk_ids.json, no stamp) is built again too
    for f in folder.iterdir():
        f.unlink() if f.is_file() else None
    (folder / "chunk_ids.json").write_text('{"version": 2, "ids": []}')
    assert BM25Store(folder, catalog).current().size == 1


def test_a_re_ingest_touches_only_the_changed_paper(assistant, tmp_path):
    from conftest import index_of
    from test_ingest import LISTING, write

    corpus = write(tmp_path / "c.txt", LISTING)
    assistant.ingest([corpus], progress=False)
    catalog = index_of(assistant).catalog
    beta = [p for p in catalog.papers().values() if p.title.startswith("Beta")][0]
    write(corpus, LISTING.replace("It reaches state of the art results.", "It is fast and accurate."))
    report = assistant.ingest(progress=False)
    assert (report.changed_papers, report.new_papers, report.removed_papers) == (1, 0, 0)
    left, came = catalog.changes_since(catalog.version - 1, catalog.version)
    assert {c.split("-")[0] for c in left | came} == {beta.paper_id}
    assert assistant.search("fast and accurate", k=2, mode="bm25").hits[0].paper.paper_id == beta.paper_id
