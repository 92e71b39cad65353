"""Render a scale-simulation run (scale.py) as markdown tables and one PNG plot."""

from __future__ import annotations

from pathlib import Path

from ..retrieval import MODES


def _value(results: list[dict], size: int, store: str, metric: str):
    for r in results:
        if r["size"] == size and r["store"] == store and r["metric"] == metric:
            return r["value"]
    return None


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def render_scale(report: dict, command: str) -> str:
    res, meta, m = report["results"], report["meta"], report["machine"]
    sizes = meta["sizes"]
    v = lambda size, store, metric: _value(res, size, store, metric)  # noqa: E731
    lines = [f"Command: `{command}`", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, Python {m['python']}. "
             f"Wall time of the run: {meta['seconds']:.0f} s ({meta['seconds'] / 60:.1f} min).", "",
             "Ingest (embedded Chroma builds the index; seconds, papers/s, MB):", ""]
    rows = []
    for s in sizes:
        e = "embedded"
        rows.append([f"{s:,}", _fmt(v(s, e, "ingest_s"), 0), _fmt(v(s, e, "chroma_add_s"), 0),
                     f"{_fmt(v(s, e, 'chroma_add_per_s'), 0)} / {_fmt(v(s, e, 'chroma_add_last_tenth_per_s'), 0)}",
                     _fmt(v(s, e, "catalog_write_s")), _fmt(v(s, e, "bm25_build_s")),
                     " / ".join(_fmt(v(s, e, f"ingest_{p}_rss_mb"), 0) for p in ("add", "catalog", "bm25")),
                     _fmt(v(s, e, "ingest_peak_rss_mb"), 0), _fmt(v(s, e, "chroma_mb"), 0), _fmt(v(s, e, "bm25_mb"), 0),
                     _fmt(v(s, e, "catalog_mb"), 0)])
    lines += _table(["papers", "ingest s", "Chroma add s", "add papers/s (all / last tenth)", "catalog write s",
                     "BM25 build s", "RSS MB add / catalog / BM25", "peak RSS MB", "Chroma MB", "BM25 MB",
                     "catalog MB"], rows)
    lines += ["", "What every search asks the catalog, and what the next ingest reads first:", ""]
    rows = [[f"{s:,}"] + [_fmt(v(s, "embedded", f"catalog_{m}_ms"), 2) for m in ("counts", "count_scan", "year_span",
                                                                                  "year_scan")]
            + [_fmt(v(s, "embedded", "store_ids_s"), 1), _fmt(v(s, "embedded", "catalog_digests_s"), 1)] for s in sizes]
    lines += _table(["papers", "counts() ms", "before: COUNT(*) of both tables ms", "year_span() ms",
                     "before: one query scanning papers ms", "vector store ids() s", "catalog paper_digests() s"], rows)
    if any(v(s, "embedded", "update_total_s") is not None for s in sizes):
        lines += ["", "A 1,000-paper update onto the index (900 new, 50 changed, 50 removed), as ingest applies it; "
                      "seconds. Total = all but the embedding; the vector store part is what it has and what goes stale "
                      "(plan_vectors), adds and deletes; the catalog part its digests, the plan and the write; "
                      "embedding: the papers to embed at "
                      "the measured 25.7 papers/s of minilm-int8 (an estimate: vectors are pre-made here):", ""]
        rows = [[f"{s:,}"] + [_fmt(v(s, "embedded", f"update_{k}"), 1) for k in (
            "total_s", "vector_s", "vector_plan_s", "vector_add_s", "vector_delete_s", "catalog_all_s", "digests_s",
            "catalog_s", "bm25_s", "embed_estimate_s")] + [_fmt(v(s, "embedded", "update_peak_rss_mb"), 0),
                                                           _fmt(v(s, "embedded", "update_back_total_s"), 1)]
                for s in sizes]
        lines += _table(["papers", "total s", "vector store s", "plan s", "adds s", "deletes s", "catalog s",
                         "digests s", "catalog write s", "BM25 s", "embedding s (estimate)", "peak RSS MB",
                         "taking it back: total s"], rows)
    held = [(s, v(s, "embedded", "corpus_held_mb")) for s in sizes if v(s, "embedded", "corpus_held_mb") is not None]
    if held:
        lines += ["", "; ".join(f"Holding the {s:,} papers as Paper objects (as ingest holds the parsed corpus): "
                                f"{mb:,.0f} MB" for s, mb in held) + "."]
    lines += ["", "Search through `Assistant.search` (k=10), milliseconds; recall of the vector store's HNSW "
                  "against brute force; planted: the paper a query was made from ranks first:", ""]
    rows = []
    for s in sizes:
        for store in ("embedded", "server"):
            if v(s, store, "dense_p50_ms") is None:
                continue
            rss = v(s, store, "search_process_rss_mb") if store == "embedded" else (
                f"{_fmt(v(s, store, 'client_process_rss_mb'), 0)} + server {_fmt(v(s, store, 'server_search_rss_mb'), 0)}")
            rows.append([f"{s:,}", store] + [f"{_fmt(v(s, store, f'{mode}_p50_ms'))} / {_fmt(v(s, store, f'{mode}_p95_ms'))}"
                                             for mode in MODES]
                        + [_fmt(v(s, store, "dense_first_search_ms"), 0), _fmt(v(s, store, "recall_at_10"), 3),
                           _fmt(v(s, store, "recall_at_60"), 3),
                           " / ".join(_fmt(v(s, store, f"{mode}_planted_at_1"), 2) for mode in MODES),
                           rss if isinstance(rss, str) else _fmt(rss, 0)])
    lines += _table(["papers", "store", "dense p50 / p95", "BM25 p50 / p95", "hybrid p50 / p95", "first dense search ms",
                     "recall@10", "recall@60", "planted@1 dense / BM25 / hybrid", "RSS MB"], rows)
    efs = sorted({int(r["metric"].rsplit("_", 1)[1]) for r in res if r["metric"].startswith("recall_at_10_ef_")})
    if efs:
        lines += ["", "HNSW ef_search (embedded store, recall@10 / query p50 ms):", ""]
        rows = [[f"{s:,}"] + [f"{_fmt(v(s, 'embedded', f'recall_at_10_ef_{ef}'), 3)} / "
                              f"{_fmt(v(s, 'embedded', f'query_p50_ms_ef_{ef}'))}" for ef in efs] for s in sizes]
        lines += _table(["papers"] + [f"ef_search {ef}" for ef in efs], rows)
    server = [s for s in sizes if v(s, "server", "delete_per_s") is not None]
    if server:
        batches = sorted({r["metric"] for r in res if r["metric"].startswith("add_per_s_batch_")},
                         key=lambda x: int(x.rsplit("_", 1)[1]))
        lines += ["", f"Adds through the Chroma server ({meta['server_sample']:,} papers per batch size onto the "
                      "index of that size, then deleted), papers/s:", ""]
        rows = [[f"{s:,}"] + [_fmt(v(s, "server", b), 0) for b in batches]
                + [_fmt(v(s, "server", "delete_per_s"), 0), _fmt(v(s, "server", "server_peak_rss_mb"), 0)] for s in server]
        lines += _table(["papers"] + [f"add, batch {b.rsplit('_', 1)[1]}" for b in batches]
                        + ["delete", "server peak RSS MB"], rows)
    return "\n".join(lines) + "\n"


