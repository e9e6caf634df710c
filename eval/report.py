"""Markdown summary and a PNG chart of an eval run, for humans and for the baseline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eval.run import format_table

CHART_METRICS = ("answer_accuracy", "refusal_accuracy", "citation_accuracy",
                 "retrieval_hit_rate", "answer_language_accuracy")


def write_chart(metrics: dict[str, Any], path: Path) -> None:
    """Grouped bars: each metric per language and per kind."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [("all", metrics["overall"])]
    groups += [(k, v) for k, v in metrics["by_lang"].items()]
    groups += [(k, v) for k, v in metrics["by_kind"].items()]
    shown = [m for m in CHART_METRICS if metrics["overall"].get(m) is not None]
    fig, ax = plt.subplots(figsize=(max(8, len(groups) * 1.1), 4.5))
    width = 0.8 / max(1, len(shown))
    for j, metric in enumerate(shown):
        xs = [i + j * width for i in range(len(groups))]
        ys = [(g.get(metric) or 0.0) * 100 for _, g in groups]
        ax.bar(xs, ys, width, label=metric.replace("_", " "))
    ax.set_xticks([i + width * (len(shown) - 1) / 2 for i in range(len(groups))])
    ax.set_xticklabels([name for name, _ in groups], rotation=30, ha="right")
    ax.set_ylim(0, 105)
    ax.set_ylabel("%")
    ax.set_title("Vraagbaak eval: accuracy per language and kind")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(metrics: dict[str, Any], folder: Path, about: dict[str, Any]) -> Path:
    """report.md + chart.png + metrics.json in `folder`; returns the Markdown path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metrics.json").write_text(
        json.dumps({"about": about, "metrics": metrics}, indent=2, ensure_ascii=False) + "\n"
    )
    write_chart(metrics, folder / "chart.png")
    lines = ["# Vraagbaak eval report", ""]
    lines += [f"- **{k}**: {v}" for k, v in about.items()]
    lines += ["", "```", format_table(metrics), "```", "", "![accuracy](chart.png)", ""]
    path = folder / "report.md"
    path.write_text("\n".join(lines))
    return path
