"""The browser harness: a sandbox dispatcher, a real JupyterLab and Chromium driven by Playwright.

Its fixtures are imported by the conftest of each tier that drives a browser (``tests/browser``,
and ``tests/mmoda``, whose JupyterLab and Chromium run inside the MMODA peer's namespace);
benchmarks import its helpers.

Session fixtures (started once, killed at the end):

- ``sandbox``: the sandbox dispatcher in this process on 127.0.0.1; its URL reaches every kernel
  through ``ODA_WIDGETS_SANDBOX_URL``, so notebooks use ``Dispatcher(url="sandbox")``.
- ``jupyterlab``: JupyterLab on 127.0.0.1 at a free port, with a fixed token, its own config, data,
  runtime, settings and workspace folders under the test folder, widget state saved with the
  notebook (``saveState``), the news toast silenced; notebooks live in ``jupyterlab.root``.
- ``browser``: Debian's Chromium (``/usr/bin/chromium``) launched by Playwright, TMPDIR in the test
  folder.

Per test, ``lab`` is a :class:`LabPage`: a fresh browser context whose network is confined to the
loopback interface: every outside request is aborted and logged, with no exception (the sky view
loads Aladin Lite from the package, as an offline user's browser must). After the test its screenshot
is kept as ``test-output/browser/<test name>.png`` with a log of blocked requests and console
errors next to it (also attached to the test report), and its kernels are shut down.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from support.processes import stop_process_group

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "test-output" / "browser"
CHROMIUM = Path(os.environ.get("ODA_WIDGETS_CHROMIUM", "/usr/bin/chromium"))
LAB_TOKEN = "oda-widgets-browser-tests"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Aladin Lite needs WebGL2, which Chromium offers without a GPU only through SwiftShader
    "--enable-unsafe-swiftshader",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


# --- set-up helpers -------------------------------------------------------------------------------
def free_port() -> int:
    """A TCP port nobody listens on right now (127.0.0.1)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_settings(settings_dir: Path) -> None:
    """User settings: no news/update toast; widget state saved into the notebook file."""
    notification = settings_dir / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    widgets = settings_dir / "@jupyter-widgets" / "jupyterlab-manager"
    widgets.mkdir(parents=True, exist_ok=True)
    (widgets / "plugin.jupyterlab-settings").write_text(json.dumps({"saveState": True}))


def write_notebook(path: Path, cells: Sequence[str]) -> Path:
    """Write a notebook of code cells (with the project's Python kernel) to ``path``."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    notebook.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return path


# --- session fixtures -----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's test folder: JupyterLab's folders, Chromium's TMPDIR, the notebooks."""
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Any]:
    """The sandbox dispatcher, in this process, jobs taking a fraction of a second."""
    from oda_widgets.sandbox import start_sandbox

    server = start_sandbox(port=0, duration=0.05)
    yield server
    server.stop()


