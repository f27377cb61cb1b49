// A study's page. It holds every trial it has seen and polls for those changed since the storage version it is
// at (`?after=`), so each update carries only what workers told since the last one, even at 10,000 trials. The
// trial table shows one page of rows at a time; plots use WebGL scatter traces and one trace per kind of line.
"use strict";

(() => {
  const { withToken, getJSON, element, formatValue, poll } = hyperengine;
  const name = decodeURIComponent(window.location.pathname.split("/").filter(Boolean)[1] || "");
  const apiPath = `/api/studies/${encodeURIComponent(name)}`;
  const PAGE_SIZE = 50;
  const FIXED_COLUMNS = ["number", "state", "value", "duration", "worker"];
  const COLORS = { complete: "#1f77b4", pruned: "#e6a700", failed: "#c62828", running: "#2ca02c" };

  const state = {
    version: 0, direction: "maximize", trials: new Map(), paramNames: [],
    sortKey: "number", sortDescending: false, page: 0, modelAt: -1, modelBusy: false,
  };

  document.getElementById("study-name").textContent = name;
  document.title = `${name} - hyperengine dashboard`;
  document.getElementById("home").href = withToken("/");

  // -- data ---------------------------------------------------------------------------------------------------
  async function update() {
    const payload = await getJSON(`${apiPath}?after=${state.version}`);
    state.direction = payload.direction;
    state.version = payload.version;
    if (payload.trials.length === 0 && state.trials.size > 0) return;
    for (const trial of payload.trials) state.trials.set(trial.number, trial);
    const names = new Set(state.paramNames);
    for (const trial of payload.trials) for (const key of Object.keys(trial.params)) names.add(key);
    state.paramNames = [...names].sort();
    renderAll();
    refreshModel();
  }

  function trialList() {
    return [...state.trials.values()].sort((a, b) => a.number - b.number);
  }

  function better(a, b) {
    return state.direction === "maximize" ? a > b : a < b;
  }

  function renderAll() {
    const trials = trialList();
    renderSummary(trials);
    renderHistory(trials);
    renderCurves(trials);
    renderTimeline(trials);
    renderTable();
  }

  // -- summary ------------------------------------------------------------------------------------------------
  function renderSummary(trials) {
    const counts = { complete: 0, pruned: 0, running: 0, failed: 0 };
    let best = null;
    for (const trial of trials) {
      counts[trial.state] += 1;
      if (trial.state === "complete" && trial.value !== null && (best === null || better(trial.value, best.value))) {
        best = trial;
      }
    }
    const items = [["trials", trials.length], ...Object.entries(counts), ["direction", state.direction],
      ["best value", best ? formatValue(best.value) : "none yet"], ["best trial", best ? `#${best.number}` : ""]];
    const box = document.getElementById("summary");
    box.replaceChildren(...items.map(([label, value]) => {
      const item = element("div", label);
      item.prepend(element("b", value));
      return item;
    }));
  }

  // -- plots --------------------------------------------------------------------------------------------------
  // WebGL scatter for large studies where the browser has WebGL; SVG otherwise (headless browsers, old GPUs).
  const WEBGL = (() => {
    try { return Boolean(document.createElement("canvas").getContext("webgl")); } catch { return false; }
  })();
  const scatterType = (count) => (WEBGL && count > 2000 ? "scattergl" : "scatter");
  const layoutBase = { margin: { l: 55, r: 15, t: 10, b: 40 }, showlegend: true, legend: { orientation: "h" } };
  const plotConfig = { displaylogo: false, responsive: true };

  function renderHistory(trials) {
    const hidePruned = document.getElementById("hide-pruned").checked;
    const traces = [];
    for (const kind of ["complete", "pruned"]) {
      if (kind === "pruned" && hidePruned) continue;
      const shown = trials.filter((t) => t.state === kind && t.value !== null);
      traces.push({ type: scatterType(shown.length), mode: "markers", name: kind, x: shown.map((t) => t.number),
        y: shown.map((t) => t.value), marker: { color: COLORS[kind], size: 6 },
        text: shown.map((t) => `#${t.number}`) });
    }
    const bestX = [];
    const bestY = [];
    let best = null;
    for (const trial of trials) {
      if (trial.state !== "complete" || trial.value === null) continue;
      if (best === null || better(trial.value, best)) best = trial.value;
      bestX.push(trial.number);
      bestY.push(best);
    }
    traces.push({ type: scatterType(bestX.length), mode: "lines", name: "best so far", x: bestX, y: bestY,
      line: { color: "#c62828", shape: "hv" } });
    const logY = document.getElementById("log-y").checked;
    Plotly.react("history", traces, { ...layoutBase, xaxis: { title: { text: "trial" } },
      yaxis: { title: { text: "value" }, type: logY ? "log" : "linear" } }, plotConfig);
  }

  function renderCurves(trials) {
    const lines = { complete: { x: [], y: [] }, pruned: { x: [], y: [] }, running: { x: [], y: [] } };
    const finals = { x: [], y: [], error: [], text: [] };
    for (const trial of trials) {
      if (!trial.intermediate.length || !(trial.state in lines)) continue;
      const line = lines[trial.state];
      for (const [step, value] of trial.intermediate) { line.x.push(step); line.y.push(value); }
      line.x.push(null);
      line.y.push(null);
      if (trial.state === "pruned" && trial.value !== null) {
        finals.x.push(trial.intermediate[trial.intermediate.length - 1][0]);
        finals.y.push(trial.value);
        finals.error.push(1.645 * Math.sqrt(trial.noise || 0));
        finals.text.push(`#${trial.number}: predicted final`);
      }
    }
    const traces = Object.entries(lines).map(([kind, line]) => ({ type: scatterType(line.x.length), mode: "lines", name: kind,
      x: line.x, y: line.y, line: { color: COLORS[kind], width: 1 }, opacity: 0.6 }));
    traces.push({ type: "scatter", mode: "markers", name: "predicted final (90%)", x: finals.x, y: finals.y,
      text: finals.text, marker: { color: COLORS.pruned, symbol: "diamond", size: 7 },
      error_y: { type: "data", array: finals.error, visible: true, color: COLORS.pruned } });
    Plotly.react("curves", traces, { ...layoutBase, xaxis: { title: { text: "step" } },
      yaxis: { title: { text: "intermediate value" } } }, plotConfig);
  }

  function renderTimeline(trials) {
    const workers = [...new Set(trials.map((t) => t.worker || "?"))].sort();
    const byState = {};
    const now = new Date().toISOString();
    for (const trial of trials) {
      const segment = byState[trial.state] || (byState[trial.state] = { x: [], y: [], text: [] });
      const row = workers.indexOf(trial.worker || "?");
      segment.x.push(trial.start, trial.complete || now, null);
      segment.y.push(row, row, null);
      segment.text.push(`#${trial.number}`, `#${trial.number}`, null);
    }
    const traces = Object.entries(byState).map(([kind, segment]) => ({ type: scatterType(segment.x.length),
      mode: "lines+markers",
      name: kind, x: segment.x, y: segment.y, text: segment.text, line: { color: COLORS[kind], width: 6 },
      marker: { size: 3 } }));
    Plotly.react("timeline", traces, { ...layoutBase, margin: { ...layoutBase.margin, l: 120 },
      xaxis: { type: "date" }, yaxis: { tickvals: workers.map((_, i) => i), ticktext: workers } }, plotConfig);
  }

  // -- the GP's view (slices and importances), refreshed when the finished trials change -------------------------
  async function refreshModel() {
    const finished = trialList().filter((t) => t.state === "complete" || t.state === "pruned").length;
    if (state.modelBusy || finished === state.modelAt) return;
    state.modelBusy = true;
    try {
      const model = await getJSON(`${apiPath}/model`);
      state.modelAt = finished;
      renderModel(model);
    } catch (failure) {
      document.getElementById("model-note").textContent = `model unavailable: ${failure.message}`;
    } finally {
      state.modelBusy = false;
    }
  }

  function renderModel(model) {
    document.getElementById("model-note").textContent = model.note || "";
    const names = Object.keys(model.importances || {});
    Plotly.react("importances", [{ type: "bar", orientation: "h", x: names.map((n) => model.importances[n]),
      y: names, marker: { color: "#1f77b4" } }], { ...layoutBase, showlegend: false,
      margin: { ...layoutBase.margin, l: 160 }, xaxis: { title: { text: "total Sobol index (normalized)" } } },
    plotConfig);
    const box = document.getElementById("slices");
    box.replaceChildren();
    for (const [index, slice] of (model.slices || []).entries()) {
      const div = element("div");
      div.id = `slice-${index}`;
      box.append(div);
      Plotly.newPlot(div, sliceTraces(slice), { ...layoutBase, showlegend: false,
        margin: { l: 50, r: 10, t: 25, b: 40 }, title: { text: slice.param, font: { size: 12 } },
        xaxis: { type: slice.log ? "log" : (slice.kind === "categorical" ? "category" : "linear") } },
      { ...plotConfig, displayModeBar: false });
    }
  }

  function sliceTraces(slice) {
    const band = (k) => ({
      x: [...slice.x, ...[...slice.x].reverse()],
      y: [...slice.mean.map((m, i) => m + k * slice.std[i]), ...slice.mean.map((m, i) => m - k * slice.std[i]).reverse()],
    });
    const points = { type: "scatter", mode: "markers", x: slice.points.x, y: slice.points.y, name: "trials",
      marker: { color: "#c62828", size: 5 } };
    if (slice.kind === "categorical") {
      return [{ type: "scatter", mode: "markers", x: slice.x, y: slice.mean, name: "mean",
        error_y: { type: "data", array: slice.std.map((s) => 2 * s), visible: true },
        marker: { color: "#1f77b4", size: 9 } }, points];
    }
    const two = band(2);
    const one = band(1);
    return [
      { type: "scatter", mode: "lines", x: two.x, y: two.y, fill: "toself", line: { width: 0 }, fillcolor: "rgba(31,119,180,0.12)",
        name: "±2 sd", hoverinfo: "skip" },
      { type: "scatter", mode: "lines", x: one.x, y: one.y, fill: "toself", line: { width: 0 }, fillcolor: "rgba(31,119,180,0.25)",
        name: "±1 sd", hoverinfo: "skip" },
      { type: "scatter", mode: "lines", x: slice.x, y: slice.mean, name: "mean", line: { color: "#1f77b4" } },
      points,
    ];
  }

  // -- the trial table ----------------------------------------------------------------------------------------
  function cellValue(trial, key) {
    if (key === "duration") return trial.duration;
    if (FIXED_COLUMNS.includes(key)) return trial[key];
    return trial.params[key];
  }

  function filteredRows() {
    const stateFilter = document.getElementById("state-filter").value;
    const param = document.getElementById("param-filter").value;
    const text = document.getElementById("text-filter").value.trim().toLowerCase();
    let rows = trialList();
    if (stateFilter) rows = rows.filter((t) => t.state === stateFilter);
    if (text) {
      const keys = param ? [param] : state.paramNames;
      rows = rows.filter((t) => keys.some((k) => String(t.params[k] ?? "").toLowerCase().includes(text)));
    } else if (param) {
      rows = rows.filter((t) => t.params[param] !== undefined);
    }
    const key = state.sortKey;
    const sign = state.sortDescending ? -1 : 1;
    rows.sort((a, b) => {
      const x = cellValue(a, key);
      const y = cellValue(b, key);
      if (x === y) return a.number - b.number;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * sign;
    });
    return rows;
  }

  function renderTable() {
    const columns = [...FIXED_COLUMNS, ...state.paramNames];
    const select = document.getElementById("param-filter");
    if (select.options.length - 1 !== state.paramNames.length) {
      const chosen = select.value;
      select.replaceChildren(element("option", "any"), ...state.paramNames.map((n) => element("option", n)));
      select.options[0].value = "";
      select.value = chosen;
    }
    const head = document.querySelector("#trials thead tr");
    head.replaceChildren(...columns.map((column) => {
      const cell = element("th", column);
      if (column === state.sortKey) cell.className = state.sortDescending ? "sorted-desc" : "sorted-asc";
      cell.addEventListener("click", () => {
        state.sortDescending = state.sortKey === column ? !state.sortDescending : false;
        state.sortKey = column;
        renderTable();
      });
      return cell;
    }));
    const rows = filteredRows();
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages - 1);
    const body = document.querySelector("#trials tbody");
    body.replaceChildren(...rows.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE).map((trial) => {
      const row = element("tr");
      row.dataset.number = trial.number;
      for (const column of columns) {
        const value = cellValue(trial, column);
        const text = column === "duration" && value !== null ? `${value.toFixed(1)} s` : formatValue(value);
        row.append(element("td", text, column === "state" ? `state-${trial.state}` : undefined));
      }
      if (trial.error) row.title = trial.error;
      return row;
    }));
    document.getElementById("page").textContent = `page ${state.page + 1} of ${pages}`;
    document.getElementById("row-count").textContent = `${rows.length} of ${state.trials.size} trials`;
  }

  // A select's choice is a "change" (every browser fires it; not all fire "input" for a select), text is "input".
  for (const [id, event] of [["state-filter", "change"], ["param-filter", "change"], ["text-filter", "input"]]) {
    document.getElementById(id).addEventListener(event, () => { state.page = 0; renderTable(); });
  }
  for (const id of ["log-y", "hide-pruned"]) {
    document.getElementById(id).addEventListener("change", () => renderHistory(trialList()));
  }
  document.getElementById("prev").addEventListener("click", () => { state.page = Math.max(0, state.page - 1); renderTable(); });
  document.getElementById("next").addEventListener("click", () => { state.page += 1; renderTable(); });

  poll(update, 2000);
})();
