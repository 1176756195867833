"""The Explorer: the query form, the job monitor and the opened jobs' results in one widget.

Opening a finished job (the monitor's "Open results", or a click on its row) adds a tab with
its :class:`~oda_widgets.widgets.results.ResultsView`, under a short title that tells it from the
others (the whole title on hover); the new tab is brought into view and the query form folds
into one line that says what it holds (a click shows it again), so the results need little
scrolling. Tabs close with their own button. The views of every tab fill the Explorer's one form
("Use this catalog", "Use this time range"); the notice saying so stays while it is true (until
the form's catalog or time range changes again). A source selected on any sky or table is
highlighted in every tab's light curves and spectra. The Explorer links views through their
observable traits only.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import traitlets

from ..client.dispatcher import Dispatcher
from ..client.jobs import Job
from ..client.products.product_set import ProductSet
from ..client.transport.sites import SANDBOX_SHARE_NOTE, is_sandbox_url
from ._style import style_widget
from .closing import close_parts
from .form import QueryForm
from .front_end_loader import FrontEndPreload
from .job_monitor import JobMonitor, describe_parameters
from .page_actions import PageActions
from .result_tabs import ResultTabs
from .results import ResultsView
from .view_warm_up import warm_up_views

__all__ = ["Explorer", "job_title", "short_title"]

_INSTRUMENT_NAMES = {"isgri": "ISGRI", "jemx": "JEM-X", "spi_acs": "SPI-ACS", "polar": "POLAR"}
_PRODUCT_WORDS = {"image": "image", "spectrum": "spectra", "lc": "light curves"}


def _day(value: Any) -> str:
    text = str(value or "")
    return text[:10] if len(text) >= 10 and text[4:5] == "-" else text


def job_title(job: Job) -> str:
    """A tab's name: instrument, product, source and dates, e.g.
    ``"isgri isgri_image · Crab · 2003-03-15 to 2003-03-16"``."""
    parameters = job.parameters
    parts = [f"{job.instrument} {job.product}"]
    source = parameters.get("src_name")
    if source:
        parts.append(str(source))
    t1, t2 = _day(parameters.get("T1")), _day(parameters.get("T2"))
    if t1 or t2:
        parts.append(t1 if t1 == t2 else f"{t1} to {t2}")
    return " · ".join(parts)


def short_title(job: Job) -> str:
    """A tab's short title: what and of what, e.g. ``"ISGRI spectra · 4U 1700-377"``."""
    instrument = str(job.instrument or "")
    product = str(job.product or "")
    kind = product[len(instrument) + 1:] if product.startswith(instrument + "_") else product
    words = f"{_INSTRUMENT_NAMES.get(instrument, instrument.upper())} " \
            f"{_PRODUCT_WORDS.get(kind, kind.replace('_', ' '))}"
    source = job.parameters.get("src_name")
    return f"{words} · {source}" if source else words


def _time_words(job: Job) -> str:
    """The query's time range, short: ``"03-15 23:27 to 03-16 00:03"``."""
    t1, t2 = (str(job.parameters.get(k) or "") for k in ("T1", "T2"))
    if len(t1) >= 16 and len(t2) >= 16 and t1[4:5] == "-":
        return f"{t1[5:16].replace('T', ' ')} to {t2[5:16].replace('T', ' ')}"
    return f"{t1} to {t2}" if t1 or t2 else ""


def _distinct_titles(jobs: list[Job]) -> list[str]:
    """Short titles, made distinct: the time range where two agree, then a number."""
    titles = [short_title(job) for job in jobs]
    for index, job in enumerate(jobs):
        if titles.count(short_title(job)) > 1 and _time_words(job):
            titles[index] = f"{short_title(job)} · {_time_words(job)}"
    seen: dict[str, int] = {}
    for index, title in enumerate(titles):
        seen[title] = seen.get(title, 0) + 1
        if seen[title] > 1:
            titles[index] = f"{title} ({seen[title]})"
    return titles