@dataclass
class JupyterLab:
    """A running JupyterLab: where it serves, its token, its notebook folder and its log."""

    url: str
    token: str
    root: Path
    log: Path
    process: subprocess.Popen = field(repr=False)

    def api(self, path: str, method: str = "GET") -> Any:
        """Call JupyterLab's REST API (JSON answer, or None when empty)."""
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback only
            body = answer.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut down every kernel (each test starts from a fresh one)."""
        try:
            for session in self.api("/api/sessions") or []:
                self.api(f"/api/sessions/{session['id']}", method="DELETE")
            for kernel in self.api("/api/kernels") or []:
                self.api(f"/api/kernels/{kernel['id']}", method="DELETE")
        except OSError:
            pass


@pytest.fixture(scope="session")
def jupyterlab(browser_dir: Path, sandbox: Any) -> Iterator[JupyterLab]:
    """JupyterLab on 127.0.0.1 with everything of its own under the test folder."""
    home = browser_dir / "lab"
    root = browser_dir / "notebooks"
    root.mkdir(parents=True, exist_ok=True)
    dirs = {
        "JUPYTER_CONFIG_DIR": home / "config",
        "JUPYTER_DATA_DIR": home / "data",
        "JUPYTER_RUNTIME_DIR": home / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": home / "settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / "workspaces",
        "IPYTHONDIR": home / "ipython",
        "HOME": home / "home",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    write_settings(dirs["JUPYTERLAB_SETTINGS_DIR"])
    env = {k: v for k, v in os.environ.items() if k not in ("ODA_TOKEN", "JUPYTER_TOKEN")}
    env.update({k: str(v) for k, v in dirs.items()})
    env["ODA_WIDGETS_SANDBOX_URL"] = sandbox.url
    env["ODA_WIDGETS_HOME"] = str(home / "oda_widgets")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["TMPDIR"] = str(browser_dir / "tmp")
    (browser_dir / "tmp").mkdir(exist_ok=True)
    port = free_port()
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={LAB_TOKEN}", f"--ServerApp.root_dir={root}",
        "--ServerApp.port_retries=0", "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
        # Notebook 7 (the notebook package's extension on the same server) exposes its app too
        "--JupyterNotebookApp.expose_app_in_browser=True",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = browser_dir / "jupyterlab.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                   cwd=root, start_new_session=True)
    lab = JupyterLab(f"http://127.0.0.1:{port}", LAB_TOKEN, root, log, process)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited ({process.returncode}):\n{log.read_text()[-3000:]}")
            try:
                lab.api("/api/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer in 90 s:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        yield lab
    finally:
        lab.shutdown_kernels()
        stop_process_group(process)


@pytest.fixture(scope="session")
def browser(browser_dir: Path) -> Iterator[Any]:
    """Chromium, headless, through Playwright's sync API."""
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: run scripts/setup (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed in this environment")
    tmp = browser_dir / "chromium-tmp"
    tmp.mkdir(exist_ok=True)
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
            env={**os.environ, "TMPDIR": str(tmp)},
        )
        yield launched
        launched.close()
    finally:
        playwright.stop()


