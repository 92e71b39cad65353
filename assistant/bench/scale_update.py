"""The scale simulation's daily update, in a process of its own (run by scale.py):

    python -m assistant.bench.scale_update ARGS_JSON

prints one JSON object. Onto the index of ``size`` papers it applies a 1,000-paper update as an
ingest does (ingest.py: ``run_ingest``, step by step with the same calls): ``new`` papers past
the corpus, ``changed`` papers whose abstract gained a word, ``removed`` papers gone. Then it
takes the update back (the new papers leave, the others return as they were), so the next size
grows from the same corpus; that second update is timed too.

Each step is timed, and the process's peak RSS is sampled every 20 ms. No model runs: the
vectors are pre-made, and fetching them is reported as the simulated embedding; what embedding
the papers would cost is ``papers / EMBED_PAPERS_PER_S`` (measured, docs/scale.md).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from .scale_stages import CHUNKING, EMBEDDER, SOURCE, PeakRss, _settings, clock

NEW_BASE = 2 * 10**9  # the update's new papers: ids past any simulated corpus (and the server's sample)
EMBED_PAPERS_PER_S = 25.7  # minilm-int8 on this machine's 2 cores at chunking 160/32 (docs/scale/embed-throughput.txt)
ADD_BATCH = 256  # chunks per vector-store add, as ingest sends them


def _chunk(paper):
    from ..index import Chunk

    digest = hashlib.sha1(f"{paper.title}\n{paper.abstract}".encode()).hexdigest()[:8]
    return Chunk(chunk_id=f"{paper.paper_id}-{digest}-{CHUNKING}-0", paper_id=paper.paper_id, index=0,
                 text=paper.abstract, embed_text=f"{paper.title}\n\n{paper.abstract}")


def _plan(size: int, new: int, changed: int, removed: int) -> tuple[list[int], list[int], list[int]]:
    """Which papers: new ones past the corpus, changed and removed ones spread over it."""
    step = size // (changed + removed)
    spread = [k * step + step // 2 for k in range(changed + removed)]
    return list(range(NEW_BASE, NEW_BASE + new)), spread[:changed], spread[changed:]


def _papers(world, ids: list[int]) -> tuple[list, dict]:
    """The simulated papers of these ids and their pre-made vectors (by paper id)."""
    from .scale_data import blocks, vectors

    papers, vecs = [], {}
    runs: list[list[int]] = []
    for i in ids:  # consecutive ids are made a block at a time
        if runs and runs[-1][1] == i:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1])
    for lo, hi in runs:
        for (block, _, _), v in zip(blocks(world, lo, hi, source=SOURCE), vectors(world, lo, hi)):
            papers += block.papers
            vecs.update((p.paper_id, row.tolist()) for p, row in zip(block.papers, v))
    return papers, vecs


def apply_update(catalog, store, bm25, upserts: list, vecs: dict, gone: set[str], current: dict[str, str]) -> dict:
    """One update as run_ingest makes it, each step timed: ``upserts`` (Paper) replace or join,
    ``gone`` leave; ``current`` stands for the parsed corpus (paper id -> row digest)."""
    from ..index import paper_digest, plan_vectors

    out: dict = {}
    started = time.perf_counter()
    with clock(out, "digests_s"):
        old = catalog.paper_digests()
    with clock(out, "plan_s"):
        current.update((p.paper_id, paper_digest(p)) for p in upserts)
        for pid in gone:
            current.pop(pid, None)
        write = {pid for pid, digest in current.items() if pid not in old or old[pid][1] != digest}
        removed = sorted(set(old) - current.keys())
    del old
    upserts = [p for p in upserts if p.paper_id in write]
    chunks = [_chunk(p) for p in upserts]
    with clock(out, "vector_plan_s"):  # what the store has, what goes stale (ingest.plan_vectors)
        plan = plan_vectors(catalog, store, {p.paper_id for p in upserts} | set(removed), {c.chunk_id for c in chunks})
    existing = plan.existing
    todo = [c for c in chunks if c.chunk_id not in existing]
    with clock(out, "simulated_embed_s"):
        vectors = [vecs[c.paper_id] for c in todo]
    by_id = {p.paper_id: p for p in upserts}
    with clock(out, "vector_add_s"):
        for lo in range(0, len(todo), ADD_BATCH):
            store.add(todo[lo : lo + ADD_BATCH], vectors[lo : lo + ADD_BATCH], by_id)
    with clock(out, "catalog_s"):
        catalog.apply(upserts, chunks, removed, [SOURCE], CHUNKING)
    stale = plan.stale
    with clock(out, "vector_delete_s"):
        store.delete(stale)
    with clock(out, "bm25_s"):
        bm25.current()
    out["total_s"] = time.perf_counter() - started - out["simulated_embed_s"]
    out["vector_s"] = out["vector_plan_s"] + out["vector_add_s"] + out["vector_delete_s"]
    out["catalog_all_s"] = out["digests_s"] + out["plan_s"] + out["catalog_s"]
    out.update(embedded=len(todo), written=len(upserts), removed=len(removed), deleted_vectors=len(stale),
               embed_estimate_s=len(todo) / EMBED_PAPERS_PER_S)
    return out


def update(args: dict) -> dict:
    from ..app import peak_rss_mb
    from ..index import BM25Store, Catalog, open_vector_store
    from ..layout import DataLayout
    from .scale_data import cached_world

    world, size = cached_world(args["seed"]), args["size"]
    new_ids, changed_ids, removed_ids = _plan(size, args["new"], args["changed"], args["removed"])
    layout = DataLayout(Path(args["data_dir"]))
    catalog = Catalog(layout.catalog)
    new, new_vecs = _papers(world, new_ids)
    originals, old_vecs = _papers(world, changed_ids + removed_ids)
    changed = [replace(p, abstract=p.abstract + " revised") for p in originals[: len(changed_ids)]]
    # the parsed corpus, as digests: every stored paper as it is (not timed; a real ingest parses its files)
    current = {pid: row[1] for pid, row in catalog.paper_digests().items()}
    rss = PeakRss()
    store = open_vector_store(_settings(args), EMBEDDER)
    bm25 = BM25Store(layout.bm25(store.name), catalog)
    bm25.current()  # a running assistant has it open; the update's time is what it adds
    out = {"open_rss_mb": rss.reset()}
    out["update"] = apply_update(catalog, store, bm25, new + changed, new_vecs | old_vecs,
                                 {p.paper_id for p in originals[len(changed_ids):]}, current)
    out["update"]["peak_rss_mb"] = rss.reset()
    out["revert"] = apply_update(catalog, store, bm25, originals, old_vecs, {p.paper_id for p in new}, current)
    out["revert"]["peak_rss_mb"] = rss.reset()
    out["lexical_size"], out["store_count"] = bm25.current().size, store.count()
    out["catalog_papers"] = catalog.counts()[0]
    out["peak_rss_mb"] = max(rss.stop(), peak_rss_mb())
    store.close()
    catalog.close()
    return out


def main(argv: list[str]) -> int:
    import logging

    logging.disable(logging.WARNING)
    if len(argv) != 1:
        print("usage: python -m assistant.bench.scale_update ARGS_JSON", file=sys.stderr)
        return 2
    print(json.dumps(update(json.loads(argv[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