class _Tab(widgets.VBox):
    """One opened job: its title, Show code, Share and Close, the code or link, its results."""

    def __init__(self, explorer: Explorer, job: Job, view: ResultsView) -> None:
        self.job = job
        self.view = view
        self.title = job_title(job)
        heading = widgets.Label(self.title)
        heading.add_class("oda-explorer-tab-title")
        self.code_button = widgets.Button(description="Show code", icon="code",
                                          tooltip="the oda_api code of this query (no token)")
        self.share_button = widgets.Button(description="Share", icon="share",
                                           tooltip="an MMODA web link that runs this query again")
        self.close_button = widgets.Button(description="Close", icon="times",
                                           tooltip=f"close the tab of {self.title}")
        for button, css in ((self.code_button, "oda-explorer-code"),
                            (self.share_button, "oda-explorer-share"),
                            (self.close_button, "oda-explorer-close")):
            button.add_class(css)
            button.layout.width = "auto"
        # plain text widgets: the code and the link hold server-sent values
        self.code = widgets.Textarea(disabled=True, layout=widgets.Layout(
            width="100%", height="12em", display="none"))
        self.code.add_class("oda-explorer-code-text")
        self.link = widgets.Text(disabled=True, layout=widgets.Layout(width="100%",
                                                                      display="none"))
        self.link.add_class("oda-explorer-share-url")
        self.link_note = widgets.Label("", layout=widgets.Layout(display="none"))
        self.link_note.add_class("oda-explorer-share-note")
        owner = weakref.ref(explorer)
        self.code_button.on_click(lambda _b: self.show_code())
        self.share_button.on_click(lambda _b: self.show_share())

        def close(_button: widgets.Button) -> None:
            explorer = owner()
            if explorer is not None:
                explorer.close_tab(job)

        self.close_button.on_click(close)
        bar = widgets.HBox([heading, self.code_button, self.share_button, self.close_button],
                           layout=widgets.Layout(align_items="center", flex_flow="row wrap"))
        super().__init__([bar, self.code, self.link, self.link_note, view])
        self.add_class("oda-explorer-tab")

    def show_code(self) -> str:
        self.code.value = self.job.api_code()
        self.code.layout.display = None
        return self.code.value

    def show_share(self) -> str:
        self.link.value = self.job.share_url()
        self.link.layout.display = None
        if is_sandbox_url(self.job.url):
            self.link_note.value = SANDBOX_SHARE_NOTE
            self.link_note.layout.display = None
        return self.link.value


