"""The form's offer to split a request larger than one job takes: "Split into N jobs".

One INTEGRAL job takes at most 50 science windows (500 with the ``unige-hpc-full`` role: see
:func:`~oda_widgets.client.long.splitting.pointings_limit`); the dispatcher refuses more. When the
form's ``scw_list`` (or ``max_pointings`` with a time range) asks for more than the token's roles
allow, this row says so and offers to submit the request as a long one
(:meth:`Dispatcher.submit_long <oda_widgets.client.dispatcher.Dispatcher.submit_long>`): the
parts follow as one job, handed to the form's submit listeners like any job.
"""

from __future__ import annotations

import html
import math
from typing import Any

import ipywidgets as widgets

from ..client.errors import OdaError
from ..client.long.splitting import pointings_limit

__all__ = ["LongRequestOffer", "requested_pointings"]


def requested_pointings(values: dict[str, Any]) -> tuple[int, bool]:
    """(science windows asked for, whether they are a list) of a form's parameters."""
    scw_list = values.get("scw_list")
    if isinstance(scw_list, str):
        scw_list = [s for s in scw_list.replace(" ", ",").split(",") if s]
    if scw_list:
        return len(scw_list), True
    try:
        return int(values.get("max_pointings") or 0), False
    except (TypeError, ValueError):
        return 0, False


class LongRequestOffer(widgets.HBox):
    """The row under a form's buttons that offers to split a request (hidden when not needed).

    Parameters
    ----------
    form : QueryForm
        The form whose values are watched and whose dispatcher submits.
    """

    def __init__(self, form: Any) -> None:
        self.text = widgets.HTML("")
        self.button = widgets.Button(description="Split into jobs", icon="scissors",
                                     layout=widgets.Layout(width="auto"),
                                     tooltip="submit it as several jobs, followed as one; their "
                                             "products are combined")
        self.button.add_class("oda-split-button")
        super().__init__([self.text, self.button],
                         layout=widgets.Layout(align_items="center", display="none"))
        self.add_class("oda-long-offer")
        self.form = form
        self.parts = 0
        self.button.on_click(lambda _b: self.submit())
        form.observe(lambda _c: self.update(), names=["values", "product"])
        self.update()

    @property
    def limit(self) -> int | None:
        info = getattr(self.form.dispatcher, "token_info", None)
        return pointings_limit(getattr(info, "roles", ()) or ())

    def update(self) -> None:
        """Show the offer when the request asks for more windows than one job may take."""
        limit = self.limit
        try:
            values = self.form.parameters()
        except Exception:
            values = {}
        count, is_list = requested_pointings(values)
        if limit is None or count <= limit or "scw_list" not in self.form.fields:
            self.layout.display = "none"
            self.parts = 0
            return
        self.layout.display = "flex"
        if is_list:
            self.parts = math.ceil(count / limit)
            self.button.description = f"Split into {self.parts} jobs"
            words = (f"{count} science windows: one job takes at most {limit} with your "
                     "roles, the dispatcher would refuse it.")
        else:
            self.parts = -1
            self.button.description = f"Split into jobs of {limit}"
            words = (f"max_pointings {count}: one job takes at most {limit} with your roles. "
                     "The range's science windows are listed first, then cut into jobs.")
        self.text.value = f'<span class="oda-note-text">{html.escape(words)}</span>'

    def submit(self) -> Any:
        """Submit the form's request as a long one; the job is handed to the form's listeners."""
        form = self.form
        values = dict(form.parameters())
        scw_list = values.pop("scw_list", None) or None
        values.pop("max_pointings", None)
        try:
            job = form.dispatcher.submit_long(form.instrument, form.product, form.query_type,
                                              scw_list=scw_list, per_job=self.limit, **values)
        except (OdaError, ValueError) as exc:
            form._status(f"⚠ Not split: {exc}", error=True)
            return None
        form.adopt(job)
        form._status(f"Submitted as {len(job.parts)} jobs, followed as one")
        return job
