// Front end of oda_widgets.widgets.CatalogTable: an editable grid of a source catalog.
//
// The kernel sends the rows (plain objects, the catalog's order) whole once, in the state, then
// each edit as a numbered patch of the rows it changed; the selection, refused edits
// and a summary; this module sorts and draws them, keeps the keyboard focus where it was across
// redraws, and sends edits and actions back. It follows the ARIA grid pattern: one cell is in
// the tab order, arrows move it, Space selects, Enter or F2 edits. Every source name and server
// message is set with textContent, never as HTML.

import { addStyle, button as jupyterButton, el } from "./dom.js";
import STYLESHEET from "./catalog_table.css";

const COLUMNS = [
  { key: "name", label: "Name", editable: true, type: "text" },
  { key: "ra", label: "RA", editable: true, type: "angle" },
  { key: "dec", label: "Dec", editable: true, type: "angle" },
  { key: "significance", label: "Significance", type: "number" },
  { key: "flags", label: "Flags", type: "text" },
  { key: "err_rad", label: "ERR_RAD (°)", type: "number" },
  { key: "warnings", label: "Warnings", type: "warnings" },
];

const KEY_HELP =
  "Keys: arrows move between cells; Space selects the row (Shift+Space or Shift+arrows extend, " +
  "Ctrl+Space toggles, Ctrl+A selects all); Enter or F2 edits a name, RA or Dec, Enter keeps " +
  "it, Escape cancels; Delete removes the selected rows; Ctrl+Z undoes, Ctrl+Y redoes.";

function button(label, className, title) {
  return jupyterButton(label, `oda-ct-button ${className}`, title);
}

function degrees(value, digits) {
  return value === null || value === undefined ? "" : Number(value).toFixed(digits);
}

function cellText(row, column, sexagesimal) {
  switch (column.key) {
    case "ra":
      return sexagesimal ? row.ra_sex : degrees(row.ra, 5);
    case "dec":
      return sexagesimal ? row.dec_sex : degrees(row.dec, 5);
    case "significance":
      return degrees(row.significance, 2);
    case "err_rad":
      return degrees(row.err_rad, 5);
    case "warnings":
      return (row.warnings || []).join(" ");
    default:
      return row[column.key] ?? "";
  }
}

function cellTitle(row, column, sexagesimal) {
  if (column.key === "ra") {
    return sexagesimal ? `${degrees(row.ra, 6)}°` : `${row.ra_sex} (h:m:s)`;
  }
  if (column.key === "dec") {
    return sexagesimal ? `${degrees(row.dec, 6)}°` : `${row.dec_sex} (d:m:s)`;
  }
  if (column.key === "err_rad" && row.err_rad !== null && row.err_rad !== undefined) {
    return `${(row.err_rad * 3600).toFixed(1)} arcsec`;
  }
  return "";
}

function sortValue(row, key) {
  if (key === "warnings") return (row.warnings || []).length;
  return row[key];
}

function compareRows(a, b, key, direction) {
  const x = sortValue(a, key);
  const y = sortValue(b, key);
  const missingX = x === null || x === undefined || x === "";
  const missingY = y === null || y === undefined || y === "";
  if (missingX || missingY) return missingX === missingY ? 0 : missingX ? 1 : -1; // always last
  const order =
    typeof x === "number" && typeof y === "number"
      ? x - y
      : String(x).localeCompare(String(y), undefined, { numeric: true, sensitivity: "base" });
  return direction === "descending" ? -order : order;
}

// --- rows: the whole list from the state, then numbered patches ----------------------------------
// The patched rows are kept per synced list, shared by every view of one model: a view shown
// later starts from the latest rows, and a patch is applied once however many views receive it.
// A new list from the kernel (a page reload, a reconnect, a resync asked for) starts afresh.
const ROW_STORES = new WeakMap(); // the state's rows array -> {rows, version, resyncAsked}

function rowStore(model) {
  const synced = model.get("rows") || [];
  let store = ROW_STORES.get(synced);
  if (!store) {
    store = { rows: synced, version: model.get("_rows_version") || 0, resyncAsked: false };
    ROW_STORES.set(synced, store);
  }
  return store;
}

