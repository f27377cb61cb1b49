"""The dashboard in a real browser: Debian's chromium driven headless through chromedriver (Selenium).

The pages come from a real server over a real SQLite store; trials are told by a real study while the page is
open. CI installs chromium and chromium-driver (.ci/run); elsewhere these tests are skipped when they are missing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("plotly")
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

import hyperengine  # noqa: E402
from hyperengine import spec  # noqa: E402
from hyperengine.dashboard import DashboardServer  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium and chromium-driver for the browser tests")
    pytest.skip("chromium and chromedriver are not installed", allow_module_level=True)

MARKUP = "<img src=x onerror=alert(1)>"
SPACE = {"lr": 10 ** spec.uniform(-4, -1), "width": spec.choice([16, 32, 64]), "note": spec.choice([MARKUP, "ok"])}
WAIT = 60  # seconds the page may take on a loaded machine; a wait, never an assertion on speed


def objective(params: dict[str, Any]) -> float:
    return params["width"] / 64 - abs(params["lr"] - 0.01)


@pytest.fixture
def store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    study = hyperengine.create_study(SPACE, storage=url, study_name="mnist", seed=0)
    for _ in range(6):
        trial = study.ask()
        for step in range(4):
            trial.report(objective(trial.params) * (step + 1) / 4, step)
        study.tell(trial, objective(trial.params))
    study.close()
    return url


@pytest.fixture
def server(store: str) -> Iterator[DashboardServer]:
    running = DashboardServer(store, port=0)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1800"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def console_errors(driver: Any) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def trial_rows(driver: Any) -> list[Any]:
    return driver.find_elements(By.CSS_SELECTOR, "#trials tbody tr")


def test_the_root_page_lists_the_study_and_links_to_it(server: DashboardServer, browser: Any) -> None:
    browser.get(server.url)
    link = WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.LINK_TEXT, "mnist"))
    cells = [cell.text for cell in link.find_element(By.XPATH, "./ancestor::tr").find_elements(By.TAG_NAME, "td")]
    assert cells[:4] == ["mnist", "maximize", "6", "6"]
    link.click()
    WebDriverWait(browser, WAIT).until(lambda d: len(trial_rows(d)) == 6)
    assert browser.current_url == server.url + "studies/mnist"
    assert console_errors(browser) == []


def test_the_study_page_shows_trials_and_plots_and_updates_live(server: DashboardServer, browser: Any,
                                                                  store: str) -> None:
    browser.get(server.url + "studies/mnist")
    WebDriverWait(browser, WAIT).until(lambda d: len(trial_rows(d)) == 6)
    for plot in ("history", "curves", "timeline"):
        WebDriverWait(browser, WAIT).until(
            lambda d, plot=plot: d.find_elements(By.CSS_SELECTOR, f"#{plot} .main-svg"))
    WebDriverWait(browser, WAIT).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#slices .main-svg")) >= 3)
    WebDriverWait(browser, WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#importances .main-svg"))

    study = hyperengine.load_study("mnist", store)  # another worker tells a trial while the page is open
    trial = study.ask()
    study.tell(trial, 123.5)
    study.close()
    WebDriverWait(browser, WAIT).until(lambda d: len(trial_rows(d)) == 7)
    values = [row.find_elements(By.TAG_NAME, "td")[2].text for row in trial_rows(browser)]
    assert "123.500" in values  # six significant digits
    assert console_errors(browser) == []
    screenshots = Path(os.environ.get("HYPERENGINE_SCREENSHOT_DIR", Path(__file__).parent / ".screenshots"))
    screenshots.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(screenshots / "dashboard-study.png"))


def test_user_strings_are_shown_as_text_never_as_markup(server: DashboardServer, browser: Any) -> None:
    browser.get(server.url + "studies/mnist")
    WebDriverWait(browser, WAIT).until(lambda d: len(trial_rows(d)) == 6)
    texts = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#trials tbody td")]
    assert MARKUP in texts  # the seeded study draws it; shown as the characters typed
    assert browser.find_elements(By.CSS_SELECTOR, "#trials img") == []
    assert console_errors(browser) == []


def column(driver: Any, name: str) -> list[str]:
    """The text of one column of the table's shown rows, found by its header."""
    headers = [cell.text.rstrip(" \u25b2\u25bc") for cell in driver.find_elements(By.CSS_SELECTOR, "#trials thead th")]
    index = headers.index(name)
    return [row.find_elements(By.TAG_NAME, "td")[index].text for row in trial_rows(driver)]


def test_a_stopped_run_shows_its_predicted_final_and_the_table_sorts_and_filters(
        server: DashboardServer, browser: Any, store: str) -> None:
    study = hyperengine.load_study("mnist", store)
    stopped = study.ask()
    for step in range(2):
        stopped.report(0.1 * (step + 1), step)
    study.tell(stopped, 0.75, state="pruned", noise=0.04)  # the predicted final value and its variance
    notes = [t.params["note"] for t in study.trials]
    study.close()

    browser.get(server.url + "studies/mnist")
    WebDriverWait(browser, WAIT).until(lambda d: len(trial_rows(d)) == 7)
    final = WebDriverWait(browser, WAIT).until(lambda d: d.execute_script(
        "const plot = document.getElementById('curves');"
        "const trace = (plot.data || []).find((t) => t.name === 'predicted final (90%)');"
        "return trace && trace.y.length ? {x: trace.x, y: trace.y, error: trace.error_y.array} : null;"))
    assert final["x"] == [1] and final["y"] == [0.75]  # at the stopped run's last step
    assert final["error"][0] == pytest.approx(1.645 * 0.2)

    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, "state-filter")).select_by_visible_text("pruned")
    WebDriverWait(browser, WAIT).until(lambda d: len(trial_rows(d)) == 1)
    assert column(browser, "state") == ["pruned"] and column(browser, "number") == [str(stopped.number)]
    Select(browser.find_element(By.ID, "state-filter")).select_by_visible_text("all")
    WebDriverWait(browser, WAIT).until(lambda d: len(trial_rows(d)) == 7)

    browser.find_element(By.XPATH, "//table[@id='trials']//th[text()='value']").click()
    ascending = [float(text) for text in column(browser, "value")]
    assert ascending == sorted(ascending) and len(ascending) == 7
    browser.find_element(By.XPATH, "//table[@id='trials']//th[text()='value']").click()
    assert [float(text) for text in column(browser, "value")] == sorted(ascending, reverse=True)

    Select(browser.find_element(By.ID, "param-filter")).select_by_visible_text("note")
    browser.find_element(By.ID, "text-filter").send_keys("ok")
    WebDriverWait(browser, WAIT).until(lambda d: len(trial_rows(d)) == notes.count("ok"))
    assert set(column(browser, "note")) <= {"ok"}
    assert console_errors(browser) == []
