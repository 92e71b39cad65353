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


def test_year_boxes_read_as_a_range_or_say_what_is_wrong():
    from assistant.app.web_sources import years_asked

    assert years_asked("", "") == (None, None) and years_asked(None, None) == (None, None)
    assert years_asked("2021", "2023") == ((2021, 2023), None)
    assert years_asked(" 2021 ", "")[0][0] == 2021 and years_asked("", "2019") == ((1900, 2019), None)
    years, problem = years_asked("2025", "2020")
    assert years is None and "reversed" in problem and "2025" in problem
    assert "must be a year" in years_asked("abc", "")[1]


def test_messages_for_the_page_carry_no_server_paths():
    from assistant.app.web_sources import source_label, without_paths

    assert without_paths("/tmp/gradio/ab12/broken.jsonl:1 [title]: missing") == "broken.jsonl:1 [title]: missing"
    assert "tmp" not in without_paths("only: /srv/data/uploads/x.txt is not a registered corpus source")
    assert source_label("/work/data/corpus/000_44a08bda8a927a10.txt", 39, [2015, 2025]) == "listing 000 (39 papers, 2015-2025)"
    assert source_label("/data/uploads/my_papers.jsonl", 1, []) == "my_papers.jsonl (1 paper)"
