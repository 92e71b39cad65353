"""Incremental ingest on the real Chroma with the fake embedder."""

from pathlib import Path

import pytest

from assistant.index.ingest import IngestError
from assistant.api import Assistant
from conftest import index_of

LISTING = """Daily Papers

Jan 2

Alpha Paper on Shortcut Learning

Alpha studies shortcut learning in deep networks. It shows that models prefer simple features.

• 3 authors
·
May 2, 2023

Beta Paper on Graphs

Beta proposes a graph neural network for molecules. It reaches state of the art results.

• 2 authors
·
Jun 5, 2024 7
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_bundled_ingest_then_rerun_embeds_nothing(assistant, fake_embedder):
    first = assistant.ingest(progress=False)
    assert first.papers == 210 and first.new_papers == 210
    assert first.embedded_chunks == first.chunks == index_of(assistant).vectors.count()
    embedded = fake_embedder.texts_embedded
    second = assistant.ingest(progress=False)
    assert fake_embedder.texts_embedded == embedded, "a second run must embed nothing"
    assert (second.embedded_chunks, second.deleted_chunks, second.new_papers) == (0, 0, 0)
    assert index_of(assistant).vectors.count() == first.chunks
    assert index_of(assistant).catalog.counts() == (210, first.chunks)


def test_changed_and_removed_papers(assistant, tmp_path):
    corpus = write(tmp_path / "c.txt", LISTING)
    first = assistant.ingest([corpus], progress=False)
    assert first.papers == 2
    old_ids = index_of(assistant).vectors.ids()

    write(corpus, LISTING.replace("It reaches state of the art results.", "It is fast and accurate."))
    changed = assistant.ingest(progress=False)
    assert (changed.changed_papers, changed.new_papers, changed.removed_papers) == (1, 0, 0)
    assert changed.embedded_chunks >= 1 and changed.deleted_chunks >= 1
    ids = index_of(assistant).vectors.ids()
    assert len(ids) == changed.chunks, "old chunks of the changed abstract are gone"
    assert {i for i in old_ids if "Beta" not in i} & ids  # the unchanged paper kept its vectors
    beta = next(p for p in index_of(assistant).catalog.papers().values() if p.title.startswith("Beta"))
    assert "fast and accurate" in beta.abstract

    write(corpus, LISTING.split("Beta Paper")[0])
    removed = assistant.ingest(progress=False)
    assert removed.removed_papers == 1 and removed.papers == 1
    assert index_of(assistant).vectors.count() == removed.chunks
    assert [p.title for p in index_of(assistant).catalog.papers().values()] == ["Alpha Paper on Shortcut Learning"]


def test_sources_accumulate_and_rebuild_starts_over(assistant, tmp_path):
    a = write(tmp_path / "a.txt", LISTING)
    b = write(tmp_path / "b.jsonl", '{"title": "Gamma", "abstract": "Gamma is about vision transformers."}\n')
    assistant.ingest([a], progress=False)
    report = assistant.ingest([b], progress=False)
    assert report.papers == 3 and report.new_papers == 1
    rebuilt = assistant.ingest([b], rebuild=True, progress=False)
    assert rebuilt.papers == 1 and rebuilt.embedded_chunks == rebuilt.chunks
    assert index_of(assistant).vectors.count() == rebuilt.chunks
    assert index_of(assistant).catalog.sources() == [str(b.resolve())]


def test_persistent_index_reopens(settings, fake_embedder, tmp_path):
    corpus = write(tmp_path / "c.txt", LISTING)
    first = Assistant(settings, embedder=fake_embedder, notify=lambda m: None)
    report = first.ingest([corpus], progress=False)
    first.close()
    reopened = Assistant(settings, embedder=fake_embedder, notify=lambda m: None)
    stats = reopened.stats()
    assert (stats.papers, stats.chunks, stats.vectors) == (2, report.chunks, report.chunks)
    hits = reopened.search("graph neural network molecules", k=1).hits
    assert hits[0].paper.title == "Beta Paper on Graphs"
    reopened.close()


def test_bad_input_leaves_index_intact(assistant, tmp_path):
    good = write(tmp_path / "good.txt", LISTING)
    assistant.ingest([good], progress=False)
    before = index_of(assistant).vectors.ids()
    empty = write(tmp_path / "empty.txt", "")
    with pytest.raises(IngestError) as err:
        assistant.ingest([empty], rebuild=True, progress=False)
    assert "empty.txt: file is empty" in str(err.value.issues[0])
    assert index_of(assistant).vectors.ids() == before and index_of(assistant).catalog.counts()[0] == 2


def test_unreadable_source_keeps_its_papers(assistant, tmp_path):
    corpus = write(tmp_path / "c.txt", LISTING)
    assistant.ingest([corpus], progress=False)
    corpus.write_bytes(b"\x00\xff" * 50)  # the file is damaged, not emptied of papers
    report = assistant.ingest(progress=False)
    assert report.kept_from_failed_sources == 2 and report.removed_papers == 0
    assert any("binary file" in str(i) for i in report.issues)
    assert index_of(assistant).catalog.counts()[0] == 2


def test_first_search_ingests_bundled_corpus(assistant):
    result = assistant.search("shortcut learning")
    assert result.auto_ingest is not None and result.auto_ingest.papers == 210
    assert any("ingesting the bundled corpus" in m for m in assistant.messages)
    assert assistant.search("shortcut learning").auto_ingest is None


def test_chunks_fit_the_embedder_and_carry_the_title(assistant):
    from assistant.index.chunking import count_tokens

    assistant.ingest(progress=False)
    papers = index_of(assistant).catalog.papers()
    chunks = index_of(assistant).catalog.chunks()
    assert len(chunks) > len(papers), "long abstracts are split"
    for chunk in chunks:
        title = papers[chunk.paper_id].title
        assert chunk.embed_text.startswith(title)
        assert count_tokens(chunk.embed_text) <= assistant.settings.index.chunk_tokens + 8
        assert chunk.text in papers[chunk.paper_id].abstract


def test_bad_file_added_to_existing_index_is_rejected_and_not_registered(assistant, tmp_path):
    good = write(tmp_path / "good.txt", LISTING)
    assistant.ingest([good], progress=False)
    bad = write(tmp_path / "bad.jsonl", "{broken\n")
    with pytest.raises(IngestError, match="unchanged") as err:
        assistant.ingest([bad], progress=False)
    assert [i.line for i in err.value.issues] == [1] and "bad.jsonl" in err.value.issues[0].path
    assert index_of(assistant).catalog.sources() == [str(good.resolve())]
    assert index_of(assistant).catalog.counts()[0] == 2


def test_ingest_streams_in_batches_and_a_failed_run_resumes(assistant, fake_embedder, monkeypatch):
    """Chunks are made and embedded a few papers at a time; when embedding fails midway
    the catalog is untouched, and the next run embeds only what is still missing."""
    import assistant.index.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "PAPER_BATCH", 7)
    sizes: list[int] = []
    real_embed = fake_embedder.embed_documents

    def embed_then_fail(texts):
        sizes.append(len(texts))
        if len(sizes) == 3:
            raise RuntimeError("embedder died")
        return real_embed(texts)

    monkeypatch.setattr(fake_embedder, "embed_documents", embed_then_fail)
    with pytest.raises(RuntimeError, match="embedder died"):
        assistant.ingest(progress=False)
    assert sizes == [64, 64, 64], "embedded in batches of the configured size"
    assert index_of(assistant).catalog.counts() == (0, 0), "the catalog switches over only at the end"
    assert index_of(assistant).vectors.count() == 128, "the two finished batches are kept"

    monkeypatch.setattr(fake_embedder, "embed_documents", real_embed)
    report = assistant.ingest(progress=False)
    assert report.papers == 210 and report.embedded_chunks == report.chunks - 128
    assert index_of(assistant).vectors.ids() == {c.chunk_id for c in index_of(assistant).catalog.chunks()}


def test_ingest_embeds_in_batches_of_the_configured_size(make_assistant, fake_embedder, tmp_path, monkeypatch):
    """embed_batch_size is used as set, also below 64 (it was silently raised to 64)."""
    small = make_assistant(embed_batch_size=8)
    sizes: list[int] = []
    real_embed = fake_embedder.embed_documents

    def embed(texts):
        sizes.append(len(texts))
        return real_embed(texts)

    monkeypatch.setattr(fake_embedder, "embed_documents", embed)
    listing = "Daily Papers\n\nJan 2\n\n" + "".join(
        f"Paper {i} on Topic {i}\n\nThis paper studies subject {i} in depth. It reports result {i}.\n\n• 2 authors\n·\n"
        "May 2, 2023\n\n" for i in range(12))
    report = small.ingest([write(tmp_path / "twelve.txt", listing)], progress=False)
    assert report.embedded_chunks > 8 and max(sizes) == 8, sizes


def _open_catalog_at_once(path: str, barrier, errors) -> None:
    from assistant.index.catalog import Catalog

    barrier.wait()
    try:
        catalog = Catalog(Path(path))
        catalog.close()
    except Exception as exc:  # reported to the parent, which fails the test
        errors.put(f"{type(exc).__name__}: {exc}")


def test_processes_opening_a_fresh_catalog_at_once_all_succeed(tmp_path):
    """Two ingests started together on an empty data directory both create the catalog; the
    switch to write-ahead logging must wait for the other process, not fail 'database is locked'."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    errors = ctx.Queue()
    for round_ in range(8):
        path = tmp_path / f"round{round_}" / "catalog.sqlite3"
        barrier = ctx.Barrier(4)
        procs = [ctx.Process(target=_open_catalog_at_once, args=(str(path), barrier, errors)) for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=60)
            assert p.exitcode == 0
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert not found, found


