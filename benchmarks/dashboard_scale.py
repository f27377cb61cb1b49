"""How the dashboard copes with a large study: the JSON answers' sizes and times, and a real browser's time to
show the study page, for a store of N trials with reported curves (measured, never asserted).

    python -m benchmarks.dashboard_scale --trials 10000
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

import hyperengine
from hyperengine import spec
from hyperengine.dashboard import DashboardServer


def build_store(path: Path, trials: int, epochs: int) -> str:
    url = f"sqlite:///{path}"
    space = {"lr": 10 ** spec.uniform(-4, -1), "width": spec.choice([16, 32, 64, 128]),
             "dropout": spec.uniform(0, 0.5)}
    study = hyperengine.create_study(space, storage=url, study_name="big", strategy="random", seed=0)
    rng = np.random.default_rng(0)
    for _ in range(trials):
        trial = study.ask()
        final = float(rng.uniform(0.5, 1.0))
        for step in range(epochs):
            trial.report(final * (1 - np.exp(-(step + 1) / 3)), step)
        study.tell(trial, final)
    study.close()
    return url


def timed_get(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as response:
        body = response.read()
    return time.perf_counter() - started, len(body)


def browser_seconds(page: str, expected_rows: str) -> float:
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=webdriver.ChromeService(shutil.which("chromedriver")), options=options)
    try:
        started = time.perf_counter()
        driver.get(page)
        WebDriverWait(driver, 600).until(
            lambda d: d.find_element(By.ID, "row-count").text.startswith(f"{expected_rows} of"))
        return time.perf_counter() - started
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hyperengine-dashboard-"))
    try:
        started = time.perf_counter()
        url = build_store(folder / "big.db", args.trials, args.epochs)
        print(f"store of {args.trials} trials x {args.epochs} reports written in {time.perf_counter() - started:.1f} s")
        server = DashboardServer(url, port=0)
        server.start()
        try:
            full, size = timed_get(server.url + "api/studies/big?after=0")
            version = json.loads(urllib.request.urlopen(server.url + "api/studies/big?after=0", timeout=600).read())[
                "version"]
            poll, poll_size = timed_get(server.url + f"api/studies/big?after={version}")
            listing, _ = timed_get(server.url + "api/studies")
            page = browser_seconds(server.url + "studies/big", str(args.trials))
            print(json.dumps({"trials": args.trials, "full_answer_s": round(full, 3),
                              "full_answer_mb": round(size / 1e6, 2),
                              "idle_poll_s": round(poll, 4), "idle_poll_bytes": poll_size,
                              "study_list_s": round(listing, 3), "browser_page_ready_s": round(page, 2)}))
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
