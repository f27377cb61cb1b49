// Shared by the pages: the token (when the server asks for one), JSON requests, and DOM helpers that only ever
// set text, never markup, so a study name or parameter value is always shown as text.
"use strict";

const hyperengine = (() => {
  const token = new URLSearchParams(window.location.search).get("token");

  function withToken(path) {
    return token ? `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}` : path;
  }

  async function getJSON(path) {
    const headers = token ? { "X-Hyperengine-Token": token } : {};
    const response = await fetch(path, { headers, cache: "no-store" });
    const payload = await response.json();
    if (!response.ok) throw new Error(payload.error || `${response.status} ${response.statusText}`);
    return payload;
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function formatValue(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toPrecision(6);
    return String(value);
  }

  function setStatus(text) {
    document.getElementById("status").textContent = text;
  }

  // Polls `step` every `period` ms, never two at once; a failure is shown and the polling goes on.
  function poll(step, period) {
    const run = async () => {
      try {
        await step();
        setStatus(`updated ${new Date().toLocaleTimeString()}`);
      } catch (failure) {
        setStatus(`update failed: ${failure.message}`);
      }
      window.setTimeout(run, period);
    };
    run();
  }

  return { withToken, getJSON, element, formatValue, setStatus, poll };
})();
