"""The corpus stage: corpus files (daily-papers listings and JSONL) parsed into deduplicated Paper records.

Listing format (one page dump per file): a few header paragraphs ending with the
listing date ("Jan 13"), then entries separated by blank lines::

    Title
    Abstract paragraph
    • 4 authors          <- optional meta paragraph; the first line may be an
    ·                       organisation instead of "• N authors"
    Nov 24, 2023 12      <- publication date, then upvotes when present

JSONL format: one object per line with ``title`` and ``abstract`` required and
``authors`` (a list or a count), ``date``, ``url`` and ``arxiv_id`` optional.

Problems never abort a load: each becomes a :class:`CorpusIssue` naming the file,
line and field, and the good entries are kept. A file lists at most
``MAX_ISSUES_PER_FILE`` problems; one more issue counts the rest and their lines.
"""

from __future__ import annotations

from .files import CORPUS_SUFFIXES, expand_paths, load_corpus, parse_file
from .jsonl import parse_jsonl
from .listing import parse_listing
from .papers import MAX_ISSUES_PER_FILE, CorpusIssue, CorpusLoad, Paper, deduplicate, normalize_title, paper_id_for

__all__ = [
    "CORPUS_SUFFIXES", "MAX_ISSUES_PER_FILE", "CorpusIssue", "CorpusLoad", "Paper", "deduplicate", "expand_paths",
    "load_corpus", "normalize_title", "paper_id_for", "parse_file", "parse_jsonl", "parse_listing",
]
