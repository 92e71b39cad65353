"""Similar papers: a paper's nearest neighbours in the corpus, and the words they share.

The query is the whole paper (title and abstract), or any text; it goes through the same
hybrid search as a question (dense + BM25, fused by reciprocal rank), and the query
paper itself is left out. Each neighbour carries the content words it shares with the
query, rarest first, as the query writes them. A reference that names no paper (a
mistyped title) raises :class:`PaperNotFound` with the closest titles as suggestions.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from ..corpus import normalize_title

if TYPE_CHECKING:
    from ..corpus import Paper
    from .retrieve import PaperHit, Retriever

SHARED_TERMS = 8
# words any abstract uses: shared, they say nothing about what two papers have in common
GENERIC = frozenset("""
about above across after again also although among another approach approaches based best better both can cannot
could demonstrate demonstrates different does during each either especially even existing experiments extensive
finally find findings first further furthermore given however including into less many method methods more most
much novel often one only other others over paper papers perform performance present previous propose proposed
provide recent recently results several show shows significant significantly similar some specific still study
such suggest than that their them then there these they this those three through thus two under various very
well what when where whether which while wide widely within without work works would
have been being were will shall with from this that these those into onto upon your ours
available publicly public release released code codes github gitlab https http www html
""".split())
_LINK = re.compile(r"https?://\S+|www\.\S+|\S+\.(?:com|org|io|net)\S*", re.IGNORECASE)  # URL parts are no topic


class PaperNotFound(ValueError):
    """No paper has this id or title; ``suggestions`` are the closest titles."""

    def __init__(self, reference: str, suggestions: list[str]):
        hint = "; did you mean: " + " | ".join(suggestions) if suggestions else ""
        super().__init__(f"no paper with the id or title {reference!r}{hint}")
        self.reference = reference
        self.suggestions = suggestions


@dataclass
class SimilarPaper:
    paper: "Paper"
    rank: int
    score: float  # fused reciprocal-rank score
    shared_terms: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"rank": self.rank, "paper_id": self.paper.paper_id, "title": self.paper.title,
                "published": self.paper.published, "score": round(self.score, 6), "shared_terms": self.shared_terms}


def resolve_paper(reference: str, papers: dict[str, "Paper"]) -> "Paper":
    """A paper by its id, its title (any case or punctuation), or a unique part of its title."""
    reference = reference.strip()
    if reference in papers:
        return papers[reference]
    wanted = normalize_title(reference)
    by_title = {normalize_title(p.title): p for p in papers.values()}
    if wanted in by_title:
        return by_title[wanted]
    partial = [p for key, p in by_title.items() if wanted and wanted in key]
    if len(partial) == 1:
        return partial[0]
    close = difflib.get_close_matches(wanted, list(by_title), n=5, cutoff=0.4)
    suggestions = [p.title for p in partial[:5]] or [by_title[key].title for key in close]
    raise PaperNotFound(reference, suggestions)


def _surface_words(text: str) -> dict[str, str]:
    """stem -> the first way the text writes a word with that stem."""
    from ..index.bm25 import tokenize

    words = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9]+", _LINK.sub(" ", text))
             if len(w) > 3 and w.lower() not in GENERIC]
    stems = tokenize(words) if words else []
    found: dict[str, str] = {}
    for word, stem in zip(words, stems):
        if stem and stem[0] not in found:
            found[stem[0]] = word.lower() if not word.isupper() else word
    return found


def shared_terms(query_text: str, paper: "Paper", idf: Callable[[str], float], n: int = SHARED_TERMS) -> list[str]:
    """The content words the paper shares with the query, rarest in the corpus first."""
    query = _surface_words(query_text)
    theirs = _surface_words(f"{paper.title} {paper.abstract}")
    common = sorted(set(query) & set(theirs), key=lambda stem: (-idf(stem), stem))
    return [query[stem] for stem in common[:n]]


def similar_papers(retriever: "Retriever", idf: Callable[[str], float], *, paper: "Paper | None" = None,
                   text: str | None = None, k: int = 10, years: tuple[int, int] | None = None) -> list[SimilarPaper]:
    """The k papers nearest to ``paper`` (left out of the result) or to ``text``."""
    if (paper is None) == (text is None):
        raise ValueError("give a paper or a text, not both")
    query = f"{paper.title}. {paper.abstract}" if paper is not None else text
    hits: list["PaperHit"] = retriever.search(query, k=k + (paper is not None), mode="hybrid", years=years)
    hits = [h for h in hits if paper is None or h.paper.paper_id != paper.paper_id][:k]
    return [SimilarPaper(h.paper, rank, h.score, shared_terms(query, h.paper, idf)) for rank, h in enumerate(hits, start=1)]
