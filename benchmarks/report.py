"""The report: markdown tables (report.md), a summary (summary.json) and PNG plots, from every result present.

Simple regret after k evaluations = best value among the first k minus the known optimum; over seeds we give
the mean and its standard error (sample standard deviation / sqrt(seeds)). Ranks: per problem, peers ordered
by mean regret at a checkpoint (1 = lowest), then averaged over problems.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt

from benchmarks.adapters import PEERS
from benchmarks.latency import load_latency
from benchmarks.problems import PROBLEMS
from benchmarks.quality import load_quality
from benchmarks.storage import write_json

CHECKPOINTS = (30, 60, 100)
TARGET_CHECKPOINT = 60
STANDARD = ("branin", "hartmann6", "ackley5", "rosenbrock4", "levy10", "styblinski_tang8")


def regret_curves(payload: dict[str, Any], evaluations: int) -> npt.NDArray[np.float64]:
    """(seeds, evaluations) best-so-far regret of the runs with at least `evaluations` evaluations
    (a run stopped by the timeout counts for the checkpoints it reached)."""
    rows = [np.minimum.accumulate(np.asarray(run["values"][:evaluations], dtype=np.float64))
            for _, run in sorted(payload["runs"].items(), key=lambda item: int(item[0]))
            if len(run["values"]) >= evaluations]
    if not rows:
        return np.empty((0, evaluations))
    return np.maximum(np.vstack(rows) - float(payload["optimum"]), 0.0)


def mean_se(samples: npt.NDArray[np.float64]) -> tuple[float, float]:
    """Mean and standard error (nan with one sample)."""
    mean = float(np.mean(samples))
    se = float(np.std(samples, ddof=1) / math.sqrt(len(samples))) if len(samples) > 1 else math.nan
    return mean, se


def quality_summary(quality: dict[str, dict[str, dict[str, Any]]], evaluations: int,
                    checkpoints: list[int]) -> dict[str, dict[str, dict[str, Any]]]:
    """problem -> peer -> {seeds, checkpoint -> [mean, se]}."""
    summary: dict[str, dict[str, dict[str, Any]]] = {}
    for peer, problems in quality.items():
        for name, payload in problems.items():
            complete = [run for run in payload["runs"].values() if len(run["values"]) >= evaluations]
            entry: dict[str, Any] = {"optimizer_seconds": float(np.mean(
                [run["optimizer_seconds"] for run in complete])) if complete else math.nan}
            for k in checkpoints:
                curves = regret_curves(payload, k)
                if len(curves):
                    entry[str(k)] = [*mean_se(curves[:, k - 1]), len(curves)]
            if str(checkpoints[0]) in entry:
                summary.setdefault(name, {})[peer] = entry
    return summary


def ranks(summary: dict[str, dict[str, dict[str, Any]]], checkpoint: int) -> dict[str, dict[str, float]]:
    """problem -> peer -> rank of its mean regret at `checkpoint` (ties share the average rank)."""
    table: dict[str, dict[str, float]] = {}
    for name, peers in summary.items():
        means = {peer: entry[str(checkpoint)][0] for peer, entry in peers.items() if str(checkpoint) in entry}
        ordered = sorted(means.values())
        table[name] = {peer: float(np.mean([i + 1 for i, m in enumerate(ordered) if m == mean]))
                       for peer, mean in means.items()}
    return table


def _fmt(value: float) -> str:
    if math.isnan(value):
        return "–"
    return f"{value:.3g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def latency_tables(latency: dict[str, dict[str, Any]]) -> list[str]:
    sizes = sorted({int(n) for payload in latency.values() for n in [*payload["sizes"], *payload["skipped_sizes"]]})
    lines: list[str] = []
    titles = (("amortized_step", "Amortized step (mean over one refit window of max(3, n/16) steps, refits included)"),
              ("steady_step", "Steady step (ask + tell in a running loop, the peer's refit policy deciding)"),
              ("cold_step", "Cold step (the first ask + tell after importing n observations)"),
              ("ask", "ask() alone (median over all steps)"), ("tell", "tell() alone (median over all steps)"),
              ("first_ask", "First ask after importing n observations"),
              ("import", "Importing n observations (the peer's bulk path)"))
    for key, title in titles:
        lines += [f"**{title}**, seconds, d = 6", "", "| peer | " + " | ".join(f"n={n}" for n in sizes) + " |",
                  "| --- |" + " ---: |" * len(sizes)]
        for peer, payload in latency.items():
            cells = []
            for n in sizes:
                if str(n) in payload["sizes"]:
                    cells.append(_seconds(payload["sizes"][str(n)][key]))
                elif n in payload["skipped_sizes"]:
                    cells.append(f"skipped (> {payload['limit_seconds']:.0f} s, measured or projected)")
                else:
                    cells.append("–")
            lines.append(f"| {peer} | " + " | ".join(cells) + " |")
        lines.append("")
    if any(entry.get("rss_mib") is not None for payload in latency.values() for entry in payload["sizes"].values()):
        lines += ["**Resident memory added by the import and the window**, MiB, d = 6", "",
                  "| peer | " + " | ".join(f"n={n}" for n in sizes) + " |", "| --- |" + " ---: |" * len(sizes)]
        for peer, payload in latency.items():
            memory = [payload["sizes"].get(str(n), {}).get("rss_mib") for n in sizes]
            lines.append(f"| {peer} | " + " | ".join("–" if m is None else f"{m:.0f}" for m in memory) + " |")
        lines.append("")
    return lines


def quality_tables(summary: dict[str, dict[str, dict[str, Any]]], checkpoints: list[int]) -> list[str]:
    lines: list[str] = []
    for name in PROBLEMS:
        if name not in summary:
            continue
        lines += [f"**{name}** (d = {PROBLEMS[name].dim}): simple regret, mean ± s.e. over seeds", "",
                  "| peer | " + " | ".join(f"after {k} (seeds)" for k in checkpoints) + " | optimizer s/run |",
                  "| --- |" + " ---: |" * (len(checkpoints) + 1)]
        for peer in PEERS:
            entry = summary[name].get(peer)
            if entry is None:
                continue
            cells = [f"{_fmt(entry[str(k)][0])} ± {_fmt(entry[str(k)][1])} ({entry[str(k)][2]})"
                     if str(k) in entry else "–" for k in checkpoints]
            lines.append(f"| {peer} | " + " | ".join(cells) + f" | {_fmt(entry['optimizer_seconds'])} |")
        lines.append("")
    return lines


def rank_table(summary: dict[str, dict[str, dict[str, Any]]], checkpoint: int) -> list[str]:
    table = ranks(summary, checkpoint)
    names = [name for name in PROBLEMS if name in table]
    lines = [f"**Ranks at {checkpoint} evaluations** (1 = lowest mean regret)", "",
             "| peer | " + " | ".join(names) + " | mean rank |", "| --- |" + " ---: |" * (len(names) + 1)]
    rows = []
    for peer in PEERS:
        mine = [table[name][peer] for name in names if peer in table[name]]
        if mine:
            rows.append((float(np.mean(mine)), peer, [table[name].get(peer) for name in names]))
    for mean, peer, cells in sorted(rows):
        lines.append(f"| {peer} | " + " | ".join("–" if c is None else f"{c:g}" for c in cells)
                     + f" | {mean:.2f} |")
    return lines + [""]


def targets(latency: dict[str, dict[str, Any]], summary: dict[str, dict[str, dict[str, Any]]],
            checkpoint: int) -> list[str]:
    """The issue's targets, checked on the numbers present (a target without data says so)."""
    lines = ["**Targets** (computed from the results above)", ""]
    he, gp = latency.get("hyperengine"), latency.get("optuna-gp")
    if he and gp and "400" in he["sizes"] and "400" in gp["sizes"]:
        for key in ("amortized_step", "steady_step", "cold_step"):
            ratio = gp["sizes"]["400"][key] / he["sizes"]["400"][key]
            lines.append(f"- latency n=400, {key}: optuna-gp / hyperengine = {ratio:.1f}x "
                         f"({'met' if ratio >= 20 else 'missed'}: target >= 20x)")
            if "2000" in he["sizes"]:
                ours = he["sizes"]["2000"][key]
                theirs = gp["sizes"]["400"][key]
                lines.append(f"- latency, {key}: hyperengine n=2000 {_seconds(ours)} vs optuna-gp n=400 "
                             f"{_seconds(theirs)} ({'met' if ours < theirs else 'missed'})")
    else:
        lines.append("- latency: no hyperengine and optuna-gp results at n=400")
    k = str(checkpoint)
    for peer in ("optuna-gp", "optuna-tpe", "random"):
        wins, clear, compared = 0, 0, 0
        for name in STANDARD:
            entries = summary.get(name, {})
            if k not in entries.get("hyperengine", {}) or k not in entries.get(peer, {}):
                continue
            compared += 1
            (ours, our_se, _), (theirs, their_se, _) = entries["hyperengine"][k], entries[peer][k]
            wins += ours <= theirs
            clear += ours + 2 * math.hypot(our_se, their_se) < theirs
        lines.append(f"- regret at {k}: hyperengine no worse than {peer} on {wins}/{compared} standard functions "
                     f"(better by more than 2 s.e. on {clear}/{compared})")
    mixed = summary.get("mixed", {})
    if k in mixed.get("hyperengine", {}):
        ours = mixed["hyperengine"][k][0]
        beaten = [peer for peer, entry in mixed.items()
                  if not peer.startswith("hyperengine") and k in entry and entry[k][0] <= ours]
        lines.append(f"- mixed space at {k}: hyperengine {_fmt(ours)}; peers at or below it: "
                     f"{', '.join(beaten) if beaten else 'none'}")
    return lines + [""]


