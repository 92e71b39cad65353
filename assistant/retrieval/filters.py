"""Date filters read from a question: "Which papers since 2024 study pruning?" asks about
pruning, among the papers from 2024 on.

``read_date_filter`` finds the date phrase, takes it out of the question and returns the
inclusive year range it states (``newest`` is the corpus's newest publication year):

    since 2023, from 2023 on/onwards       2023 .. max(newest, 2023)
    after 2022                             2023 .. max(newest, 2023)
    in / from / during 2024                2024 .. 2024
    before 2020                            1900 .. 2019
    until / till / up to 2020              1900 .. 2020
    between 2021 and 2023, from 2021 to 2023, in/from/between 2021-2023
                                           2021 .. 2023 (a reversed range is swapped)
    recent / latest / newest / new papers, recently (published), in recent years
                                           newest-1 .. newest (the last two years)
    the last / past N years (N: digits or one..ten)    newest-N+1 .. newest
    the last / past year, this year        newest .. newest: "the last year" is read as the
                                           corpus's most recent year, not the one before it

Relative phrases need ``newest``: with None (a corpus without dates) they are no filter.
Years are 1900..2099. A publishing verb before the phrase goes with it ("papers published
in 2024", "papers that were published since 2023"), except after a bare auxiliary ("papers
on X were published in 2021" keeps "were published"). Only the first phrase that counts is
read. A question in capitals ("SINCE 2024 STUDY") reads as a name and is left alone.

Conservative on purpose: a false filter silently hides papers, a missed one only returns
a few too many. So a phrase counts only when it dates the papers asked for:
- a year or span must directly follow a word for them ("papers since 2023", "works from
  2024"), possibly through a publishing verb, or follow such a verb ("published before
  2020"). A year in the topic is not a filter: "Which papers study inflation after 2008?",
  "Which papers use data from 2019?", nor a year joined to another ("in 2021 and 2022").
- a year belonging to a name is not a date: "the 2024 benchmark", "ImageNet-2012",
  "COCO 2017", "papers from CVPR 2023": the year must come right after its preposition and
  not be followed by a capitalised word or a noun such as "benchmark" or "task".
- "recent", "latest", "new" count only when they modify papers/works/articles/publications
  at the head of the request ("Which recent papers", "Are there any new papers", "What are
  the latest works"); "recent advances in X", "recent studies suggest", "build on recent
  work" are part of the topic.
- at the very end of a request for papers, "in 2024", "since 2023", "in the last two
  years", "recently" date them too ("Which papers study pruning in 2024?"); "after",
  "before" and "from" there are read as the topic's ("inflation after 2008").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_YEAR, MAX_YEAR = 1900, 2099
_NUMBERS = {w: i for i, w in enumerate("one two three four five six seven eight nine ten".split(), 1)}
_Y = r"(?:19|20)\d\d"
_N = r"\d{1,2}|" + "|".join(_NUMBERS)
_PUBLISHED = r"published|written|released|appeared"
_DATE = re.compile(
    rf"""\b(?:
        between\s+(?P<a1>{_Y})\s*(?:and|-|–)\s*(?P<a2>{_Y})
      | from\s+(?P<b1>{_Y})(?:\s+(?:to|until|till|through)\s+|\s*[-–]\s*)(?P<b2>{_Y})
      | (?:in|during)\s+(?P<c1>{_Y})\s*[-–]\s*(?P<c2>{_Y})
      | from\s+(?P<onward>{_Y})\s+(?:onwards?|on(?=\s*(?:[,;.?!]|$)))
      | since\s+(?P<since>{_Y}) | after\s+(?P<after>{_Y})
      | before\s+(?P<before>{_Y}) | (?:until|till|up\s+(?:to|until))\s+(?P<until>{_Y})
      | (?:in|from|during)\s+(?P<single>{_Y})
      | (?:(?:in|over|during|within|from)\s+)?the\s+(?:last|past)\s+(?:(?P<n>{_N})\s+years?|(?P<one>year))
      | (?:(?:in|from|during)\s+)?this\s+(?P<this>year)
      | (?P<recent>(?:most\s+)?(?:recent|latest|newest|new)|recently\s+(?:{_PUBLISHED}))
        (?=\s+(?:papers?|works?|articles?|publications?)\b)
      | (?P<recently>recently(?:\s+(?:{_PUBLISHED}))?|(?:in|over|during)\s+recent\s+years)
    )(?![\w-])""",
    re.IGNORECASE | re.VERBOSE,
)
# What the text before a postposed phrase must end with: a word for the papers, or a
# publishing verb; the verb is taken out with the phrase unless an auxiliary precedes it alone.
_ATTACHED = re.compile(
    rf"""\b(?:papers?|works?|articles?|studies|publications?|research),?\s+
         (?P<verb>(?:(?:that|which)\s+)?(?:(?:were|was|are|is|have\s+been|has\s+been)\s+)?(?:(?:{_PUBLISHED})\s+)?)$
       | \b(?P<part>(?:{_PUBLISHED})\s+)$""",
    re.IGNORECASE | re.VERBOSE,
)
_AUXILIARY = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+$", re.IGNORECASE)
# A phrase that ends a request for papers dates them too ("Which papers study pruning in
# 2024?"), but only these kinds: "after 2008", "before 2020" and "from 2019" at the end
# of a question more often belong to its topic ("inflation after 2008", "data from 2019").
_REQUEST = re.compile(r"^\s*(?:which|what|list|find|show|are\s+there|give|name)\b.*?"
                      r"\b(?:papers?|works?|articles?|publications?)\b", re.IGNORECASE)
_TRAILING = re.compile(r"(?:in|during|since)\s|(?:(?:in|over|during|within)\s+)?the\s+(?:last|past)\s|"
                       r"recently$|in\s+recent\s+years$|between\s", re.IGNORECASE)
# What the text before "recent papers" must end with: the head of the request.
_LEAD = re.compile(
    r"(?:^|\b(?:which|what|any|some|list|find|show|me|give|name|summari[sz]e|are|were|there)\s+)(?:the\s+)?$",
    re.IGNORECASE,
)
# After a year: it is part of a name ("2017 COCO", "2024 benchmark") or of a list of years.
_NAME_AFTER = re.compile(
    r"\s*(?:,|and|or|&|/|to|till|until|through)\s*\d|\s+[A-Z]|"
    r"\s+(?i:benchmark|challenge|competition|dataset|data|task|shared|edition|version|release|split|"
    r"corpus|leaderboard|track|workshop|conference|proceedings|election)s?\b"
)


@dataclass(frozen=True)
class DateFilter:
    years: tuple[int, int]  # inclusive (FROM, TO) year range, FROM <= TO
    phrase: str  # the exact text taken out of the question, e.g. "since 2024"


def _years(found: dict[str, str], newest: int | None) -> tuple[int, int] | None:
    """The year range one date phrase states (its named groups that matched), or None."""
    for first, last in (("a1", "a2"), ("b1", "b2"), ("c1", "c2")):
        if first in found:
            low, high = sorted((int(found[first]), int(found[last])))
            return low, high
    start = int(found["onward"]) if "onward" in found else int(found["since"]) if "since" in found else None
    if "after" in found:
        start = int(found["after"]) + 1
    if start is not None:
        return (start, max(newest or start, start)) if start <= MAX_YEAR else None
    if "before" in found:
        return (MIN_YEAR, int(found["before"]) - 1) if int(found["before"]) > MIN_YEAR else None
    if "until" in found or "single" in found:
        year = int(found.get("until") or found["single"])
        return (MIN_YEAR if "until" in found else year), year
    if newest is None:
        return None  # a relative phrase, and no dates to count from
    if "n" in found or "one" in found:
        count = 1 if "one" in found else _NUMBERS.get(found["n"].lower()) or int(found["n"])
        return (newest - count + 1, newest) if count >= 1 else None
    return (newest, newest) if "this" in found else (newest - 1, newest)


def _tidy(head: str, tail: str, capital: bool) -> str:
    """head + tail, the text either side of a cut, without the commas and spaces it strands."""
    head, tail = head.rstrip(), tail.lstrip()
    if tail.startswith(",") and not head.endswith(","):
        tail = tail[1:]  # "papers in 2024, study" -> "papers study"
    text = re.sub(r"\s*,\s*,\s*", " ", head + " " + tail)  # "papers, published in 2024, study"
    text = re.sub(r"^\s*,|,\s*(?=[?.!]|$)", "", text)
    text = re.sub(r"\s+([?.!,;:])", r"\1", re.sub(r"\s+", " ", text)).strip()
    return text[:1].upper() + text[1:] if capital else text


def read_date_filter(question: str, newest_year: int | None) -> tuple[str, DateFilter | None]:
    """The question without its date phrase (whitespace and dangling punctuation/commas tidied, so
    'Which papers since 2024 study pruning?' -> 'Which papers study pruning?'), and the filter it states (None if none)."""
    for match in _DATE.finditer(question):
        before, after = question[: match.start()], question[match.end() :]
        if match.group()[-1].isdigit() and _NAME_AFTER.match(after):
            continue
        if match.group("recent"):
            start = match.start() if _LEAD.search(before) else None
        elif attached := _ATTACHED.search(before):
            start = max(attached.start("verb"), attached.start("part"))
            if _AUXILIARY.search(question[:start]):  # "were published in 2021": keep the verb
                start = match.start()
        elif not after.strip(" ?.!") and _REQUEST.match(before) and _TRAILING.match(match.group()):
            start = match.start()
        else:
            start = None
        years = _years({k: v for k, v in match.groupdict().items() if v}, newest_year)
        if start is None or years is None:
            continue
        cleaned = _tidy(question[:start], after, question[:1].isupper())
        return cleaned, DateFilter(years, question[start : match.end()])
    return question, None
