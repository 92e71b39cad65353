"""Write an eval run to disk: report.md, results.json and PNG plots."""

from __future__ import annotations

import json
from pathlib import Path

TABLE_METRICS = [
    ("recall@5", "R@5"), ("recall@10", "R@10"), ("mrr", "MRR"), ("ndcg@10", "nDCG@10"),
    ("citation_precision", "cite P"), ("citation_recall", "cite R"), ("citation_f1", "cite F1"),
    ("claim_support", "claims supported"), ("evidence_match", "evidence = gold quote"), ("fact_recall", "facts"),
    ("correct_refusal", "correct refusals"), ("false_refusal", "false refusals"),
]


def summary_key(record: dict) -> str:
    """The summary's key of an eval record: system|llm|mode|split."""
    return "|".join(record[k] for k in ("system", "llm", "mode", "split"))


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def render_markdown(run: dict, command: str) -> str:
    lines = ["# Eval report", "", f"Command: `{command}`", "",
             f"{run['meta']['questions']} questions; index: {run['meta']['index']['papers']} papers, "
             f"{run['meta']['index']['chunks']} chunks, embedder {run['meta']['index']['embedder']}; "
             f"{run['meta']['seconds']} s.", ""]
    lines += headline_table(run["summary"])
    lines += ["## Overall, per system, back-end, retrieval mode and split", ""]
    header = "| system | llm | mode | split | " + " | ".join(label for _, label in TABLE_METRICS) + " | retrieve p50 s | first token p50 s | total p50 s | total p95 s |"
    lines += [header, "|" + "---|" * (header.count("|") - 1)]
    for key, summary in run["summary"].items():
        system, llm, mode, split = key.split("|")
        overall = summary["overall"]
        cells = [_fmt(overall.get(name)) for name, _ in TABLE_METRICS]
        timings = [_fmt(overall.get(k)) for k in ("retrieve_s_p50", "first_token_s_p50", "total_s_p50", "total_s_p95")]
        lines.append(f"| {system} | {llm} | {mode} | {split} | " + " | ".join(cells + timings) + " |")
    lines += judging_table(run["summary"])
    lines += ["", "## Per question type", ""]
    for key, summary in run["summary"].items():
        lines += [f"### {key.replace('|', ' · ')}", "", "| type | n | " + " | ".join(l for _, l in TABLE_METRICS) + " |",
                  "|" + "---|" * (len(TABLE_METRICS) + 2)]
        for group, values in summary.items():
            if group == "overall":
                continue
            lines.append(f"| {group} | {values['questions']} | " + " | ".join(_fmt(values.get(n)) for n, _ in TABLE_METRICS) + " |")
        lines.append("")
    agreement = run["judge_agreement"]
    lines += ["## Support judge against the gold evidence quotes", "",
              f"- gold quotes: {agreement['gold_quotes']}",
              f"- judged supported by their own paper: {_fmt(agreement['supported_by_own_paper'])}",
              f"- judged not supported by another gold paper: {_fmt(agreement['rejected_for_other_paper'])}", "",
              "Definitions: retrieval metrics are at paper level over the ranked candidates; cite P/R/F1 compare the "
              "cited papers with the gold papers (answerable questions); claims supported is the share of cited "
              "sentences that the support judge finds supported by their cited abstract (ALCE-style); evidence = gold "
              "quote is the share of cited gold papers whose evidence sentence agrees with the hand-picked gold "
              "quote (the judge's choice of evidence against the gold's); facts is the "
              "share of gold facts found in the answer after normalising numbers and case; a correct refusal is an "
              "unanswerable question refused with nothing cited; a false refusal is an answerable one refused.", ""]
    return "\n".join(lines)


def judging_table(summary: dict) -> list[str]:
    """Where a judging back-end chose the sources: how often, and what verification dropped (totals)."""
    judged = {k: s["overall"] for k, s in summary.items() if s["overall"].get("sources_chosen_by_model")}
    if not judged:
        return []
    lines = ["", "## Sources chosen by a judging model, and what verification dropped", "",
             "| system | llm | mode | split | questions | sources chosen by the model | spans dropped | spans trimmed to "
             "their verbatim part | all dropped (spans, numbers, citations, sentences) | mean s per question |",
             "|---" * 10 + "|"]
    for key, overall in judged.items():
        n = overall["questions"]
        total = lambda name: "–" if overall.get(name) is None else f"{round(overall[name] * n)}"
        lines.append(f"| {key.replace('|', ' | ')} | {n} | {_fmt(overall['sources_chosen_by_model'])} | "
                     f"{total('spans_dropped')} | {total('spans_trimmed')} | {total('dropped')} | {_fmt(overall.get('total_s_mean'))} |")
    return lines


def headline_table(summary: dict) -> list[str]:
    """The headline figures, one column per system|llm|mode|split (test before dev)."""
    from .metrics import HEADLINE, headline

    keys = sorted(summary, key=lambda k: (k.rsplit("|", 1)[0], k.endswith("|dev")))
    lines = ["## Headline figures (fitted on dev; test is the held-out split)", "",
             "| figure | " + " | ".join(k.replace("|", " · ") for k in keys) + " |",
             "|---|" + "---|" * len(keys)]
    figures = {k: headline(summary[k]) for k in keys}
    for label, _, _ in HEADLINE:
        lines.append(f"| {label} | " + " | ".join(_fmt(figures[k][label]) for k in keys) + " |")
    return lines + [""]


def write_run(run: dict, out_dir: Path, command: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(run, indent=1, ensure_ascii=False))
    (out_dir / "report.md").write_text(render_markdown(run, command))
    plot(run, out_dir)
    return out_dir


def plot(run: dict, out_dir: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = list(run["summary"])
    types = ["topic_list", "single_fact", "multi_hop"]
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(keys) + 3), 4))
    width = 0.8 / max(1, len(keys))
    for i, key in enumerate(keys):
        values = [run["summary"][key].get(t, {}).get("citation_f1") or 0 for t in types]
        ax.bar([x + i * width for x in range(len(types))], values, width, label=key.replace("|", " · "))
    ax.set_xticks([x + width * (len(keys) - 1) / 2 for x in range(len(types))], types)
    ax.set_ylabel("citation F1")
    ax.set_ylim(0, 1)
    ax.set_title("Citation F1 per question type")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out_dir / "citation_f1_by_type.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    for key in keys:
        totals = [r["metrics"]["total_s"] for r in run["records"]
                  if summary_key(r) == key and r["metrics"]["total_s"] is not None]
        if totals:
            ax.hist(totals, bins=20, alpha=0.5, label=key.replace("|", " · "))
    ax.set_xlabel("answer time, s (warm process)")
    ax.set_ylabel("questions")
    ax.set_title("Answer latency")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out_dir / "latency.png", dpi=110)
    plt.close(fig)