function patchedRows(rows, patch) {
  // the same rule as row_patches.apply_patch in the kernel
  const gone = new Set(patch.removed || []);
  const replaced = new Map((patch.changed || []).map((row) => [row.id, row]));
  const out = rows.filter((row) => !gone.has(row.id)).map((row) => replaced.get(row.id) || row);
  const added = [...(patch.added || [])].sort((a, b) => a[0] - b[0]);
  if (patch.order) {
    const byId = new Map(out.map((row) => [row.id, row]));
    for (const [, row] of added) byId.set(row.id, row);
    return patch.order.map((id) => byId.get(id));
  }
  for (const [index, row] of added) out.splice(index, 0, row);
  return out;
}

// Applies a patch the kernel sent; true when the rows shown should be drawn again. A patch past
// the next one means one was missed: the whole list is asked for, once, and later patches wait
// for it (they are numbered from versions this front end never had).
function applyPatch(model, patch) {
  const store = rowStore(model);
  if (patch.version <= store.version) return false; // applied already (another view of it)
  if (patch.base !== store.version) {
    if (!store.resyncAsked) {
      store.resyncAsked = true;
      model.send({ action: "resync", version: store.version });
    }
    return false;
  }
  store.rows = patchedRows(store.rows, patch);
  store.version = patch.version;
  return true;
}

function listenForPatches(model) {
  const onPatch = (message) => {
    if (message && message.event === "rows_patch") applyPatch(model, message);
  };
  model.on("msg:custom", onPatch);
  return onPatch;
}