# --- per test ---------------------------------------------------------------------------------------
class LabPage:
    """One browser tab on JupyterLab, with the helpers tests need.

    Attributes
    ----------
    page : playwright.sync_api.Page
        The tab.
    lab : JupyterLab
        The server.
    blocked : list of str
        Outside requests that were aborted.
    console : list of str
        Console errors and page errors.
    """

    def __init__(self, page: Any, lab: JupyterLab) -> None:
        self.page = page
        self.lab = lab
        self.blocked: list[str] = []
        self.console: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.console.append(f"{message.type}: {message.text}")

    # notebooks
    def write_notebook(self, name: str, cells: Sequence[str]) -> Path:
        """Write a notebook into JupyterLab's folder."""
        return write_notebook(self.lab.root / name, cells)

    def open_notebook(self, name: str, timeout: float = 60) -> None:
        """Open ``name`` alone (``?reset`` drops the last workspace) and wait for an idle kernel."""
        self.page.goto(f"{self.lab.url}/lab/tree/{name}?reset&token={self.lab.token}")
        self.page.locator(".jp-NotebookPanel").first.wait_for(timeout=timeout * 1000)
        self.wait_for_kernel_idle(timeout)

    def open_in_notebook7(self, name: str, timeout: float = 60) -> None:
        """Open ``name`` in Notebook 7 (``/notebooks/NAME``) and wait for an idle kernel."""
        self.page.goto(f"{self.lab.url}/notebooks/{name}?token={self.lab.token}")
        self.page.locator(".jp-NotebookPanel").first.wait_for(timeout=timeout * 1000)
        self.wait_for_kernel_idle(timeout)

    def wait_for_kernel_idle(self, timeout: float = 60) -> None:
        """Wait until the open notebook's kernel is connected and idle."""
        self.page.wait_for_function(
            """() => {
                const app = window.jupyterapp;
                const panel = app && app.shell.currentWidget;
                const kernel = panel && panel.sessionContext && panel.sessionContext.session
                    && panel.sessionContext.session.kernel;
                return !!kernel && kernel.connectionStatus === 'connected'
                    && kernel.status === 'idle';
            }""",
            timeout=timeout * 1000,
        )

    def run_all(self, timeout: float = 120) -> None:
        """Run every cell (``runmenu:run-all``) and wait until they have all run."""
        for _attempt in range(2):
            self.page.evaluate("() => window.jupyterapp.commands.execute('runmenu:run-all')")
            try:
                # a Run All issued while the kernel connection settles may run nothing: check
                # that the first prompt changes
                self.page.wait_for_function(
                    """() => {
                        const p = document.querySelector('.jp-CodeCell .jp-InputPrompt');
                        return p && /\\[(\\*|\\d+)\\]/.test(p.textContent);
                    }""",
                    timeout=15000,
                )
                break
            except Exception:  # noqa: BLE001 - Playwright's TimeoutError: issue it once more
                continue
        self.page.wait_for_function(
            """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                  .every(p => /\\[\\d+\\]/.test(p.textContent))""",
            timeout=timeout * 1000,
        )
        self.wait_for_kernel_idle(timeout)

    def run_code(self, code: str, timeout: float = 60) -> str:
        """Run ``code`` in the open notebook's kernel (not in a cell); return its printed text.

        An exception in the kernel comes back as ``"ERROR <name>: <value>"`` in the text.
        """
        return self.page.evaluate(
            """async ([code, timeout]) => {
                const panel = window.jupyterapp.shell.currentWidget;
                const kernel = panel.sessionContext.session.kernel;
                const future = kernel.requestExecute({code, store_history: false});
                let out = "";
                future.onIOPub = (msg) => {
                    const kind = msg.header.msg_type;
                    if (kind === "stream") out += msg.content.text;
                    if (kind === "error") out += `ERROR ${msg.content.ename}: ${msg.content.evalue}`;
                };
                const timer = new Promise((_, reject) =>
                    setTimeout(() => reject(new Error("kernel did not answer")), timeout * 1000));
                await Promise.race([future.done, timer]);
                return out;
            }""",
            [code, timeout],
        )

    def output(self, text: str) -> Any:
        """A locator for an output (not the cell source) containing ``text``."""
        return self.page.locator(".jp-OutputArea-output", has_text=text).first

    def wait_for_output_text(self, text: str, timeout: float = 60) -> Any:
        """Wait until an output shows ``text``; return its locator."""
        locator = self.output(text)
        locator.wait_for(timeout=timeout * 1000)
        return locator

    def save(self, timeout: float = 30) -> None:
        """Save the open notebook (with widget state when ``saveState`` is on)."""
        self.page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        self.page.wait_for_function(
            """() => {
                const panel = window.jupyterapp.shell.currentWidget;
                return panel && panel.context && !panel.context.model.dirty;
            }""",
            timeout=timeout * 1000,
        )

    def screenshot(self, name: str) -> Path:
        """Keep a full-page screenshot under ``test-output/browser/``."""
        OUTPUT.mkdir(parents=True, exist_ok=True)
        path = OUTPUT / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _route(blocked: list[str]):
    def handle(route: Any) -> None:
        url = route.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob") or parsed.hostname in LOOPBACK:
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    return handle


def _test_name(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)


@pytest.fixture
def lab(browser: Any, jupyterlab: JupyterLab,
        request: pytest.FixtureRequest) -> Iterator[LabPage]:
    """A fresh browser context on JupyterLab; screenshot and network log kept afterwards."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []
    context.route("**/*", _route(blocked))
    page = context.new_page()
    page.set_default_timeout(60000)
    lab_page = LabPage(page, jupyterlab)
    lab_page.blocked = blocked
    try:
        yield lab_page
    finally:
        name = _test_name(request)
        try:
            lab_page.screenshot(name)
        except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the test's result
            lab_page.console.append(f"screenshot failed: {exc}")
        report = "\n".join(
            [f"blocked outside requests ({len(blocked)}):", *blocked,
             f"console errors and warnings ({len(lab_page.console)}):", *lab_page.console]
        )
        OUTPUT.mkdir(parents=True, exist_ok=True)
        (OUTPUT / f"{name}.log").write_text(report + "\n")
        request.node.add_report_section("teardown", "browser network and console", report)
        context.close()
        jupyterlab.shutdown_kernels()
