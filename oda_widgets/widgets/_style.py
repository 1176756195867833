"""The CSS of the query form, shipped as one small style element.

Errors are marked by text (a "⚠" and the message) first; the classes below only add colour and
spacing on top, so nothing is conveyed by colour alone.
"""

from __future__ import annotations

import ipywidgets as widgets

FORM_CSS = """
.oda-form .oda-section-title { font-weight: bold; margin: 8px 0 2px 0; }
.oda-form .oda-field { align-items: center; flex-wrap: wrap; }
.oda-form .oda-units { color: var(--jp-ui-font-color2, #555); min-width: 4em; }
.oda-form .oda-message { margin-left: 6px; }
.oda-form .oda-error-text { color: #b00020; font-weight: bold; }
.oda-form .oda-note-text { color: var(--jp-ui-font-color2, #555); }
.oda-form .oda-warning-text { color: #A04000; }
.oda-form .oda-time-bin-words { color: var(--jp-ui-font-color2, #555); margin-left: 6px; }
.oda-form .oda-invalid input, .oda-form .oda-invalid textarea,
.oda-form input.oda-invalid, .oda-form textarea.oda-invalid { border: 2px solid #b00020; }
.oda-form .oda-status { margin: 4px 0; }
.oda-form .oda-schema-hints { color: var(--jp-ui-font-color2, #555); font-size: 92%;
  line-height: 1.35; }
.oda-form .oda-file-name { margin: 0 6px; }
/* ipywidgets writes "Upload (N)" with the count of files it holds; the field hands the file on
   at once (it holds none), so the count would always say 0: the button shows its words only */
.oda-form .oda-upload { font-size: 0; }
.oda-form .oda-upload i { font-size: var(--jp-widgets-font-size, 13px); margin-right: 4px; }
.oda-form .oda-upload::after { content: "Upload a file"; font-size: var(--jp-widgets-font-size, 13px); }
.oda-form .oda-long-text textarea { font-family: var(--jp-code-font-family, monospace); }
.oda-form .oda-code pre { background: var(--jp-layout-color2, #f4f4f4); padding: 6px;
  white-space: pre-wrap; }
"""


def style_widget() -> widgets.HTML:
    """Return an HTML widget holding the form's style element (our own text, no server data)."""
    return widgets.HTML(value=f"<style>{FORM_CSS}</style>", layout=widgets.Layout(display="none"))