function render({ model, el: host }) {
  addStyle("catalog_table", STYLESHEET);
  const root = el("div", "oda-catalog-table");
  // keys typed in the grid are the grid's: JupyterLab's notebook shortcuts (d d, z, arrows,
  // Enter) must not act on the notebook while the focus is in here
  root.setAttribute("data-lm-suppress-shortcuts", "true");

  const toolbar = el("div", "oda-ct-toolbar");
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", "catalog actions");
  const addButton = button("Add source", "oda-ct-add", "add a source to edit (name, RA, Dec)");
  const addQueryButton = button(
    "Add the query's object",
    "oda-ct-add-query",
    "add the form's source name at its RA and Dec",
  );
  const deleteButton = button("Delete selected", "oda-ct-delete", "remove the selected rows");
  const undoButton = button("Undo", "oda-ct-undo", "take back the last edit (Ctrl+Z)");
  const redoButton = button("Redo", "oda-ct-redo", "do the undone edit again (Ctrl+Y)");
  const sexLabel = el("label", "oda-ct-toggle");
  const sexBox = el("input");
  sexBox.type = "checkbox";
  sexBox.className = "oda-ct-sexagesimal";
  sexLabel.append(sexBox, document.createTextNode(" sexagesimal"));
  toolbar.append(addButton, addQueryButton, deleteButton, undoButton, redoButton, sexLabel);

  const useBar = el("div", "oda-ct-toolbar oda-ct-use-bar");
  const onlyLabel = el("label", "oda-ct-toggle");
  const onlyBox = el("input");
  onlyBox.type = "checkbox";
  onlyBox.className = "oda-ct-selected-only";
  onlyLabel.append(onlyBox, document.createTextNode(" selected rows only"));
  const useButton = button(
    "Use this catalog",
    "oda-ct-use",
    "the form's next job extracts exactly these sources (selected_catalog)",
  );
  const saveLabel = el("span", "oda-ct-save-label", "Save as:");
  const saveButtons = el("span", "oda-ct-save");
  useBar.append(useButton, onlyLabel, saveLabel, saveButtons);

  const summary = el("div", "oda-ct-summary");
  summary.setAttribute("role", "status");
  summary.setAttribute("aria-live", "polite");
  const status = el("div", "oda-ct-status");
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");

  const scroller = el("div", "oda-ct-scroller");
  const table = el("table", "oda-ct-grid");
  table.setAttribute("role", "grid");
  table.setAttribute("aria-multiselectable", "true");
  table.setAttribute("aria-label", "source catalog");
  const thead = el("thead");
  const headRow = el("tr");
  headRow.setAttribute("role", "row");
  const tbody = el("tbody");
  thead.appendChild(headRow);
  table.append(thead, tbody);
  scroller.appendChild(table);
  const empty = el("div", "oda-ct-empty", "The catalog has no sources.");
  const help = el("div", "oda-ct-help", KEY_HELP);
  root.append(toolbar, useBar, summary, status, scroller, empty, help);
  host.appendChild(root);

  const state = {
    sortKey: null,
    sortDirection: "ascending",
    sexagesimal: false,
    active: { id: null, column: "name" },
    anchor: null,
    editing: null, // {id, column, text}: an editor the user has open
    pendingEdit: null, // open the name editor of a just-added row once it arrives
    order: [], // rows in display order
  };

  function send(message) {
    model.send(message);
  }

  function deleteSelected() {
    const ids = model.get("selected") || [];
    send({ action: "delete", ids });
  }

  function setSelected(ids) {
    model.set("selected", ids);
    model.save_changes();
  }

  function displayRows() {
    const rows = [...rowStore(model).rows];
    if (state.sortKey) {
      rows.sort((a, b) => compareRows(a, b, state.sortKey, state.sortDirection));
    }
    return rows;
  }

  // --- header ---------------------------------------------------------------------------------
  // built once, updated in place: a keyboard user's focus on a sort button survives the sort
  const headers = new Map(); // column key -> {th, sorter, text, arrow}
  for (const column of COLUMNS) {
    const th = el("th", `oda-ct-head oda-ct-col-${column.key}`);
    th.setAttribute("role", "columnheader");
    th.scope = "col";
    const sorter = button("", "oda-ct-sort", `sort by ${column.label}`);
    const text = el("span", "oda-ct-sort-label");
    const arrow = el("span", "oda-ct-sort-arrow");
    arrow.setAttribute("aria-hidden", "true");
    sorter.append(text, arrow);
    sorter.addEventListener("click", () => {
      if (state.sortKey === column.key) {
        state.sortDirection = state.sortDirection === "ascending" ? "descending" : "ascending";
      } else {
        state.sortKey = column.key;
        state.sortDirection = "ascending";
      }
      draw();
    });
    th.appendChild(sorter);
    headRow.appendChild(th);
    headers.set(column.key, { th, text, arrow });
  }

  function drawHeader() {
    for (const column of COLUMNS) {
      const { th, text, arrow } = headers.get(column.key);
      const direction = state.sortKey === column.key ? state.sortDirection : "none";
      th.setAttribute("aria-sort", direction);
      let label = column.label;
      if (column.key === "ra") label = state.sexagesimal ? "RA (h:m:s)" : "RA (°)";
      if (column.key === "dec") label = state.sexagesimal ? "Dec (d:m:s)" : "Dec (°)";
      text.textContent = label;
      arrow.textContent =
        direction === "ascending" ? " ▲" : direction === "descending" ? " ▼" : "";
    }
  }

  // --- body -----------------------------------------------------------------------------------
  function editorFor(row, column, text, message) {
    const wrap = el("div", "oda-ct-editor");
    const input = el("input", "oda-ct-input");
    input.type = "text";
    input.value = text;
    input.setAttribute("aria-label", `${column.label} of ${row.name}`);
    wrap.appendChild(input);
    if (message) {
      input.setAttribute("aria-invalid", "true");
      const note = el("div", "oda-ct-message", `⚠ ${message}`);
      note.setAttribute("role", "alert");
      note.id = `oda-ct-msg-${row.id}-${column.key}-${Math.random().toString(36).slice(2)}`;
      input.setAttribute("aria-describedby", note.id);
      wrap.appendChild(note);
    }
    input.addEventListener("keydown", (event) => {
      event.stopPropagation();
      if (event.key === "Enter" || event.key === "Tab") {
        if (event.key === "Enter") event.preventDefault();
        commit(row.id, column.key, input.value);
      } else if (event.key === "Escape") {
        event.preventDefault();
        cancel(row.id, column.key);
      }
    });
    input.addEventListener("input", () => {
      if (state.editing && state.editing.id === row.id && state.editing.column === column.key) {
        state.editing.text = input.value;
      }
    });
    return { wrap, input };
  }

  // Rows and cells are kept and updated in place (keyed by meta_ID), so that a double click, a
  // text selection or the caret in an editor survive the redraw that every edit brings.
  const views = new Map(); // meta_ID -> {tr, cells: Map(column key -> {td, signature})}

  function cellSignature(row, column, errors) {
    const refused = errors[`${row.id}:${column.key}`];
    const open =
      state.editing && state.editing.id === row.id && state.editing.column === column.key;
    if (column.editable && open) return JSON.stringify(["open", refused ? refused.message : null]);
    if (column.editable && refused) return JSON.stringify(["refused", refused.text, refused.message]);
    return JSON.stringify([
      "view",
      cellText(row, column, state.sexagesimal),
      cellTitle(row, column, state.sexagesimal),
      column.key === "name" ? [row.name, row.state, row.duplicate, row.colour] : null,
      column.key === "warnings" ? row.warnings : null,
    ]);
  }

  function fillCell(td, row, column, errors) {
    td.replaceChildren();
    td.removeAttribute("title");
    td.classList.remove("oda-ct-editing");
    const refused = errors[`${row.id}:${column.key}`];
    const open =
      state.editing && state.editing.id === row.id && state.editing.column === column.key;
    if (column.editable && (refused || open)) {
      const text = open ? state.editing.text : refused.text;
      const editor = editorFor(row, column, text, refused && refused.message);
      td.appendChild(editor.wrap);
      td.classList.add("oda-ct-editing");
      return editor.input;
    }
    if (column.key === "name") {
      if (row.colour) {
        // the source's colour in every view: its ring on the sky, its spectrum, its light curve
        const swatch = el("span", "oda-ct-swatch");
        swatch.style.background = /^#[0-9a-fA-F]{6}$/.test(row.colour) ? row.colour : "";
        swatch.setAttribute("aria-hidden", "true");
        td.appendChild(swatch);
      }
      td.appendChild(el("span", "oda-ct-name", row.name));
      if (row.state) td.appendChild(el("span", `oda-ct-badge oda-ct-${row.state}`, row.state));
      if (row.duplicate) td.appendChild(el("span", "oda-ct-badge oda-ct-dup", "duplicate?"));
    } else if (column.key === "warnings") {
      for (const text of row.warnings || []) {
        td.appendChild(el("div", "oda-ct-warning", `⚠ ${text}`));
      }
    } else {
      td.textContent = cellText(row, column, state.sexagesimal);
    }
    const title = cellTitle(row, column, state.sexagesimal);
    if (title) td.title = title;
    return null;
  }

  function rowView(id) {
    let view = views.get(id);
    if (!view) {
      const tr = el("tr", "oda-ct-row");
      tr.setAttribute("role", "row");
      tr.dataset.id = String(id);
      const cells = new Map();
      for (const column of COLUMNS) {
        const td = el("td", `oda-ct-cell oda-ct-col-${column.key}`);
        td.setAttribute("role", "gridcell");
        td.dataset.column = column.key;
        td.setAttribute("aria-readonly", column.editable ? "false" : "true");
        td.tabIndex = -1;
        cells.set(column.key, { td, signature: null });
        tr.appendChild(td);
      }
      view = { tr, cells };
      views.set(id, view);
    }
    return view;
  }

  function draw() {
    const hadFocus = root.contains(document.activeElement);
    const rows = displayRows();
    state.order = rows;
    const selected = new Set(model.get("selected") || []);
    const errors = model.get("errors") || {};
    if (state.pendingEdit !== null) {
      const row = rows.find((r) => r.id === state.pendingEdit);
      if (row) {
        state.editing = { id: row.id, column: "name", text: row.name };
        state.active = { id: row.id, column: "name" };
        state.pendingEdit = null;
      }
    }
    if (!rows.some((r) => r.id === state.active.id)) {
      state.active = { id: rows.length ? rows[0].id : null, column: state.active.column };
    }
    if (state.editing && !rows.some((r) => r.id === state.editing.id)) state.editing = null;

    drawHeader();
    let focusTarget = null;
    let newEditor = null;
    const seen = new Set();
    rows.forEach((row, index) => {
      seen.add(row.id);
      const view = rowView(row.id);
      const tr = view.tr;
      tr.setAttribute("aria-rowindex", String(index + 2)); // the header is row 1
      tr.setAttribute("aria-selected", selected.has(row.id) ? "true" : "false");
      tr.classList.toggle("oda-ct-selected", selected.has(row.id));
      for (const name of ["added", "renamed", "moved"]) {
        tr.classList.toggle(`oda-ct-row-${name}`, row.state === name);
      }
      tr.classList.toggle("oda-ct-row-duplicate", !!row.duplicate);
      tr.classList.toggle("oda-ct-row-warned", (row.warnings || []).length > 0);
      for (const column of COLUMNS) {
        const cell = view.cells.get(column.key);
        const signature = cellSignature(row, column, errors);
        let input = cell.td.querySelector("input.oda-ct-input");
        if (signature !== cell.signature) {
          input = fillCell(cell.td, row, column, errors);
          cell.signature = signature;
          if (input && row.id === state.active.id && column.key === state.active.column) {
            newEditor = input;
          }
        }
        const isActive = row.id === state.active.id && column.key === state.active.column;
        cell.td.tabIndex = isActive ? 0 : -1;
        if (isActive) focusTarget = input || cell.td;
      }
      if (tbody.children[index] !== tr) tbody.insertBefore(tr, tbody.children[index] || null);
    });
    for (const [id, view] of views) {
      if (!seen.has(id)) {
        view.tr.remove();
        views.delete(id);
      }
    }
    table.setAttribute("aria-rowcount", String(rows.length + 1));
    table.hidden = rows.length === 0;
    empty.hidden = rows.length !== 0;
    if (newEditor) {
      newEditor.focus();
      newEditor.select();
    } else if (focusTarget && hadFocus && !root.contains(document.activeElement)) {
      focusTarget.focus(); // the focused cell's row went away or moved: keep the focus here
    }
  }

  function drawChrome() {
    summary.textContent = model.get("summary") || "";
    status.textContent = model.get("status") || "";
    undoButton.disabled = !model.get("can_undo");
    redoButton.disabled = !model.get("can_redo");
    const count = (model.get("selected") || []).length;
    deleteButton.disabled = count === 0;
    deleteButton.textContent = count ? `Delete selected (${count})` : "Delete selected";
    const hasForm = !!model.get("has_form");
    useButton.disabled = !hasForm;
    addQueryButton.disabled = !hasForm;
    const noForm = "give the table a form: CatalogTable(catalog, form=form)";
    useButton.title = hasForm
      ? "the form's next job extracts exactly these sources (selected_catalog)"
      : noForm;
    addQueryButton.title = hasForm ? "add the form's source name at its RA and Dec" : noForm;
    onlyBox.checked = !!model.get("selected_only");
    sexBox.checked = state.sexagesimal;
  }

  function drawSaveButtons() {
    saveButtons.replaceChildren();
    for (const [format, suffix, what] of model.get("formats") || []) {
      const b = button(
        { ecsv: "ECSV", fits: "FITS", ds9: "ds9 regions", json: "JSON" }[format] || format,
        `oda-ct-save-${format}`,
        `download the catalog as ${what} (${suffix})`,
      );
      b.addEventListener("click", () => send({ action: "save", format }));
      saveButtons.appendChild(b);
    }
  }

  // --- edits ------------------------------------------------------------------------------------
  function startEdit(id, columnKey) {
    const column = COLUMNS.find((c) => c.key === columnKey);
    const row = state.order.find((r) => r.id === id);
    if (!column || !column.editable || !row) return;
    const errors = model.get("errors") || {};
    const refused = errors[`${id}:${columnKey}`];
    let text = refused ? refused.text : cellText(row, column, state.sexagesimal);
    if (!refused && column.type === "angle" && !state.sexagesimal) {
      text = String(row[columnKey] ?? "");
    }
    state.editing = { id, column: columnKey, text };
    state.active = { id, column: columnKey };
    draw();
  }

  function commit(id, columnKey, text) {
    state.editing = null;
    state.active = { id, column: columnKey };
    // the kernel answers with new rows (or a refusal, shown in the cell); until then the cell
    // shows the old value and keeps the focus
    send({ action: "edit", id, column: columnKey, text });
    draw();
    focusActive();
  }

  function cancel(id, columnKey) {
    state.editing = null;
    const errors = model.get("errors") || {};
    if (errors[`${id}:${columnKey}`]) send({ action: "cancel_edit", id, column: columnKey });
    draw();
    focusActive();
  }

  function focusActive() {
    const cell = activeCell();
    if (cell) {
      const input = cell.querySelector("input");
      (input || cell).focus();
    }
  }

  function activeCell() {
    const { id, column } = state.active;
    if (id === null) return null;
    return tbody.querySelector(`tr[data-id="${CSS.escape(String(id))}"] td[data-column="${column}"]`);
  }

  // --- selection ----------------------------------------------------------------------------------
  function rangeIds(fromId, toId) {
    const ids = state.order.map((r) => r.id);
    let a = ids.indexOf(fromId);
    const b = ids.indexOf(toId);
    if (a < 0) a = b;
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    return ids.slice(lo, hi + 1);
  }

  function selectFromEvent(id, { shift, toggle }) {
    const current = model.get("selected") || [];
    if (shift && state.anchor !== null) {
      const range = rangeIds(state.anchor, id);
      setSelected(toggle ? [...new Set([...current, ...range])] : range);
    } else if (toggle) {
      setSelected(current.includes(id) ? current.filter((x) => x !== id) : [...current, id]);
      state.anchor = id;
    } else {
      setSelected([id]);
      state.anchor = id;
    }
  }

  tbody.addEventListener("click", (event) => {
    if (event.target.closest(".oda-ct-editor")) return;
    const td = event.target.closest("td");
    const tr = event.target.closest("tr");
    if (!td || !tr) return;
    const id = Number(tr.dataset.id);
    state.active = { id, column: td.dataset.column };
    selectFromEvent(id, { shift: event.shiftKey, toggle: event.ctrlKey || event.metaKey });
    draw();
    focusActive();
  });

  tbody.addEventListener("dblclick", (event) => {
    const td = event.target.closest("td");
    const tr = event.target.closest("tr");
    if (!td || !tr || event.target.closest(".oda-ct-editor")) return;
    startEdit(Number(tr.dataset.id), td.dataset.column);
  });

  tbody.addEventListener("focusout", () => {
    // leaving an editor that was never committed closes it (a refused one stays, with its text);
    // a redraw re-focuses the editor it rebuilds, so look only once the focus has settled
    if (!state.editing) return;
    setTimeout(() => {
      const now = document.activeElement;
      if (!state.editing || (now && now.classList.contains("oda-ct-input"))) return;
      state.editing = null;
      draw();
    }, 0);
  });

  tbody.addEventListener("keydown", (event) => {
    if (event.target.classList.contains("oda-ct-input")) return; // the editor's own keys
    const ids = state.order.map((r) => r.id);
    if (!ids.length) return;
    const keys = COLUMNS.map((c) => c.key);
    let row = Math.max(0, ids.indexOf(state.active.id));
    let col = Math.max(0, keys.indexOf(state.active.column));
    const ctrl = event.ctrlKey || event.metaKey;
    let moved = false;
    let handled = true;
    switch (event.key) {
      case "ArrowDown":
        row = Math.min(ids.length - 1, row + 1);
        moved = true;
        break;
      case "ArrowUp":
        row = Math.max(0, row - 1);
        moved = true;
        break;
      case "ArrowRight":
        col = Math.min(keys.length - 1, col + 1);
        moved = true;
        break;
      case "ArrowLeft":
        col = Math.max(0, col - 1);
        moved = true;
        break;
      case "Home":
        if (ctrl) row = 0;
        else col = 0;
        moved = true;
        break;
      case "End":
        if (ctrl) row = ids.length - 1;
        else col = keys.length - 1;
        moved = true;
        break;
      case "PageDown":
        row = Math.min(ids.length - 1, row + 10);
        moved = true;
        break;
      case "PageUp":
        row = Math.max(0, row - 10);
        moved = true;
        break;
      case " ":
        selectFromEvent(ids[row], { shift: event.shiftKey, toggle: ctrl });
        break;
      case "Enter":
      case "F2":
        startEdit(ids[row], keys[col]);
        return void event.preventDefault() || event.stopPropagation();
      case "Delete":
      case "Backspace":
        if ((model.get("selected") || []).length) deleteSelected();
        break;
      case "Escape":
        setSelected([]);
        break;
      default:
        handled = false;
        if (ctrl && (event.key === "a" || event.key === "A")) {
          setSelected(ids);
          handled = true;
        } else if (ctrl && (event.key === "z" || event.key === "Z")) {
          send({ action: event.shiftKey ? "redo" : "undo" });
          handled = true;
        } else if (ctrl && (event.key === "y" || event.key === "Y")) {
          send({ action: "redo" });
          handled = true;
        }
    }
    if (!handled) return;
    event.preventDefault();
    event.stopPropagation();
    if (moved) {
      const previous = state.active.id;
      state.active = { id: ids[row], column: keys[col] };
      if (event.shiftKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        if (state.anchor === null) state.anchor = previous;
        setSelected(rangeIds(state.anchor, ids[row]));
      }
      draw();
      focusActive();
    }
  });

  // --- toolbar --------------------------------------------------------------------------------
  addButton.addEventListener("click", () => send({ action: "add" }));
  addQueryButton.addEventListener("click", () => send({ action: "add_query_object" }));
  deleteButton.addEventListener("click", deleteSelected);
  undoButton.addEventListener("click", () => send({ action: "undo" }));
  redoButton.addEventListener("click", () => send({ action: "redo" }));
  // the rows and the choice the user sees go with the action: the widget's own state updates
  // may still be on their way (ipywidgets sends them one at a time)
  useButton.addEventListener("click", () =>
    send({ action: "use", selected_only: onlyBox.checked, ids: model.get("selected") || [] }),
  );
  sexBox.addEventListener("change", () => {
    state.sexagesimal = sexBox.checked;
    draw();
  });
  onlyBox.addEventListener("change", () => {
    model.set("selected_only", onlyBox.checked);
    model.save_changes();
  });
  // toolbar keys stay with the toolbar too
  for (const bar of [toolbar, useBar]) {
    bar.addEventListener("keydown", (event) => event.stopPropagation());
  }

  function onMessage(message, buffers) {
    if (!message || typeof message !== "object") return;
    if (message.event === "rows_patch") {
      applyPatch(model, message); // a no-op where the model's own listener applied it first
      both();
    } else if (message.event === "added") {
      state.pendingEdit = message.id;
      draw();
    } else if (message.event === "file" && buffers && buffers.length) {
      const blob = new Blob([buffers[0]], { type: message.mime || "application/octet-stream" });
      const url = URL.createObjectURL(blob);
      const link = el("a");
      link.href = url;
      link.download = String(message.name || "catalog");
      link.hidden = true;
      root.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    }
  }

  const redraw = () => draw();
  const rechrome = () => drawChrome();
  const both = () => {
    drawChrome();
    draw();
  };
  model.on("change:rows", both);
  model.on("change:_rows_version", both);
  model.on("change:selected", both);
  model.on("change:errors", redraw);
  for (const name of ["summary", "status", "can_undo", "can_redo", "has_form", "selected_only"]) {
    model.on(`change:${name}`, rechrome);
  }
  model.on("change:formats", drawSaveButtons);
  model.on("msg:custom", onMessage);
  drawSaveButtons();
  drawChrome();
  draw();
  return () => {
    model.off("change:rows", both);
    model.off("change:_rows_version", both);
    model.off("change:selected", both);
    model.off("change:errors", redraw);
    for (const name of ["summary", "status", "can_undo", "can_redo", "has_form", "selected_only"]) {
      model.off(`change:${name}`, rechrome);
    }
    model.off("change:formats", drawSaveButtons);
    model.off("msg:custom", onMessage);
  };
}

// Once per model: patches are applied while no view is shown too, so a view shown later is current.
function initialize({ model }) {
  const onPatch = listenForPatches(model);
  return () => model.off("msg:custom", onPatch);
}

export default { initialize, render };
