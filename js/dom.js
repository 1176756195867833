// The DOM helpers every front end of oda_widgets uses, written once. Each front end imports them,
// and scripts/build_front_ends.py bundles this module into each served file (no file of a widget
// imports another at run time).
//
// Text goes in as textContent, never as HTML: source names and server messages are data.

// An element with a class and a text: `el("td", "oda-ct-name", row.name)`.
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// A button that looks like JupyterLab's own (ipywidgets' class) wherever the widget is shown, and
// never submits a surrounding form.
export function button(label, className, title) {
  const node = el("button", `jupyter-button ${className || ""}`.trim(), label);
  node.type = "button";
  if (title) node.title = title;
  return node;
}

// A front end's stylesheet, put once in the page's <head> under its name: every view of a kind
// shares it, and a newer version of the same front end (another text) replaces it in place.
export function addStyle(name, cssText) {
  const selector = `style[data-oda-style="${name}"]`;
  const present = document.head.querySelector(selector);
  if (present) {
    if (present.textContent !== cssText) present.textContent = cssText;
    return present;
  }
  const style = el("style", null, cssText);
  style.dataset.odaStyle = name;
  document.head.appendChild(style);
  return style;
}