def plot_latency(latency: dict[str, dict[str, Any]], path: Path) -> None:
    figure, axis = plt.subplots(figsize=(7, 4.5))
    for peer, payload in latency.items():
        sizes = sorted(int(n) for n in payload["sizes"])
        amortized = [payload["sizes"][str(n)]["amortized_step"] for n in sizes]
        cold = [payload["sizes"][str(n)]["cold_step"] for n in sizes]
        line, = axis.plot(sizes, amortized, marker="o", label=peer)
        axis.plot(sizes, cold, linestyle=":", color=line.get_color())
    axis.set(xscale="log", yscale="log", xlabel="observations n", ylabel="seconds per step (ask + tell)",
             title="Step latency, d = 6 (solid: amortized, dotted: cold)")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)


def plot_regret(quality: dict[str, dict[str, dict[str, Any]]], evaluations: int, path: Path) -> None:
    names = [name for name in PROBLEMS if any(name in problems for problems in quality.values())]
    columns = min(4, len(names))
    rows = math.ceil(len(names) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.6 * columns, 3 * rows), squeeze=False)
    colors = dict(zip(PEERS, plt.rcParams["axes.prop_cycle"].by_key()["color"] * 2, strict=False))
    for axis, name in zip(axes.flat, names, strict=False):
        for peer in PEERS:
            payload = quality.get(peer, {}).get(name)
            if not payload:
                continue
            # a peer run with a smaller budget (the slow ones) is drawn as far as its runs go
            length = min(evaluations, max(len(run["values"]) for run in payload["runs"].values()))
            curves = regret_curves(payload, length)
            mean = curves.mean(axis=0)
            se = curves.std(axis=0, ddof=1) / math.sqrt(len(curves)) if len(curves) > 1 else np.zeros_like(mean)
            steps = np.arange(1, length + 1)
            axis.plot(steps, np.maximum(mean, 1e-6), color=colors[peer], label=peer, linewidth=1.2)
            axis.fill_between(steps, np.maximum(mean - se, 1e-6), np.maximum(mean + se, 1e-6),
                              color=colors[peer], alpha=0.15)
        axis.set(yscale="log", title=name, xlabel="evaluations")
        axis.grid(True, alpha=0.3)
    for axis in list(axes.flat)[len(names):]:
        axis.axis("off")
    axes[0, 0].set_ylabel("simple regret (mean ± s.e.)")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=70)
    plt.close(figure)


def write_report(out: Path, evaluations: int) -> None:
    """report.md, summary.json, latency.png and regret_curves.png in `out`, from the results present there."""
    latency = load_latency(out, list(PEERS))
    quality = load_quality(out, list(PEERS), list(PROBLEMS))
    checkpoints = sorted({k for k in CHECKPOINTS if k <= evaluations} | {evaluations})
    summary = quality_summary(quality, evaluations, checkpoints)
    lines = ["# Benchmark results", ""]
    if latency:
        lines += ["## Latency", "", *latency_tables(latency)]
        plot_latency(latency, out / "latency.png")
    if summary:
        lines += ["## Quality", "", *quality_tables(summary, checkpoints)]
        for k in checkpoints:
            lines += rank_table(summary, k)
        plot_regret(quality, evaluations, out / "regret_curves.png")
    lines += targets(latency, summary, TARGET_CHECKPOINT if TARGET_CHECKPOINT in checkpoints else checkpoints[-1])
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
    write_json(out / "summary.json", {
        "evaluations": evaluations, "checkpoints": checkpoints, "quality": summary,
        "latency": {peer: {n: {key: value for key, value in entry.items() if key != "raw"}
                           for n, entry in payload["sizes"].items()} for peer, payload in latency.items()}})
