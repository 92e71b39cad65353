#!/usr/bin/env python3
"""How much BM25's ranking moved when the engine changed from bm25s to tantivy, on the eval's questions.

    python scripts/compare_bm25_engines.py DATA_DIR [--runs RUN_A RUN_B]

DATA_DIR holds an ingested catalog (e.g. the bundled corpus: the data directory an eval run made).
Both engines index the same tokens (assistant.index.tokenize: stop words, Snowball stems) of every
chunk; bm25s scores them with k1 1.5 and exact lengths (the old BM25Index.search: the chunks that
score, best first, ties in chunk order), tantivy with k1 1.2 and lengths stored in one byte. For
each eval question's topic (read as the assistant reads it, dates as filters left out) it
compares the papers in BM25 order over the 60 best chunks (what hybrid search fuses) and prints
how often the first one, the first 3 and 10, the set, and the whole order are the same. With --runs (two `eval --out`
folders, before and after), it also tells how many of the records whose answer differs have a
BM25 order that moved.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N = 60  # the candidate chunks per retriever (Settings.retrieval.candidate_chunks)


def bm25s_ranker(rows: list[tuple[str, str]]):
    import bm25s
    import numpy as np

    from assistant.index import tokenize

    ids = [cid for cid, _ in rows]
    retriever = bm25s.BM25()
    retriever.index(tokenize([text for _, text in rows]), show_progress=False)

    def rank(terms: list[str]) -> list[str]:
        known = [t for t in terms if t in retriever.vocab_dict]
        if not known:
            return []
        scores = retriever.get_scores(known)
        found = np.flatnonzero(scores > 0)
        found = found[np.lexsort((found, -scores[found]))][:N]
        return [ids[int(i)] for i in found]

    return rank


def _records(folder: Path) -> list[dict]:
    import gzip

    plain, packed = folder / "results.json", folder / "results.json.gz"
    text = plain.read_text() if plain.is_file() else gzip.decompress(packed.read_bytes()).decode()
    return json.loads(text)["records"]


def papers_of(chunk_ids: list[str]) -> list[str]:
    return list(dict.fromkeys(c.split("-", 1)[0] for c in chunk_ids))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--runs", nargs=2, type=Path, help="two eval --out folders: which differing answers moved")
    args = parser.parse_args()

    from assistant.index import BM25Index, Catalog, tokenize
    from assistant.retrieval import read_question

    catalog = Catalog(args.data_dir / "catalog.sqlite")
    rows = list(catalog.iter_embed_texts())
    old = bm25s_ranker(rows)
    questions = [json.loads(line)["question"] for line in (ROOT / "eval" / "questions.jsonl").open()]
    noise = set(tokenize(["paper papers study studies work works article articles research"])[0])
    with tempfile.TemporaryDirectory() as folder:
        new = BM25Index.build(rows, catalog.version, Path(folder) / "bm25")
        moved: dict[str, bool] = {}
        same = same_set = same_top10 = same_first = same_top3 = 0
        for q in questions:
            topic = read_question(q, lambda: catalog, read_dates=False).topic
            before = papers_of(old([t for t in tokenize([topic])[0] if t not in noise]))
            after = papers_of([h.chunk_id for h in new.search(topic, N)])
            same += before == after
            same_set += set(before) == set(after)
            same_top10 += before[:10] == after[:10]
            same_first += before[:1] == after[:1]
            same_top3 += before[:3] == after[:3]
            moved[q] = before != after
    n = len(questions)
    print(f"{len(rows)} chunks, {n} eval questions. BM25's papers over the {N} best chunks, bm25s against tantivy: "
          f"the same first paper for {same_first} ({same_first / n:.1%}), the same first 3 in order for {same_top3} "
          f"({same_top3 / n:.1%}), the same first 10 in order for {same_top10} ({same_top10 / n:.1%}), the same "
          f"papers for {same_set} ({same_set / n:.1%}), all in the same order for {same} ({same / n:.1%})")
    if args.runs:
        a, b = (_records(p) for p in args.runs)
        differ = [x["question"] for x, y in zip(a, b) if x["answer"] != y["answer"] or
                  [c["paper_id"] for c in x["citations"]] != [c["paper_id"] for c in y["citations"]]]
        print(f"records whose answer or citations differ: {len(differ)}; of them with a BM25 order that moved: "
              f"{sum(moved.get(q, False) for q in differ)}")
    catalog.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
