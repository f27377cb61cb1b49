"""How the dashboard copes with a large study: the JSON answers' sizes and times, and a real browser's time to
show the study page, sort and filter its table, and show a trial told while it is open, for a store of N trials
with reported curves (measured, never asserted).

    python -m benchmarks.dashboard_scale --trials 10000
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

import hyperengine
from hyperengine import spec


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


def browser_seconds(page: str, store: str, trials: int) -> dict[str, float]:
    """A real headless Chromium on the study page: the first load until the table counts every trial, then
    (page open) a click sorting the table by value, a state filter, a trial told by another study handle
    until the table counts it (this one includes the wait for the page's next two-second poll), and the longest
    main-thread task (the page frozen) from the tell through the GP view's refresh."""
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=webdriver.ChromeService(shutil.which("chromedriver")), options=options)

    def first_number() -> str:
        return str(driver.find_element(By.CSS_SELECTOR, "#trials tbody tr").get_attribute("data-number"))

    def row_count() -> str:
        return str(driver.find_element(By.ID, "row-count").text)

    try:
        started = time.perf_counter()
        driver.get(page)
        WebDriverWait(driver, 600).until(lambda d: row_count().startswith(f"{trials} of"))
        load = time.perf_counter() - started

        before = first_number()
        started = time.perf_counter()
        driver.find_element(By.XPATH, "//table[@id='trials']//th[text()='value']").click()
        WebDriverWait(driver, 600, poll_frequency=0.01).until(lambda d: first_number() != before)
        sort = time.perf_counter() - started

        started = time.perf_counter()
        Select(driver.find_element(By.ID, "state-filter")).select_by_visible_text("failed")
        WebDriverWait(driver, 600, poll_frequency=0.01).until(lambda d: row_count().startswith("0 of"))
        filtered = time.perf_counter() - started
        Select(driver.find_element(By.ID, "state-filter")).select_by_visible_text("all")

        driver.execute_script(  # main-thread tasks over 50 ms from here on (Chromium's Long Tasks API)
            "window.longTasks = []; new PerformanceObserver((list) => { for (const task of list.getEntries()) "
            "window.longTasks.push(task.duration); }).observe({ type: 'longtask' });")
        study = hyperengine.load_study("big", store)
        started = time.perf_counter()
        trial = study.ask()
        study.tell(trial, 0.75)
        WebDriverWait(driver, 600, poll_frequency=0.01).until(lambda d: row_count().startswith(f"{trials + 1} of"))
        live = time.perf_counter() - started
        study.close()
        time.sleep(10)  # the GP view's refresh the told trial started, and its re-render
        longest = driver.execute_script("return Math.max(0, ...window.longTasks);") / 1000
        return {"browser_page_ready_s": round(load, 2), "browser_sort_s": round(sort, 3),
                "browser_filter_s": round(filtered, 3), "browser_told_trial_shown_s": round(live, 2),
                "browser_longest_task_during_update_s": round(longest, 2)}
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
        # The server in its own process, as `hyperengine dashboard` runs for a user: in this process its GIL
        # would be shared with the Selenium client and the study telling trials, and would slow both.
        server = subprocess.Popen([sys.executable, "-m", "hyperengine.cli", "dashboard", url, "--port", "0"],
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            base = server.stdout.readline().split(" on ", 1)[1].strip()
            full, size = timed_get(base + "api/studies/big?after=0")
            version = json.loads(urllib.request.urlopen(base + "api/studies/big?after=0", timeout=600).read())[
                "version"]
            poll, poll_size = timed_get(base + f"api/studies/big?after={version}")
            listing, _ = timed_get(base + "api/studies")
            model, _ = timed_get(base + "api/studies/big/model")
            browser = browser_seconds(base + "studies/big", url, args.trials)
            print(json.dumps({"trials": args.trials, "full_answer_s": round(full, 3),
                              "full_answer_mb": round(size / 1e6, 2),
                              "idle_poll_s": round(poll, 4), "idle_poll_bytes": poll_size,
                              "study_list_s": round(listing, 3), "model_s": round(model, 2), **browser}))
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
            if server.stdout is not None:
                server.stdout.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
