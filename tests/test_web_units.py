"""The page's pure helpers (fast tier)."""

from assistant.app.web import link_citations, safe_upload_name


def test_upload_names_cannot_leave_the_uploads_folder():
    for hostile in ("../../etc/passwd", "..\\..\\boot.ini", "/abs/path/x.jsonl", ".hidden.txt", "...", "a b$(rm).txt"):
        name = safe_upload_name(hostile)
        assert "/" not in name and "\\" not in name and not name.startswith(".") and ".." not in name.split("_")[0]
    assert safe_upload_name("../../etc/passwd") == "passwd"
    assert safe_upload_name("my corpus (v2).jsonl") == "my_corpus_v2_.jsonl"
    assert safe_upload_name("...") == "corpus.txt"


def test_citations_become_links_to_the_sources_panel():
    assert link_citations("A [1]. B [2, 3].") == (
        'A [<a href="#src-1">1</a>]. B [<a href="#src-2">2</a>, <a href="#src-3">3</a>].'
    )
