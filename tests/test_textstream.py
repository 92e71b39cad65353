from assistant.answering.textstream import CitationFilter, PhraseFilter


def run(filter_, pieces):
    out = "".join(filter_.feed(p) for p in pieces)
    return out, filter_


def test_phrase_filter_one_sentence_no_own_citations():
    out, f = run(PhraseFilter(), ["- This", " paper studies", " shortcuts [", "2]", " in CNNs.", " Then more", " text."])
    rest, punct = f.finish()
    assert out + rest == "This paper studies shortcuts in CNNs"
    assert punct == "." and f.done


def test_phrase_filter_stops_at_newline_and_keeps_question_mark():
    out, f = run(PhraseFilter(), ["Is it real?", "\nNext"])
    rest, punct = f.finish()
    assert (out + rest, punct) == ("Is it real", "?")


def test_phrase_filter_empty_output():
    out, f = run(PhraseFilter(), ["   ", "[1]"])
    assert f.finish() == ("", ".") and out == ""


def test_citation_filter_drops_invalid_numbers_while_streaming():
    pieces = ["Texture bias", " is studied [", "1, 7", "]. Another", " claim [9]. Last [2]."]
    f = CitationFilter({1, 2})
    out = "".join(f.feed(p) for p in pieces) + f.finish()
    assert out == "Texture bias is studied [1]. Another claim. Last [2]."
    assert f.shown == out and f.removed == [7, 9]
