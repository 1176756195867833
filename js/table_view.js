// Front end of oda_widgets.widgets.TableView: a read-only table of any length, drawn by windows.
//
// The kernel keeps the rows and their order; this module draws the header (names, units, sort
// buttons), keeps a scroll area as tall as every row would be, and fills only the rows in and
// near the window, asking the kernel for blocks it has not got yet (each block tagged with the
// order's version, so rows of an older sort are never shown). The first rows come with the
// state. Every value is set with textContent, never as HTML.

import { addStyle, el } from "./dom.js";
import STYLESHEET from "./table_view.css";

const ROW_HEIGHT = 26; // px; rows are one line high (long values end in an ellipsis)
const BLOCK = 200; // rows per request
const OVERSCAN = 30; // rows drawn above and below the window

function sortWords(name, column, descending) {
  if (column !== name) return "none";
  return descending ? "descending" : "ascending";
}

function render({ model, el: host }) {
  addStyle("table_view", STYLESHEET);
  const root = el("div", "oda-table-view");
  // arrows and Page keys scroll the table, not the notebook
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  const caption = el("div", "oda-tv-caption");
  caption.setAttribute("role", "status");
  caption.setAttribute("aria-live", "polite");
  const scroller = el("div", "oda-tv-scroller");
  scroller.tabIndex = 0;
  const table = el("table", "oda-tv-table");
  table.setAttribute("role", "table");
  const colgroup = el("colgroup");
  const thead = el("thead");
  const headRow = el("tr");
  headRow.setAttribute("role", "row");
  headRow.setAttribute("aria-rowindex", "1");
  thead.append(headRow);
  const tbody = el("tbody");
  const topSpacer = el("tr", "oda-tv-spacer");
  const bottomSpacer = el("tr", "oda-tv-spacer");
  topSpacer.setAttribute("aria-hidden", "true");
  bottomSpacer.setAttribute("aria-hidden", "true");
  const topCell = el("td");
  const bottomCell = el("td");
  topSpacer.append(topCell);
  bottomSpacer.append(bottomCell);
  table.append(colgroup, thead, tbody);
  scroller.append(table);
  root.append(caption, scroller);
  host.append(root);

  let cache = new Map(); // row position -> cells, for the current version
  let pending = new Set(); // block numbers asked for
  let drawn = { first: -1, last: -1, version: -1 };
  let frame = 0;

  function columns() {
    return model.get("columns") || [];
  }

  function seed() {
    cache = new Map();
    pending = new Set();
    (model.get("head") || []).forEach((row, i) => cache.set(i, row));
    drawn = { first: -1, last: -1, version: -1 };
  }

  function widths() {
    // a fixed layout keeps columns still while rows come and go: widths from the first rows
    colgroup.replaceChildren();
    const cols = columns();
    const head = model.get("head") || [];
    cols.forEach((column, k) => {
      let chars = Math.max(column.name.length, (column.unit || "").length + 2);
      for (const row of head.slice(0, 100)) chars = Math.max(chars, String(row[k] ?? "").length);
      const col = el("col");
      col.style.width = `${Math.min(Math.max(chars, 4), 40) + 3}ch`;
      colgroup.append(col);
    });
  }

  function header() {
    headRow.replaceChildren();
    const sorted = model.get("sort_column");
    const descending = model.get("sort_descending");
    for (const column of columns()) {
      const th = el("th", column.numeric ? "oda-tv-numeric" : "");
      th.setAttribute("role", "columnheader");
      th.setAttribute("aria-sort", sortWords(column.name, sorted, descending));
      const label = el("span", "oda-tv-name", column.name);
      const unit = el("span", "oda-tv-unit", column.unit ? `[${column.unit}]` : "");
      let holder = th;
      if (column.sortable) {
        const button = el("button", "oda-tv-sort");
        button.type = "button";
        const next =
          sorted !== column.name ? "ascending" : descending ? "the table's order" : "descending";
        button.title = `${column.description ? column.description + "; " : ""}sort: ${next}`;
        button.addEventListener("click", () => sortBy(column.name));
        th.append(button);
        holder = button;
      } else if (column.description) {
        th.title = column.description;
      }
      const arrow = el(
        "span",
        "oda-tv-arrow",
        sorted === column.name ? (descending ? "▼" : "▲") : "",
      );
      arrow.setAttribute("aria-hidden", "true");
      holder.append(label, arrow, unit);
      headRow.append(th);
    }
    topCell.colSpan = bottomCell.colSpan = Math.max(1, columns().length);
  }

  function sortBy(name) {
    // ascending, then descending, then the table's own order
    const sorted = model.get("sort_column");
    if (sorted !== name) {
      model.set("sort_descending", false);
      model.set("sort_column", name);
    } else if (!model.get("sort_descending")) {
      model.set("sort_descending", true);
    } else {
      model.set("sort_column", "");
      model.set("sort_descending", false);
    }
    model.save_changes();
  }

  function describe() {
    const sorted = model.get("sort_column");
    const order = sorted
      ? `sorted by ${sorted} (${model.get("sort_descending") ? "largest" : "smallest"} first)`
      : "in the table's order";
    caption.textContent = `${model.get("caption")}, ${order}`;
    const count = model.get("row_count");
    table.setAttribute("aria-rowcount", String(count + 1));
    table.setAttribute("aria-colcount", String(columns().length));
    scroller.setAttribute("aria-label", `${model.get("caption")}; scroll to see more rows`);
    const shown = Math.min(Math.max(count, 1), model.get("rows_shown"));
    scroller.style.maxHeight = `${(shown + 1) * ROW_HEIGHT + 30}px`;
  }

  function ask(first, last) {
    const version = model.get("version");
    for (let block = Math.floor(first / BLOCK); block * BLOCK < last; block++) {
      const start = block * BLOCK;
      let missing = false;
      for (let i = start; i < Math.min(start + BLOCK, last); i++) {
        if (!cache.has(i)) {
          missing = true;
          break;
        }
      }
      if (missing && !pending.has(block)) {
        pending.add(block);
        model.send({ type: "rows", start, stop: start + BLOCK, version });
      }
    }
  }

  function rowElement(position, cells, width) {
    const tr = el("tr", cells ? "" : "oda-tv-waiting");
    tr.setAttribute("role", "row");
    tr.setAttribute("aria-rowindex", String(position + 2));
    const cols = columns();
    for (let k = 0; k < width; k++) {
      const text = cells ? cells[k] ?? "" : "…";
      const td = el("td", cols[k] && cols[k].numeric ? "oda-tv-numeric" : "", text);
      td.setAttribute("role", "cell");
      if (cells && text.length > 12) td.title = text;
      tr.append(td);
    }
    return tr;
  }

  function draw() {
    frame = 0;
    const count = model.get("row_count");
    const version = model.get("version");
    const top = scroller.scrollTop;
    const seen = Math.ceil((scroller.clientHeight || ROW_HEIGHT * 15) / ROW_HEIGHT);
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(count, Math.floor(top / ROW_HEIGHT) + seen + OVERSCAN);
    let complete = true;
    for (let i = first; i < last; i++) if (!cache.has(i)) complete = false;
    if (drawn.first === first && drawn.last === last && drawn.version === version && drawn.complete)
      return;
    const width = columns().length;
    const rows = [topSpacer];
    for (let i = first; i < last; i++) rows.push(rowElement(i, cache.get(i), width));
    rows.push(bottomSpacer);
    topCell.style.height = `${first * ROW_HEIGHT}px`;
    bottomCell.style.height = `${(count - last) * ROW_HEIGHT}px`;
    tbody.replaceChildren(...rows);
    drawn = { first, last, version, complete };
    if (!complete) ask(first, last);
  }

  function later() {
    if (!frame) frame = requestAnimationFrame(draw);
  }

  function onMessage(message) {
    if (!message || message.type !== "rows" || message.version !== model.get("version")) return;
    pending.delete(Math.floor(message.start / BLOCK));
    message.rows.forEach((row, i) => cache.set(message.start + i, row));
    drawn.complete = false;
    later();
  }

  function reorder() {
    seed();
    header();
    describe();
    scroller.scrollTop = 0;
    draw();
  }

  function restructure() {
    seed();
    widths();
    header();
    describe();
    draw();
  }

  restructure();
  scroller.addEventListener("scroll", later, { passive: true });
  model.on("msg:custom", onMessage);
  model.on("change:version", reorder);
  model.on("change:columns", restructure);
  model.on("change:caption", describe);
  model.on("change:rows_shown", () => {
    describe();
    later();
  });
  // the first draw may happen before the output is laid out: draw again once it has a size
  const resize = new ResizeObserver(later);
  resize.observe(scroller);
  return () => {
    resize.disconnect();
    model.off("msg:custom", onMessage);
    model.off("change:version", reorder);
    model.off("change:columns", restructure);
    model.off("change:caption", describe);
    if (frame) cancelAnimationFrame(frame);
  };
}

export default { render };
