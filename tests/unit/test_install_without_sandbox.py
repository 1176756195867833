"""A plain install (no ``sandbox`` extra, so no Flask): the client works, the sandbox says what to
install.

Flask is made unimportable for the test (``sys.modules[name] = None`` is how Python marks a module
that must not import), and the sandbox's own modules are dropped so they are imported afresh.
"""

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.unit

WITHOUT_FLASK = textwrap.dedent("""
    import sys
    sys.modules["flask"] = None
    sys.modules["werkzeug"] = None
""")


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WITHOUT_FLASK + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=120)


def test_the_client_and_the_widgets_need_no_flask():
    result = _run("""
        from oda_widgets import Dispatcher, QueryForm, SkyView
        disp = Dispatcher("https://www.astro.unige.ch/mmoda/dispatch-data")
        print(disp.url, QueryForm.__name__, SkyView.__name__)
        print(sorted(m for m in sys.modules if m.startswith(("flask", "werkzeug")) and sys.modules[m]))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "https://www.astro.unige.ch/mmoda/dispatch-data QueryForm SkyView", "[]"]


def test_asking_for_the_sandbox_names_the_extra():
    result = _run("""
        from oda_widgets import Dispatcher, OdaError
        try:
            Dispatcher("sandbox")
        except OdaError as exc:
            print(exc)
    """)
    assert result.returncode == 0, result.stderr
    assert 'pip install "oda_widgets[sandbox]"' in result.stdout


@pytest.mark.parametrize("command", [["sandbox", "--port", "0"], ["demo", "--no-browser"]])
def test_the_sandbox_commands_name_the_extra(command):
    result = _run(f"""
        from oda_widgets.cli import main
        sys.exit(main({command!r}))
    """)
    assert result.returncode == 2, result.stdout + result.stderr
    assert 'the sandbox dispatcher needs flask' in result.stderr or \
        'the sandbox dispatcher needs werkzeug' in result.stderr
    assert 'pip install "oda_widgets[sandbox]"' in result.stderr
    assert "Traceback" not in result.stderr
