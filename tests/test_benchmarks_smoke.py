"""The benchmark suite runs end to end on tiny budgets and writes valid results (issue 6). No timing is asserted.

`python -m benchmarks.run --quick --only hyperengine`, shrunk further: one seed, a few evaluations, one latency
size past the burn-in. The peers other than hyperengine are optional dependencies and are not run here.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from benchmarks import mixed_breakdown
from benchmarks.adapters import PEERS, select_peers
from benchmarks.problems import PROBLEMS, STYBLINSKI_TANG_ARGMIN, Problem, mixed_terms
from benchmarks.run import main

HE_PEERS = ["hyperengine", "hyperengine-ucb", "hyperengine-portfolio", "hyperengine-nowarp"]
ARGMINS = {
    "branin": {"x0": math.pi, "x1": 2.275},
    "hartmann6": {f"x{i}": v for i, v in enumerate([0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573])},
    "ackley5": {f"x{i}": 0.0 for i in range(5)},
    "rosenbrock4": {f"x{i}": 1.0 for i in range(4)},
    "levy10": {f"x{i}": 1.0 for i in range(10)},
    "styblinski_tang8": {f"x{i}": STYBLINSKI_TANG_ARGMIN for i in range(8)},
    "mixed": {"x0": 0.35, "x1": 0.6, "x2": 0.15, "x3": 0.85, "units": 11, "layers": 3, "kernel": "rbf",
              "solver": "adam"},
}


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_each_problem_reaches_its_stated_optimum_at_its_argmin_and_nowhere_below(name: str) -> None:
    problem: Problem = PROBLEMS[name]
    assert problem(ARGMINS[name]) == pytest.approx(problem.optimum, abs=1e-5)
    rng = np.random.default_rng(0)
    assert min(problem(problem.random_params(rng)) for _ in range(2000)) > problem.optimum


def test_mixed_terms_split_the_mixed_value_and_locate_the_side_basin_and_a_wrong_category(
        capsys: pytest.CaptureFixture[str]) -> None:
    best = ARGMINS["mixed"]
    assert mixed_terms(best) == pytest.approx((0.0, 0.0, 0.0), abs=1e-12)
    side_basin = {**best, "x0": 0.35 + 1 / 3}  # one ripple period along x0: the bowl's 4/9, no ripple
    assert mixed_terms(side_basin) == pytest.approx((4 / 9, 0.0, 0.0))
    assert mixed_terms({**best, "kernel": "poly"})[2] == 0.5
    rng = np.random.default_rng(1)
    for params in (PROBLEMS["mixed"].random_params(rng) for _ in range(50)):
        assert sum(mixed_terms(params)) == PROBLEMS["mixed"](params)
    mixed_breakdown.main(["hyperengine", "--seeds", "1", "--evaluations", "12"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("hyperengine:") and lines[1].startswith("  seed 0: ")
    terms = lines[1].split(":")[1].split("(")[0].replace("=", "+").split("+")
    total, continuous, discrete, offset = (float(term) for term in terms)
    assert total == pytest.approx(continuous + discrete + offset, abs=2e-3)


def test_select_peers_takes_names_and_patterns_in_peer_order_and_rejects_unknown_names() -> None:
    assert select_peers(["hyperengine*"]) == HE_PEERS
    assert select_peers(["random", "hyperengine"]) == ["hyperengine", "random"]
    assert select_peers(None) == list(PEERS)
    with pytest.raises(ValueError, match="unknown peers"):
        select_peers(["hyperopt"])


def test_quick_run_of_hyperengine_writes_results_report_and_plots(tmp_path: Path) -> None:
    main(["--quick", "--only", "hyperengine", "--out", str(tmp_path), "--seeds", "1", "--evaluations", "14",
          "--problems", "branin", "mixed", "--sizes", "16", "--workers", "1"])
    assert sorted(path.name for path in (tmp_path / "latency").iterdir()) == ["hyperengine.json"]
    latency = json.loads((tmp_path / "latency" / "hyperengine.json").read_text())
    assert latency["dim"] == 6 and latency["versions"]["hyperengine"] and latency["machine"]["cores"] >= 1
    timings = latency["sizes"]["16"]
    assert timings["cold_step"] > 0 and len(timings["raw"][0]["ask"]) >= 2
    for name in ("branin", "mixed"):
        quality = json.loads((tmp_path / "quality" / "hyperengine" / f"{name}.json").read_text())
        values = quality["runs"]["0"]["values"]
        assert len(values) == 14 and all(math.isfinite(v) for v in values)
        assert min(values) >= PROBLEMS[name].optimum - 1e-9
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["checkpoints"] == [14]
    mean, _, seeds = summary["quality"]["branin"]["hyperengine"]["14"]
    assert seeds == 1 and mean >= 0
    report = (tmp_path / "report.md").read_text()
    assert "| hyperengine |" in report and "Ranks at 14 evaluations" in report
    for image in ("latency.png", "regret_curves.png"):
        assert (tmp_path / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_second_run_resumes_instead_of_repeating_finished_seeds(tmp_path: Path) -> None:
    arguments = ["--quick", "--only", "random", "--out", str(tmp_path), "--seeds", "2", "--evaluations", "5",
                 "--problems", "branin", "--part", "quality"]
    main(arguments)
    path = tmp_path / "quality" / "random" / "branin.json"
    first = json.loads(path.read_text())
    main(arguments)
    assert json.loads(path.read_text())["runs"] == first["runs"]
    assert sorted(first["runs"]) == ["0", "1"]
