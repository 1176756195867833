// Front end of oda_widgets.widgets.JobMonitor: a table with one row per job.
//
// The kernel sends the whole list of rows (plain objects) at most a few times per second; this
// module updates the rows in place, keyed by `key`, so an open error panel or a text selection
// survives updates. Every server string is set with textContent, never as HTML.

import { addStyle, button, el } from "./dom.js";
import STYLESHEET from "./job_monitor.css";

// [action, label, when shown, what it does in words (the button's tooltip)]
const ACTIONS = [
  ["stop", "Stop", (r) => r.can_stop, "stop following this job (the server may still run it)"],
  ["retry", "Retry", (r) => r.can_retry, "submit the same query again"],
  ["results", "Open results", (r) => r.can_open, "show the products in a tab"],
  ["code", "Code", () => true, "the oda_api code of this query (no token)"],
  ["share", "Share", () => true, "a link that runs this query again"],
  ["remove", "Remove", () => true, "take the job off this list"],
];
// every button of the monitor has this class too (and JupyterLab's own look, from button())
const BUTTON = "oda-jm-button";

function formatElapsed(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const two = (n) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(rest)}` : `${m}:${two(rest)}`;
}

async function copyText(text, field) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (_err) {
    // Clipboard access needs a secure context; select the text so Ctrl+C works instead.
    const range = document.createRange();
    range.selectNodeContents(field);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return false;
  }
}

function buildRow(model, key) {
  const tr = el("tr", "oda-jm-row");
  tr.dataset.key = key;
  const cells = {};
  for (const name of ["query", "status", "progress", "elapsed", "job", "actions"]) {
    cells[name] = el("td", `oda-jm-${name}`);
    tr.appendChild(cells[name]);
  }
  const parts = {
    title: el("div", "oda-jm-title"),
    params: el("div", "oda-jm-params"),
    icon: el("span", "oda-jm-icon"),
    statusText: el("span", "oda-jm-status-text"),
    bar: el("progress", "oda-jm-bar"),
    barText: el("span", "oda-jm-bar-text"),
    stage: el("div", "oda-jm-stage"),
    note: el("div", "oda-jm-note"),
    error: el("details", "oda-jm-error"),
    parts: el("details", "oda-jm-parts"),
    partsSummary: el("summary", "oda-jm-parts-summary"),
    partsList: el("ol", "oda-jm-parts-list"),
    errorSummary: el("summary", "oda-jm-error-message"),
    errorText: el("pre", "oda-jm-error-text"),
    debugText: el("pre", "oda-jm-debug-text"),
    elapsed: el("span", "oda-jm-elapsed-text"),
    jobId: el("code", "oda-jm-job-id"),
    copy: button("Copy", `${BUTTON} oda-jm-copy`),
    plain: el("div", "oda-jm-error-plain"),
    buttons: {},
  };
  parts.icon.setAttribute("aria-hidden", "true");
  cells.query.append(parts.title, parts.params);
  const badge = el("span", "oda-jm-badge");
  badge.append(parts.icon, parts.statusText);
  cells.status.append(badge);
  parts.error.append(parts.errorSummary, parts.errorText, parts.debugText);
  parts.parts.append(parts.partsSummary, parts.partsList);
  const barLine = el("div", "oda-jm-bar-line");
  barLine.append(parts.bar, parts.barText);
  cells.progress.append(barLine, parts.stage, parts.plain, parts.error, parts.parts, parts.note);
  const actions = el("div", "oda-jm-action-list");
  cells.actions.appendChild(actions);
  cells.elapsed.append(parts.elapsed);
  cells.job.append(parts.jobId, parts.copy);
  parts.copy.addEventListener("click", async () => {
    const ok = await copyText(parts.jobId.textContent, parts.jobId);
    parts.copy.textContent = ok ? "Copied" : "Press Ctrl+C";
    setTimeout(() => (parts.copy.textContent = "Copy"), 1500);
  });
  for (const [action, label, , tooltip] of ACTIONS) {
    const actionButton = button(label, `${BUTTON} oda-jm-action oda-jm-${action}`, tooltip);
    actionButton.addEventListener("click", () => model.send({ action, key }));
    parts.buttons[action] = actionButton;
    actions.appendChild(actionButton);
  }
  const view = { tr, parts, receivedAt: 0, row: null };
  // a click on a done row (not on one of its controls) opens its results, as the button does
  tr.addEventListener("click", (event) => {
    if (event.target.closest("button, summary, details, code, pre, a")) return;
    if (view.row && view.row.can_open) model.send({ action: "results", key });
  });
  return view;
}

function updateRow(view, row) {
  const p = view.parts;
  view.row = row;
  view.receivedAt = performance.now();
  view.tr.dataset.status = row.status;
  p.title.textContent = `${row.instrument} · ${row.product}`;
  p.params.textContent = row.params || "";
  p.icon.textContent = row.icon;
  p.icon.style.color = row.color;
  p.statusText.textContent = row.status_label;
  p.statusText.parentElement.style.borderColor = row.color;

  if (row.total) {
    p.bar.max = row.total;
    p.bar.value = Math.min(row.done ?? 0, row.total);
    p.barText.textContent = `${row.done ?? 0} / ${row.total}`;
  } else if (row.finished) {
    p.bar.max = 1;
    p.bar.value = row.status === "done" ? 1 : 0;
    p.barText.textContent = "";
  } else {
    p.bar.removeAttribute("value"); // indeterminate: running, no count reported yet
    p.barText.textContent = "";
  }
  p.bar.setAttribute("aria-label", `progress of ${row.instrument} ${row.product}`);
  p.stage.textContent = row.stage || "";
  p.stage.title = row.stage || ""; // one line on screen, the whole text on hover

  if (row.error) {
    p.error.hidden = false;
    // a known failure in plain words first; the server's own text stays under it
    p.plain.textContent = row.error.plain || "";
    p.plain.hidden = !row.error.plain;
    p.errorSummary.textContent = (row.error.plain ? "The dispatcher said: " : "") +
      (row.error.message || row.error.kind);
    const detail = row.error.error_message || row.error.debug_message;
    p.errorText.textContent = row.error.error_message || (detail ? "" : "The server gave no further detail.");
    p.errorText.hidden = !p.errorText.textContent;
    p.debugText.textContent = row.error.debug_message || "";
    p.debugText.hidden = !row.error.debug_message;
  } else {
    p.error.hidden = true;
    p.plain.hidden = true;
  }
  updateParts(p, row.parts || []);
  p.note.textContent = row.note || "";
  p.jobId.textContent = row.job_id || "";
  p.copy.hidden = !row.job_id;
  p.copy.setAttribute("aria-label", `copy job id ${row.job_id || ""}`);
  for (const [action, label, enabled] of ACTIONS) {
    const button = p.buttons[action];
    button.hidden = !enabled(row);
    button.setAttribute("aria-label", `${label} ${row.instrument} ${row.product} ${row.job_id || ""}`);
  }
  tickElapsed(view);
}

// A long request's parts: one line each (status, science windows analysed, job id, attempts,
// last error), inside a <details> that stays open across updates.
function updateParts(p, partRows) {
  p.parts.hidden = partRows.length === 0;
  if (!partRows.length) return;
  const done = partRows.filter((r) => r.status === "done").length;
  p.partsSummary.textContent = `${partRows.length} parts: ${done} done`;
  while (p.partsList.children.length > partRows.length) p.partsList.lastChild.remove();
  partRows.forEach((part, index) => {
    let item = p.partsList.children[index];
    if (!item) {
      item = el("li", "oda-jm-part");
      p.partsList.appendChild(item);
    }
    item.dataset.status = part.status;
    const words = [part.label, part.status, `${part.done}/${part.total} ScW`];
    if (part.job_id) words.push(`job ${part.job_id}`);
    if (part.attempts > 1) words.push(`attempt ${part.attempts}`);
    if (part.reattached) words.push("found again");
    if (part.error) words.push(part.error);
    item.textContent = words.join(" · ");
  });
}

function tickElapsed(view) {
  const row = view.row;
  if (!row) return;
  // Extrapolate from the kernel's figure with the browser's own clock: no clock skew matters.
  const extra = row.finished ? 0 : (performance.now() - view.receivedAt) / 1000;
  view.parts.elapsed.textContent = formatElapsed((row.elapsed || 0) + extra);
}

function render({ model, el: host }) {
  addStyle("job_monitor", STYLESHEET);
  const root = el("div", "oda-job-monitor");
  const summary = el("div", "oda-jm-summary");
  summary.setAttribute("role", "status");
  summary.setAttribute("aria-live", "polite");
  const table = el("table", "oda-jm-table");
  const head = el("thead");
  const headRow = el("tr");
  for (const name of ["Query", "Status", "Progress", "Elapsed", "Job id", "Actions"]) {
    const th = el("th", null, name);
    th.scope = "col";
    headRow.appendChild(th);
  }
  head.appendChild(headRow);
  const body = el("tbody");
  table.append(head, body);
  const empty = el("div", "oda-jm-empty", "No jobs yet.");
  root.append(summary, table, empty);
  host.appendChild(root);

  const views = new Map();

  function sync() {
    const rows = model.get("rows") || [];
    const seen = new Set();
    rows.forEach((row, index) => {
      seen.add(row.key);
      let view = views.get(row.key);
      if (!view) {
        view = buildRow(model, row.key);
        views.set(row.key, view);
      }
      updateRow(view, row);
      if (body.children[index] !== view.tr) body.insertBefore(view.tr, body.children[index] || null);
    });
    for (const [key, view] of views) {
      if (!seen.has(key)) {
        view.tr.remove();
        views.delete(key);
      }
    }
    summary.textContent = model.get("summary") || "";
    table.hidden = rows.length === 0;
    empty.hidden = rows.length !== 0;
  }

  model.on("change:rows", sync);
  model.on("change:summary", sync);
  sync();
  const timer = setInterval(() => views.forEach(tickElapsed), 1000);
  return () => {
    clearInterval(timer);
    model.off("change:rows", sync);
    model.off("change:summary", sync);
  };
}

export default { render };
