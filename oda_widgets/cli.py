"""The ``oda-widgets`` command: a sandbox dispatcher, tokens for it, and the demo.

``oda-widgets sandbox [--port N] [--duration S] [--generation 1.3.6|1.3.3] [--faults SPEC] [--secret S]``
serves a sandbox dispatcher in the foreground; ``oda-widgets sandbox token --roles general,...``
prints a token for it (same ``--secret``); ``oda-widgets demo`` starts a sandbox and JupyterLab on
a copy of ``notebooks/`` (so the originals stay as they are: outputs and files go to the copy)
with ``ODA_WIDGETS_SANDBOX_URL`` pointing at it and JupyterLab's news and update toast off, prints
the addresses to open, and stops both on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import webbrowser
from pathlib import Path

__all__ = ["main"]

SANDBOX_URL_VARIABLE = "ODA_WIDGETS_SANDBOX_URL"
SECRET_VARIABLE = "ODA_WIDGETS_SANDBOX_SECRET"

#: What the ``sandbox`` extra installs for the sandbox dispatcher (see pyproject.toml).
SANDBOX_MODULES = frozenset({"flask", "werkzeug"})


def _serve(args: argparse.Namespace) -> int:
    from werkzeug.serving import run_simple

    from .sandbox.app import create_app
    from .sandbox.faults import FaultSpecError
    from .sandbox.tokens import make_token, new_secret

    secret = args.secret or os.environ.get(SECRET_VARIABLE) or new_secret()
    try:
        app = create_app(secret, seconds_per_scw=args.duration, generation=args.generation,
                         faults=args.faults)
    except FaultSpecError as e:
        print(f"oda-widgets sandbox: --faults: {e}", file=sys.stderr)
        return 2
    url = f"http://{args.host}:{args.port}"
    print(f"ODA sandbox dispatcher at {url}", flush=True)
    print(f"  secret: {secret}", flush=True)
    print(f"  a token (roles general, 24 h): {make_token(secret, ['general'])}", flush=True)
    print(f"  use it with: export {SANDBOX_URL_VARIABLE}={url}", flush=True)
    from .sandbox.server import PathOnlyLogHandler

    run_simple(args.host, args.port, app, threaded=True, use_reloader=False,
               request_handler=PathOnlyLogHandler)
    return 0


def _token(args: argparse.Namespace) -> int:
    from .sandbox.tokens import make_token

    secret = args.secret or os.environ.get(SECRET_VARIABLE)
    if not secret:
        print("oda-widgets sandbox token: give the sandbox's --secret (or set "
              f"{SECRET_VARIABLE}); the sandbox prints it when it starts", file=sys.stderr)
        return 2
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    print(make_token(secret, roles, email=args.email, name=args.name, hours=args.hours))
    return 0


def _free_port(host: str, wanted: int) -> int:
    """``wanted`` if it can be bound on ``host``, else a free port (0 always gives a free one)."""
    for port in (wanted, 0) if wanted else (0,):
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise OSError(f"no free port on {host}")


def _lab_ready(url: str, token: str, lab: subprocess.Popen, limit_s: float = 120.0) -> bool:
    """Wait until JupyterLab answers ``/api/status`` (False if it exited or never answered)."""
    import requests

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and lab.poll() is None:
        try:
            if requests.get(f"{url}/api/status", params={"token": token}, timeout=2).ok:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


class _Stop(Exception):
    """SIGTERM or SIGHUP: stop the demo as Ctrl-C does."""


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop(signal.Signals(signum).name)


def _demo_folder(source: Path, workdir: str | None) -> tuple[Path, Path]:
    """A copy of ``source`` to run the demo in, and JupyterLab settings of the demo's own.

    Returns the notebooks' folder and the settings folder. The copy leaves out checkpoints;
    the settings turn off JupyterLab's "news?" toast and its update check (the demo is offline).
    """
    base = Path(workdir).resolve() if workdir else Path(tempfile.mkdtemp(prefix="oda-widgets-demo-"))
    notebooks = base / "notebooks"
    shutil.copytree(source, notebooks, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    settings = base / "jupyterlab-settings"
    notification = settings / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return notebooks, settings


def _demo(args: argparse.Namespace) -> int:
    from .sandbox import start_sandbox

    source = Path(args.notebooks).resolve()
    if not source.is_dir():
        print(f"oda-widgets demo: no folder {source}; give --notebooks PATH (the notebooks/ "
              "folder of the oda_widgets repository)", file=sys.stderr)
        return 2
    notebooks, settings = _demo_folder(source, args.workdir)
    host = "127.0.0.1"
    lab_port = _free_port(host, args.lab_port)
    if args.lab_port and lab_port != args.lab_port:
        print(f"port {args.lab_port} is busy: JupyterLab will use {lab_port}", flush=True)
    lab_token = secrets.token_hex(24)
    lab_url = f"http://{host}:{lab_port}"
    # SIGTERM (e.g. `kill`, a container stopping) and SIGHUP (terminal closed) stop both servers
    # cleanly instead of killing this process and leaving JupyterLab behind.
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGHUP, _raise_stop)
    sandbox = start_sandbox(args.port, duration=args.duration)
    lab: subprocess.Popen | None = None
    try:
        # the Jupyter token goes through the environment, not the command line other users see
        env = dict(os.environ, JUPYTER_TOKEN=lab_token, JUPYTERLAB_SETTINGS_DIR=str(settings),
                   **{SANDBOX_URL_VARIABLE: sandbox.url, SECRET_VARIABLE: sandbox.secret})
        command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={notebooks}",
                   f"--ServerApp.ip={host}", f"--ServerApp.port={lab_port}",
                   "--ServerApp.port_retries=0", "--ServerApp.open_browser=False",
                   # no "would you like news?" prompt and no update check: the demo is offline
                   "--LabApp.news_url=None",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # containers often run as root; JupyterLab refuses to unless told it is wanted
            command.append("--ServerApp.allow_root=True")
        print(f"ODA sandbox dispatcher: {sandbox.url}  (simulated INTEGRAL data, "
              f"{args.duration:g} s per science window)", flush=True)
        print(f"starting JupyterLab on {notebooks}, a copy of {source} (what you run and save "
              "stays in the copy) ...", flush=True)
        # its own session: Ctrl-C reaches this process only, which then stops JupyterLab
        # without its interactive "Shut down this Jupyter server (y/[n])?" question
        lab = subprocess.Popen(command, env=env, start_new_session=True)
        if not _lab_ready(lab_url, lab_token, lab):
            print("oda-widgets demo: JupyterLab did not start (see its messages above)",
                  file=sys.stderr)
            return 1
        link = f"{lab_url}/lab/tree/explorer.ipynb?token={lab_token}"
        print("\n" + "\n".join([
            "The demo is running:",
            f"  JupyterLab:          {link}",
            f"  sandbox dispatcher:  {sandbox.url}  (the notebooks' Dispatcher(url=\"sandbox\"))",
            f"  notebooks (a copy):  {notebooks}",
            "Press Ctrl-C to stop both.",
        ]) + "\n", flush=True)
        if not args.no_browser:
            webbrowser.open(link)
        return lab.wait()
    except (KeyboardInterrupt, _Stop):
        return 0
    finally:
        if lab is not None and lab.poll() is None:
            lab.terminate()  # JupyterLab shuts its kernels down on SIGTERM
            try:
                lab.wait(timeout=30)
            except subprocess.TimeoutExpired:
                lab.kill()
                lab.wait()
        sandbox.stop()
        print("demo stopped: JupyterLab and the sandbox dispatcher are down; the notebooks as "
              f"you left them are in {notebooks}", flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oda-widgets", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    sandbox = commands.add_parser("sandbox", help="serve a sandbox ODA dispatcher")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765)
    sandbox.add_argument("--duration", type=float, default=2.0,
                         help="simulated seconds of analysis per science window (default 2)")
    # the sandbox's generation names (sandbox/generations.py), written out: the parser must
    # not import the sandbox, whose Flask may be missing. --protocol and "current" are the
    # former names of the option and of 1.3.6, still read.
    sandbox.add_argument("--generation", "--protocol", dest="generation", default="1.3.6",
                         choices=["1.3.6", "1.3.3", "current"], metavar="{1.3.6,1.3.3}",
                         help="dispatcher generation to speak (default 1.3.6)")
    sandbox.add_argument("--faults", default=None,
                         help='fault plan, e.g. "isgri_spectrum:failed,rate=0.2:http503"')
    sandbox.add_argument("--secret", default=None, help="token secret (random by default)")
    sandbox.set_defaults(run=_serve)
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command")
    token = sandbox_commands.add_parser("token", help="print a token for a sandbox")
    token.add_argument("--roles", default="general", help="comma-separated roles")
    token.add_argument("--email", default="student@sandbox.local")
    token.add_argument("--name", default="sandbox user")
    token.add_argument("--hours", type=float, default=24.0)
    token.add_argument("--secret", default=None, help="the sandbox's secret")
    token.set_defaults(run=_token)

    demo = commands.add_parser("demo", help="sandbox dispatcher + JupyterLab on notebooks/")
    demo.add_argument("--port", type=int, default=0, help="sandbox port (default: a free one)")
    demo.add_argument("--lab-port", type=int, default=8888,
                      help="JupyterLab port (default 8888, or a free one if it is busy; 0: free)")
    demo.add_argument("--duration", type=float, default=2.0)
    demo.add_argument("--notebooks", default="notebooks",
                      help="the notebooks to copy and open (notebooks/ of the repository)")
    demo.add_argument("--workdir", default=None,
                      help="where the copy goes (a new temporary folder by default)")
    demo.add_argument("--no-browser", action="store_true")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``oda-widgets`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").partition(".")[0]
        if missing not in SANDBOX_MODULES:
            raise
        print(f"oda-widgets: the sandbox dispatcher needs {missing}, which is not installed: "
              "pip install \"oda_widgets[sandbox]\"", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
