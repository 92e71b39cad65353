"""Deterministic synthetic corpora for the benchmarks, made by recombining real abstracts.

Paper i of a corpus made with seed s is always the same: its title joins the first part
of one real title to the last part of another, and its abstract is an opening sentence
of a real abstract followed by 4-8 sentences drawn from all the other sentences of the
corpus. The text is real scientific English, so tokenisation, chunking, embedding cost
and BM25 statistics look like the real thing; the papers are nonsense as science.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Iterator

from ..corpus import Paper, normalize_title
from ..text import split_sentences


def synthetic_papers(real: list[Paper], n: int, seed: int = 13) -> Iterator[dict]:
    if not real:
        raise ValueError("synthetic corpora are made from real papers: none given")
    rng = random.Random(seed)
    openings, rest = [], []
    for paper in sorted(real, key=lambda p: p.paper_id):
        sentences = [s.text for s in split_sentences(paper.abstract)]
        if sentences:
            openings.append(sentences[0])
            rest.extend(sentences[1:])
    heads, tails = [], []
    for paper in sorted(real, key=lambda p: p.paper_id):
        words = paper.title.replace(":", " :").split()
        cut = max(1, len(words) // 2)
        heads.append(" ".join(words[:cut]).rstrip(" :"))
        tails.append(" ".join(words[cut:]).lstrip(": ") or words[-1])
    seen: set[str] = set()
    for i in range(n):
        title = f"{rng.choice(heads)} {rng.choice(tails)}"
        if normalize_title(title) in seen:
            title = f"{title} {i}"
        seen.add(normalize_title(title))
        body = [rng.choice(openings)] + rng.sample(rest, k=min(len(rest), rng.randint(4, 8)))
        yield {
            "title": title,
            "abstract": " ".join(body),
            "authors": rng.randint(1, 12),
            "date": f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        }


def write_synthetic(real: list[Paper], n: int, path: Path, seed: int = 13) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        for row in synthetic_papers(real, n, seed):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path
