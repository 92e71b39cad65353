"""An index whose vectors another machine made is noticed (assistant/index/probe.py).

The int8 model's vectors differ a little between CPUs (about 0.99 cosine for the same
text); here a second embedder of the same name stands in for the other machine.
"""

from __future__ import annotations

import pytest

from assistant.api import Assistant
from assistant.index import probe

from conftest import HashEmbedder

LISTING = """Daily Papers

Jan 2

A Study of Pruning Neural Networks

We study pruning of neural networks and keep the accuracy while removing weights.

• 3 authors
·
Jan 5, 2024

Sparse Attention for Long Documents

Sparse attention lets transformers read long documents at a lower cost.

• 2 authors
·
Mar 2, 2024
"""

MORE = """Daily Papers

Apr 9

Quantised Embeddings on Small Machines

Quantised embedding models run fast on laptops with small losses in recall.

• 4 authors
·
Apr 9, 2024
"""


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


class OtherMachine(HashEmbedder):
    """The same model name, with vectors as another CPU's int8 kernels would make them."""

    def _vector(self, text: str) -> list[float]:
        vector = super()._vector(text)
        return [v + (0.02 if i % 7 == 0 else 0.0) for i, v in enumerate(vector)]


@pytest.fixture
def corpus(tmp_path):
    return write(tmp_path / "papers.txt", LISTING)


def assistant_with(settings, embedder, messages):
    return Assistant(settings, embedder=embedder, notify=messages.append)


def warnings(messages):
    return [m for m in messages if "different arithmetic" in m]


def test_the_same_machine_is_not_warned(settings, corpus):
    told: list[str] = []
    first = assistant_with(settings, HashEmbedder(), told)
    first.ingest([corpus], progress=False)
    first.close()
    again = assistant_with(settings, HashEmbedder(), told)
    again.search("pruning")
    again.ask("which papers study pruning?", llm="extractive")
    again.close()
    assert warnings(told) == []


def test_vectors_of_another_machine_are_reported_once_with_the_command_that_fixes_it(settings, corpus):
    made_here = assistant_with(settings, HashEmbedder(), [])
    made_here.ingest([corpus], progress=False)
    made_here.close()

    told: list[str] = []
    elsewhere = assistant_with(settings, OtherMachine(), told)
    elsewhere.search("pruning", mode="bm25")
    assert warnings(told) == [], "a BM25 search uses no vectors and embeds nothing"
    elsewhere.search("pruning")
    elsewhere.search("sparse attention")
    elsewhere.ask("which papers study pruning?", llm="extractive")
    [warning] = warnings(told)
    assert f"ingest --rebuild {corpus}" in warning and "cosine 0.9" in warning
    elsewhere.close()


def test_an_ingest_beside_other_vectors_says_so_and_a_rebuild_makes_them_all_here(settings, corpus, tmp_path):
    made_here = assistant_with(settings, HashEmbedder(), [])
    made_here.ingest([corpus], progress=False)
    made_here.close()

    told: list[str] = []
    elsewhere = assistant_with(settings, OtherMachine(), told)
    added = elsewhere.ingest([write(tmp_path / "more.txt", MORE)], progress=False)
    assert 0 < added.embedded_chunks < added.chunks
    [warning] = warnings(told)
    assert warning.startswith("This ingest embedded new chunks on this machine")
    elsewhere.ingest([corpus, tmp_path / "more.txt"], rebuild=True, progress=False)
    elsewhere.close()

    told.clear()
    rebuilt = assistant_with(settings, OtherMachine(), told)
    rebuilt.search("pruning")
    rebuilt.close()
    assert warnings(told) == []


def test_an_index_from_before_the_probe_adopts_this_machine_at_its_next_ingest(settings, corpus, tmp_path):
    older = assistant_with(settings, HashEmbedder(), [])
    older.ingest([corpus], progress=False)
    older.close()
    # an index ingested before probes were stored: no probe in its catalog
    import sqlite3

    from assistant.layout import DataLayout

    catalog = DataLayout(settings.storage.data_dir).catalog
    with sqlite3.connect(catalog) as db:
        db.execute("DELETE FROM meta WHERE key LIKE 'probe:%'")

    told: list[str] = []
    later = assistant_with(settings, OtherMachine(), told)
    later.search("pruning")  # nothing stored: nothing to compare
    later.ingest([write(tmp_path / "more.txt", MORE)], progress=False)
    later.close()
    assert warnings(told) == []
    with sqlite3.connect(catalog) as db:
        assert db.execute("SELECT count(*) FROM meta WHERE key LIKE 'probe:%'").fetchone() == (1,)


def test_one_machine_repeats_itself_well_inside_the_tolerance():
    embedder = HashEmbedder()
    assert probe._cosine(probe._vector(embedder), probe._vector(embedder)) == pytest.approx(1.0, abs=1e-12)
    moved = 1 - probe._cosine(probe._vector(embedder), probe._vector(OtherMachine()))
    assert moved > probe.TOLERANCE
