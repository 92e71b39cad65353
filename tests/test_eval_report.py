"""The eval report's files, written from a made-up run (no models)."""

from assistant.evaluation.report import plot


def test_latency_plot_draws_every_runs_answer_times(tmp_path, monkeypatch):
    """latency.png holds a histogram per system|llm|mode|split (the summary's keys): its
    records were once looked up by a three-part key, so the plot was always empty."""
    import matplotlib.axes

    drawn: dict[str, list[float]] = {}
    real_hist = matplotlib.axes.Axes.hist

    def hist(self, values, *args, label=None, **kwargs):
        drawn[label] = list(values)
        return real_hist(self, values, *args, label=label, **kwargs)

    monkeypatch.setattr(matplotlib.axes.Axes, "hist", hist)
    records = [{"system": "paper-assistant", "llm": "extractive", "mode": "hybrid", "split": split, "type": "topic_list",
                "metrics": {"total_s": seconds}} for split, seconds in (("dev", 0.5), ("dev", 0.7), ("test", 0.9))]
    summary = {f"paper-assistant|extractive|hybrid|{split}": {"topic_list": {"citation_f1": 0.5}} for split in ("dev", "test")}
    plot({"summary": summary, "records": records}, tmp_path)
    assert drawn == {"paper-assistant · extractive · hybrid · dev": [0.5, 0.7],
                     "paper-assistant · extractive · hybrid · test": [0.9]}
    assert (tmp_path / "latency.png").stat().st_size > 0