def test_a_corpus_too_large_to_hold_is_streamed_to_the_same_index(make_assistant, fake_embedder, tmp_path, monkeypatch):
    """Up to HELD_PAPERS papers are chunked once and held; a larger corpus is chunked again
    for each pass. Both ways give the same chunks, vectors and catalog, and the same updates."""
    import assistant.index.ingest as ingest_module

    held = make_assistant().ingest(progress=False)
    held_ids = index_of(make_assistant()).vectors.ids()
    monkeypatch.setattr(ingest_module, "HELD_PAPERS", 100)  # the bundled 210 papers are now "large"
    streamed_assistant = make_assistant(data_dir=tmp_path / "streamed")
    streamed = streamed_assistant.ingest(progress=False)
    assert (streamed.papers, streamed.chunks, streamed.embedded_chunks) == (held.papers, held.chunks, held.embedded_chunks)
    assert index_of(streamed_assistant).vectors.ids() == held_ids
    assert index_of(streamed_assistant).catalog.chunks() == index_of(make_assistant()).catalog.chunks()
    corpus = write(tmp_path / "c.txt", LISTING)
    embedded = fake_embedder.texts_embedded
    again = streamed_assistant.ingest([corpus], progress=False)  # only the two new papers are embedded
    assert again.new_papers == 2 and fake_embedder.texts_embedded - embedded == again.embedded_chunks > 0