class Explorer(traitlets.HasTraits):
    """The whole flow in one widget: the form, its jobs, and the results of the jobs opened.

    Parameters
    ----------
    url : str, optional
        The dispatcher (``"sandbox"`` for the local one); oda_api's default when omitted.
    token : str, optional
        The token; discovered as oda_api does when omitted (it stays in the Dispatcher).
    dispatcher : Dispatcher, optional
        Use this one instead of making one from ``url`` and ``token``.
    instrument, product : str, optional
        What the form starts on.

    Attributes
    ----------
    form : QueryForm
    monitor : JobMonitor
        Every job the form submits gets a row; "Open results" (or a click on a done row) opens it.
    results : dict
        The :class:`ResultsView` of each opened job, by job id.
    status : str
        What the views last changed in the form, in words, e.g. ``"Form changed: T1 is now
        ..."`` (empty again once the form's catalog or time range changes after it; observable).
        The Explorer is not a widget, so this trait is not synced: ``notice`` shows it.
    notice : ipywidgets.Label
        The line that shows ``status``.
    form_shown : bool
        Whether the query form is unfolded (observable; it folds when results open and
        unfolds with its button).
    widget : ipywidgets.VBox
        What a notebook shows (an Explorer left as a cell's value displays it). The Explorer is
        not a widget itself: a widget's ``open()`` opens its comm, and ``Explorer.open(job)``
        opens a job.

    Examples
    --------
    >>> explorer = ow.Explorer(url="sandbox")       # doctest: +SKIP
    >>> view = explorer.open(explorer.form.submit())  # doctest: +SKIP
    """

    form_shown = traitlets.Bool(True)
    status = traitlets.Unicode("")

    def __init__(self, url: str | None = None, token: str | None = None, *,
                 dispatcher: Dispatcher | None = None, instrument: str | None = None,
                 product: str | None = None) -> None:
        super().__init__()
        # the views' libraries load while the form is filled, not when the first job opens
        warm_up_views()
        self._tabs: dict[str, _Tab] = {}
        self._notice_about: dict[str, Any] = {}
        self.dispatcher = dispatcher if dispatcher is not None else Dispatcher(url=url,
                                                                                token=token)
        self.form = QueryForm(self.dispatcher, instrument=instrument, product=product)
        self.monitor = JobMonitor(form=self.form)
        self.results: dict[str, ResultsView] = {}
        self.notice = widgets.Label("")
        self.notice.add_class("oda-explorer-notice")
        traitlets.dlink((self, "status"), (self.notice, "value"))
        self.tabs = ResultTabs()
        self.tabs.add_class("oda-explorer-tabs")
        self._empty = widgets.Label("Open a finished job (Open results, or click its row) to "
                                    "see its products here.")
        self.page = PageActions()
        ref = weakref.ref(self)

        def open_results(job: Job, _products: ProductSet) -> None:
            explorer = ref()
            if explorer is not None:
                explorer.open(job)

        self.monitor.on_results(open_results)
        self.form_button = widgets.Button(description="Hide query form", icon="chevron-up",
                                          tooltip="fold the query form into one line",
                                          layout=widgets.Layout(width="auto"))
        self.form_button.add_class("oda-explorer-form-toggle")
        self.form_button.on_click(lambda _b: setattr(self, "form_shown", not self.form_shown))
        self._form_summary = widgets.Label("")
        self._form_summary.add_class("oda-explorer-form-summary")
        bar = widgets.HBox([self.form_button, self._form_summary])
        bar.add_class("oda-explorer-form-bar")
        style = style_widget("explorer")
        self.widget = widgets.VBox([style, bar, self.form, self.notice, self.monitor,
                                    self._empty, self.tabs, self.page])
        self.widget.add_class("oda-explorer")
        # the sky's front end (Aladin Lite) loads and starts in the page now, not with the
        # first image opened
        self._sky_front_end = FrontEndPreload("sky_aladin")
        self.form.observe(self._form_values_changed, names="values")
        self._show_tabs()
        self._form_values_changed(None)

    # --- opening and closing ------------------------------------------------------------------
    def open(self, job: Job | str) -> ResultsView:
        """Show a done job's products in a tab (selected; a job opened before keeps its tab).

        Parameters
        ----------
        job : Job or str
            The job, or its id (a job of the monitor).

        Returns
        -------
        ResultsView
        """
        if isinstance(job, str):
            job = next((j for j in self.monitor.jobs if j.job_id == job), None) or _missing(job)
        products = job.result(timeout=0)
        key = job.job_id or f"job-{id(job)}"
        if key in self.results:
            self.tabs.selected_index = list(self._tabs).index(key)
            return self.results[key]
        if job not in self.monitor.jobs:
            self.monitor.add(job)
        view = self._view_of(products)
        tab = _Tab(self, job, view)
        self.results[key] = view
        self._tabs[key] = tab
        view.observe(self._selection_changed, names="selected_sources")
        for filler in (view.catalog_table, view.light_curves):
            if filler is not None:
                filler.on_form_filled(self._form_filled)
        self.tabs.selected_index = len(self._tabs) - 1
        self._show_tabs()
        # the results in view: the form folds to one line, the new tab comes into sight
        self.form_shown = False
        self.page.scroll_into_view(".oda-explorer-tabs", within=".oda-explorer")
        # a source already selected in another tab is highlighted in this one too
        chosen = next((v.selected_sources for v in self.results.values()
                       if v is not view and v.selected_sources), None)
        if chosen:
            view.highlight(chosen)
        return view

    def _view_of(self, products: ProductSet) -> ResultsView:
        return ResultsView(products, form=self.form)

    def close_tab(self, job: Job | str) -> None:
        """Close the tab of ``job`` (a Job or its id)."""
        key = job if isinstance(job, str) else (job.job_id or f"job-{id(job)}")
        tab = self._tabs.pop(key, None)
        view = self.results.pop(key, None)
        if tab is None:
            raise KeyError(f"no tab is open for job {key!r}")
        self._show_tabs()
        # the tab, its view and every widget of both (the Explorer's form stays): nothing of a
        # closed tab is left open to keep its arrays and figures alive
        close_parts(tab, keep=[self.form])
        if view is not None and view.comm is not None:
            view.close()  # a view the tab did not hold (a subclass's own layout)

    def tab_titles(self) -> list[str]:
        """The whole titles of the open tabs, in order (shown on hover)."""
        return [tab.title for tab in self._tabs.values()]

    def tab_labels(self) -> list[str]:
        """The short titles on the tabs, in order (distinct from each other)."""
        return list(self.tabs.titles)

    def _show_tabs(self) -> None:
        tabs = list(self._tabs.values())
        self.tabs.set_tabs(tabs, _distinct_titles([tab.job for tab in tabs]),
                           [tab.title for tab in tabs])
        self.tabs.layout.display = None if tabs else "none"
        self._empty.layout.display = "none" if tabs else None

    # --- the form, folded or not ---------------------------------------------------------------
    @traitlets.observe("form_shown")
    def _fold_form(self, change: Mapping[str, Any]) -> None:
        shown = change["new"]
        self.form.layout.display = None if shown else "none"
        self.form_button.description = "Hide query form" if shown else "Show query form"
        self.form_button.icon = "chevron-up" if shown else "chevron-down"
        self.form_button.tooltip = ("fold the query form into one line" if shown
                                    else "show the query form to change or submit a query")
        self._form_values_changed(None)

    def _form_values_changed(self, _change: Any) -> None:
        form = self.form
        if not self.form_shown:
            query = describe_parameters(form.values)
            catalog = form.fields.get("selected_catalog")
            summary = (catalog.summary()
                       if catalog is not None and hasattr(catalog, "summary") else "")
            parts = [f"{form.instrument} · {form.product}", query,
                     summary if summary.startswith("catalog:") else ""]
            self._form_summary.value = "Query: " + " · ".join(p for p in parts if p)
        else:
            self._form_summary.value = ""
        # a notice of what a view put in the form lasts while the form still holds it
        about = self._notice_about
        if about and any(_same_value(form.values.get(k)) != v for k, v in about.items()):
            self.status = ""
            self._notice_about = {}

    # --- the links between views --------------------------------------------------------------
    def _selection_changed(self, change: Mapping[str, Any]) -> None:
        names = list(change["new"])
        for view in self.results.values():
            if view is not change["owner"]:
                view.highlight(names)

    def _form_filled(self, text: str) -> None:
        # a view of an open tab changed the form (its catalog, or T1/T2 from a light curve):
        # the notice lasts while the form holds what it says
        keys = ("T1", "T2") if text.startswith("T1 is now") else ("selected_catalog",)
        self._notice_about = {k: _same_value(self.form.values.get(k)) for k in keys}
        self.status = f"Form changed: {text}"

    def close(self) -> None:
        """Close every tab and the widgets (the jobs go on being polled)."""
        for key in list(self._tabs):
            self.close_tab(key)
        self.monitor.close()
        self.form.close()
        self.page.close()
        self._sky_front_end.close()
        self.widget.close()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"Explorer({self.form!r}, {len(self.monitor.jobs)} jobs, {len(self.results)} open)"


def _same_value(value: Any) -> Any:
    """A form value as compared for the notice (a catalog by identity: edits keep it true)."""
    return id(value) if not isinstance(value, str | int | float | type(None)) else value


def _missing(job_id: str) -> Job:
    raise KeyError(f"no job {job_id!r} in this Explorer's monitor; pass the Job itself")
