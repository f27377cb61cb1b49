// The root page: every study of the store, refreshed every few seconds.
"use strict";

(() => {
  const { withToken, getJSON, element, formatValue, poll } = hyperengine;

  function render(studies) {
    const body = document.querySelector("#studies tbody");
    body.replaceChildren();
    for (const study of studies) {
      const row = document.createElement("tr");
      const name = element("td");
      const link = element("a", study.name);
      link.href = withToken(`/studies/${encodeURIComponent(study.name)}`);
      name.append(link);
      row.append(name, element("td", study.direction), element("td", study.n_trials));
      for (const state of ["complete", "pruned", "running", "failed"]) {
        row.append(element("td", study.counts[state] || 0));
      }
      row.append(element("td", formatValue(study.best_value)), element("td", study.last_activity || ""));
      body.append(row);
    }
    document.getElementById("empty").hidden = studies.length > 0;
  }

  poll(async () => render((await getJSON("/api/studies")).studies), 3000);
})();