def plot_scale(report: dict, path: Path) -> bool:
    """Search latency and memory against corpus size; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    res, sizes = report["results"], report["meta"]["sizes"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for store, style in (("embedded", "-"), ("server", "--")):
        for mode, color in (("dense", "C0"), ("bm25", "C1"), ("hybrid", "C2")):
            for q, marker in (("p50", "o"), ("p95", "^")):
                ys = [_value(res, s, store, f"{mode}_{q}_ms") for s in sizes]
                if any(y is not None for y in ys):
                    left.plot(sizes, ys, style, color=color, marker=marker, label=f"{mode} {q} ({store})")
    left.set(xscale="log", yscale="log", xlabel="papers", ylabel="search ms (Assistant.search, k=10)",
             title="Search latency")
    left.legend(fontsize=7, ncol=2)
    for metric, store, label in (("ingest_peak_rss_mb", "embedded", "ingest peak"),
                                 ("search_process_rss_mb", "embedded", "search process, embedded"),
                                 ("client_process_rss_mb", "server", "search process, server client"),
                                 ("server_peak_rss_mb", "server", "chroma run server")):
        ys = [_value(res, s, store, metric) for s in sizes]
        if any(y is not None for y in ys):
            right.plot(sizes, ys, marker="o", label=label)
    right.set(xscale="log", xlabel="papers", ylabel="resident memory MB", title="Memory")
    right.legend(fontsize=8)
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    for axis in (left, right):
        axis.set_xticks(sizes, [f"{s // 1000:,}k" if s >= 1000 else str(s) for s in sizes])
        axis.xaxis.set_minor_formatter(NullFormatter())
    left.yaxis.set_major_formatter(ScalarFormatter())
    left.yaxis.set_minor_formatter(ScalarFormatter())
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
