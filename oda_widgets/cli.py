"""The ``oda-widgets`` command: a sandbox dispatcher, tokens for it, and the demo.

``oda-widgets sandbox [--port N] [--duration S] [--protocol current|1.3.3] [--faults SPEC] [--secret S]``
serves a sandbox dispatcher in the foreground; ``oda-widgets sandbox token --roles general,...``
prints a token for it (same ``--secret``); ``oda-widgets demo`` starts a sandbox and JupyterLab on
``notebooks/`` with ``ODA_WIDGETS_SANDBOX_URL`` pointing at it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import webbrowser
from pathlib import Path

SANDBOX_URL_VARIABLE = "ODA_WIDGETS_SANDBOX_URL"
SECRET_VARIABLE = "ODA_WIDGETS_SANDBOX_SECRET"


def _serve(args: argparse.Namespace) -> int:
    from werkzeug.serving import run_simple

    from oda_widgets.sandbox.app import create_app
    from oda_widgets.sandbox.faults import FaultSpecError
    from oda_widgets.sandbox.tokens import make_token, new_secret

    secret = args.secret or os.environ.get(SECRET_VARIABLE) or new_secret()
    try:
        app = create_app(secret, seconds_per_scw=args.duration, generation=args.protocol,
                         faults=args.faults)
    except FaultSpecError as e:
        print(f"oda-widgets sandbox: --faults: {e}", file=sys.stderr)
        return 2
    url = f"http://{args.host}:{args.port}"
    print(f"ODA sandbox dispatcher at {url}", flush=True)
    print(f"  secret: {secret}", flush=True)
    print(f"  a token (roles general, 24 h): {make_token(secret, ['general'])}", flush=True)
    print(f"  use it with: export {SANDBOX_URL_VARIABLE}={url}", flush=True)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)
    return 0


def _token(args: argparse.Namespace) -> int:
    from oda_widgets.sandbox.tokens import make_token

    secret = args.secret or os.environ.get(SECRET_VARIABLE)
    if not secret:
        print("oda-widgets sandbox token: give the sandbox's --secret (or set "
              f"{SECRET_VARIABLE}); the sandbox prints it when it starts", file=sys.stderr)
        return 2
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    print(make_token(secret, roles, email=args.email, name=args.name, hours=args.hours))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from oda_widgets.sandbox import start_sandbox

    sandbox = start_sandbox(args.port, duration=args.duration)
    notebooks = Path(args.notebooks).resolve()
    env = dict(os.environ, **{SANDBOX_URL_VARIABLE: sandbox.url, SECRET_VARIABLE: sandbox.secret})
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={notebooks}",
               f"--ServerApp.port={args.lab_port}", "--ServerApp.open_browser=False"]
    print(f"ODA sandbox dispatcher at {sandbox.url}; starting JupyterLab on {notebooks}", flush=True)
    lab = subprocess.Popen(command, env=env)
    if not args.no_browser:
        threading.Timer(3.0, webbrowser.open, [f"http://localhost:{args.lab_port}/lab"]).start()
    try:
        return lab.wait()
    except KeyboardInterrupt:
        # JupyterLab got the same Ctrl-C; let it finish its own shutdown
        try:
            return lab.wait(timeout=15)
        except subprocess.TimeoutExpired:
            lab.terminate()
            return lab.wait()
    finally:
        sandbox.stop()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oda-widgets", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    sandbox = commands.add_parser("sandbox", help="serve a sandbox ODA dispatcher")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765)
    sandbox.add_argument("--duration", type=float, default=2.0,
                         help="simulated seconds of analysis per science window (default 2)")
    sandbox.add_argument("--protocol", choices=["current", "1.3.3"], default="current")
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
    demo.add_argument("--lab-port", type=int, default=8888)
    demo.add_argument("--duration", type=float, default=2.0)
    demo.add_argument("--notebooks", default="notebooks")
    demo.add_argument("--no-browser", action="store_true")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``oda-widgets`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
