"""QueryForm in real JupyterLab and Chromium, against the sandbox dispatcher over HTTP."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FORM_CELLS = [
    "from oda_widgets.client.dispatcher import Dispatcher\n"
    "from oda_widgets.widgets import QueryForm\n"
    "dispatcher = Dispatcher(url='sandbox')\n"
    "form = QueryForm(dispatcher, instrument='isgri', product='isgri_image')\n"
    "submitted = []\n"
    "form.on_submit(submitted.append)\n"
    "form",
]


def open_form(lab, name: str):
    """Write the form notebook as ``name``, open it, run it, wait for the form; return the page."""
    lab.write_notebook(name, FORM_CELLS)
    lab.open_notebook(name)
    lab.run_all()
    page = lab.page
    page.locator(".oda-form .oda-field-RA input").wait_for()
    return page


def field(page, name: str):
    return page.locator(f".oda-form .oda-field-{name}")


def submit_button(page):
    return page.locator(".oda-form .oda-actions button", has_text=re.compile(r"^\s*Submit\s*$"))


def test_isgri_form_renders_labelled_fields_with_units(lab):
    page = open_form(lab, "form_renders.ipynb")
    for name, units in (("RA", "deg"), ("DEC", "deg"), ("T1", "ISOT"), ("T2", "ISOT"),
                        ("E1_keV", "keV"), ("E2_keV", "keV")):
        row = field(page, name)
        row.wait_for()
        assert row.locator("label").first.inner_text().strip(), name
        assert units in row.locator(".oda-units").inner_text(), name
        assert row.locator("input").input_value() != "", name
    assert page.locator(".oda-form select").count() >= 2  # instrument and product selectors
    assert submit_button(page).is_enabled()
    lab.screenshot("isgri_form")


def test_a_wrong_ra_shows_the_server_message_and_disables_submit(lab):
    page = open_form(lab, "form_wrong_ra.ipynb")
    ra = field(page, "RA")
    ra.locator("input").fill("a")
    message = ra.locator(".oda-message")
    message.locator("text=could not convert string to float").wait_for()
    text = message.inner_text()
    assert "⚠" in text and "Parameter RA wrong value a." in text
    page.wait_for_function(
        "() => [...document.querySelectorAll('.oda-form .oda-actions button')]"
        ".some(b => b.textContent.trim() === 'Submit' && b.disabled)"
    )
    # the reason is its own widget update, which may arrive after the button's
    expect(page.locator(".oda-form .oda-submit-reason")).to_contain_text(
        re.compile(r"Fix 1 field: R"), timeout=60000
    )
    lab.screenshot("form_ra_error")
    ra.locator("input").fill("83.633")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.oda-form .oda-actions button')]"
        ".some(b => b.textContent.trim() === 'Submit' && !b.disabled)"
    )
    expect(message).not_to_contain_text("could not convert", timeout=60000)
    # as it is typed, the angle is shown in degrees beside the field (hours named by the text)
    ra.locator("input").fill("5h34m31.94s")
    expect(message).to_contain_text("= 83.633083°", timeout=60000)


# a query the sandbox has science windows for (the Galactic-centre exposure of March 2003)
GALACTIC_CENTRE = {"RA": "255.98", "DEC": "-37.84", "T1": "2003-03-15T23:27:40",
                   "T2": "2003-03-16T00:03:12"}


def ask_sandbox_about(sandbox, job_id: str) -> tuple[int, dict]:
    """Poll the sandbox for ``job_id`` as a client would; return the HTTP status and the answer."""
    query = {"instrument": "isgri", "product_type": "isgri_image", "query_type": "Real",
             "job_id": job_id, "query_status": "submitted", **GALACTIC_CENTRE}
    address = f"{sandbox.url}/run_analysis?{urllib.parse.urlencode(query)}"
    try:
        with urllib.request.urlopen(address, timeout=30) as answer:  # noqa: S310 - loopback only
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"{}")


def test_a_valid_query_submits_a_job(lab, sandbox):
    page = open_form(lab, "form_submit.ipynb")
    for name, value in GALACTIC_CENTRE.items():
        field(page, name).locator("input").fill(value)
    submit_button(page).click()
    status = page.locator(".oda-form .oda-status")
    page.locator(".oda-form .oda-status", has_text=re.compile(r"Submitted job [0-9a-f]{16}")).wait_for(
        timeout=120000
    )
    job_id = re.search(r"Submitted job ([0-9a-f]{16})", status.inner_text()).group(1)
    # the dispatcher took every parameter: no field carries a refusal
    assert page.locator(".oda-form .oda-field .oda-error-text").count() == 0
    assert "refused" not in status.inner_text()

    # the job exists on the dispatcher: a poll for it is answered, one for an unknown id refused
    code, answer = ask_sandbox_about(sandbox, job_id)
    assert code == 200, answer
    assert answer["job_monitor"]["job_id"] == job_id
    assert answer["query_status"] in ("submitted", "progress", "ready"), answer
    unknown = job_id[::-1]
    code, answer = ask_sandbox_about(sandbox, unknown)
    assert code == 400 and "InvalidJobIDProvided" in answer.get("error", ""), answer

    # the form follows it to the end, its products decoded
    page.locator(".oda-form .oda-status", has_text=f"Submitted job {job_id} (done)").wait_for(
        timeout=120000
    )
    assert "failed" not in status.inner_text()

    # the form stays usable: another value can be typed and checked at once
    field(page, "DEC").locator("input").fill("x")
    field(page, "DEC").locator("text=could not convert").wait_for()


def test_the_mjd_switch_converts_t1_and_t2_and_back(lab):
    page = open_form(lab, "form_mjd.ipynb")
    t1, t2 = field(page, "T1").locator("input"), field(page, "T2").locator("input")
    isot = t1.input_value(), t2.input_value()
    assert all(re.match(r"\d{4}-\d\d-\d\dT", value) for value in isot)
    field(page, "T_format").locator("button", has_text="MJD").click()
    page.wait_for_function(
        "() => ['T1', 'T2'].every(name => /^\\d+(\\.\\d+)?$/.test("
        "document.querySelector(`.oda-form .oda-field-${name} input`).value))"
    )
    from astropy.time import Time

    mjd = float(t1.input_value()), float(t2.input_value())
    assert mjd[0] == pytest.approx(Time(isot[0], format="isot").mjd, abs=1e-6)
    assert mjd[1] == pytest.approx(Time(isot[1], format="isot").mjd, abs=1e-6)
    expect(field(page, "T1").locator(".oda-units")).to_contain_text("MJD")
    lab.screenshot("form_mjd_switched")
    field(page, "T_format").locator("button", has_text="ISOT").click()
    page.wait_for_function(
        "() => ['T1', 'T2'].every(name => /T/.test("
        "document.querySelector(`.oda-form .oda-field-${name} input`).value))"
    )
    assert Time(t1.input_value()).isot == Time(isot[0]).isot
    assert Time(t2.input_value()).isot == Time(isot[1]).isot


def test_resolve_fills_ra_and_dec_for_crab(lab):
    page = open_form(lab, "form_resolve.ipynb")
    field(page, "src_name").locator("input").fill("Crab")
    field(page, "src_name").locator("button", has_text="Resolve").click()
    page.wait_for_function(
        "() => Math.abs(parseFloat("
        "document.querySelector('.oda-form .oda-field-RA input').value) - 83.633) < 0.01"
        " && Math.abs(parseFloat("
        "document.querySelector('.oda-form .oda-field-DEC input').value) - 22.0145) < 0.01"
    )
    dec = float(field(page, "DEC").locator("input").input_value())
    assert dec == pytest.approx(22.0145, abs=0.01)
    field(page, "src_name").locator("input").fill("No Such Source 123")
    field(page, "src_name").locator("button", has_text="Resolve").click()
    field(page, "src_name").locator(".oda-message", has_text="could not be resolved").wait_for()


def test_a_typed_token_is_not_in_the_saved_notebook(lab, sandbox):
    page = open_form(lab, "form_token.ipynb")
    token = sandbox.make_token(roles=["general"], name="Browser Tester")
    field(page, "RA").locator("input").fill("12.345678")
    password = page.locator(".oda-form .oda-token-input input")
    # typed but not committed: it stays in the browser's input, not in widget state
    password.fill(token)
    lab.save()
    saved = (lab.lab.root / "form_token.ipynb").read_text()
    assert token not in saved
    # committed with Enter: the kernel takes it, clears the widget, shows who is logged in
    password.press("Enter")
    page.locator(".oda-form .oda-token-status", has_text="Browser Tester").wait_for()
    expect(password).to_have_value("", timeout=60000)
    lab.save()
    saved = (lab.lab.root / "form_token.ipynb").read_text()
    state = json.loads(saved)["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    assert len(state["state"]) > 20  # the form's widgets were saved with their state
    models = [m for m in state["state"].values() if m.get("model_name") == "PasswordModel"]
    assert models and all(m["state"].get("value", "") == "" for m in models)
    # control: a value typed into a text field does reach the saved state
    assert "12.345678" in saved
    assert token not in saved
    assert token.split(".")[1] not in saved and token.split(".")[2] not in saved


def test_check_with_the_dispatcher_and_show_code_without_the_token(lab, sandbox):
    page = open_form(lab, "form_check.ipynb")
    token = sandbox.make_token(roles=["general"], name="Code Reader")
    page.locator(".oda-form .oda-token-input input").fill(token)
    page.locator(".oda-form .oda-token-input input").press("Enter")
    page.locator(".oda-form .oda-token-status", has_text="Code Reader").wait_for()
    field(page, "RA").locator("input").fill("83.633")
    page.locator(".oda-form .oda-actions button", has_text="Check with the dispatcher").click()
    status = page.locator(".oda-form .oda-status")
    # the dispatcher's dry run in one sentence: what it would run (the query's words, not its
    # bookkeeping); the typed RA is in the code below
    status.locator("text=The dispatcher accepts this query").wait_for()
    assert "The dispatcher accepts this query: isgri_image, 1E 1740.7-2942" in status.inner_text()
    page.locator(".oda-form .oda-actions button", has_text="Show code").click()
    code = page.locator(".oda-form .oda-code pre")
    code.wait_for()
    text = code.inner_text()
    assert "isgri_image" in text and "83.633" in text
    assert token not in text and token not in page.content()
    lab.screenshot("form_show_code")



# --- accessibility: labels, tooltips, keyboard only ----------------------------------------------
# One control as a user (or a screen reader) meets it: the field row it sits in, its accessible name
# (visible <label>s associated with it, aria-labelledby, aria-label, or a button's own text), and the
# tooltip a pointer over it shows (its own title or, as browsers do, the nearest ancestor's).
DESCRIBE_JS = r"""
const describe = (el) => {
  const row = el.closest('.oda-field');
  const rowClass = row ? [...row.classList].find(c => c.startsWith('oda-field-')) : null;
  const shown = (node) => node.getClientRects().length > 0;
  const labels = [...(el.labels || [])].filter(shown)
    .map(l => l.textContent.trim()).filter(Boolean);
  const labelledBy = (el.getAttribute('aria-labelledby') || '').split(/\s+/)
    .map(id => id && document.getElementById(id)).filter(Boolean)
    .map(l => l.textContent.trim());
  const own = el.tagName === 'BUTTON' ? el.textContent.trim() : '';
  const titled = el.closest('[title]');
  return {
    tag: el.tagName.toLowerCase(),
    field: rowClass ? rowClass.slice('oda-field-'.length) : null,
    name: [...labels, ...labelledBy, el.getAttribute('aria-label') || '', own]
      .filter(Boolean).join(' | '),
    visibleLabel: labels.length > 0 || (own !== '' && shown(el)),
    title: titled ? titled.getAttribute('title') : '',
    disabled: !!el.disabled,
  };
};
"""
CONTROLS_JS = (
    "(root) => {" + DESCRIBE_JS + "return [...root.querySelectorAll('input, select, button, textarea')]"
    ".filter(el => el.getClientRects().length > 0).map(describe); }"
)
ACTIVE_JS = (
    "() => {" + DESCRIBE_JS + "const el = document.activeElement || document.body;"
    "return {...describe(el), inForm: !!el.closest('.oda-form')}; }"
)


def key_of(control: dict) -> str:
    return f"{control['field'] or 'form'}: {control['name']}"


def press_until_focused(page, key: str, wanted, limit: int = 40) -> list[dict]:
    """Press ``key`` until the focused control satisfies ``wanted``; return the controls passed.

    Fails, naming every control the focus went through, when it leaves the form or ``limit``
    presses do not get there.
    """
    path = []
    for _ in range(limit):
        page.keyboard.press(key)
        active = page.evaluate(ACTIVE_JS)
        path.append(active)
        assert active["inForm"], f"{key} left the form: {[key_of(c) for c in path]}"
        if wanted(active):
            return path
    raise AssertionError(f"{limit} x {key} did not get there: {[key_of(c) for c in path]}")


def focused_on(field_name: str | None, name: str | None = None):
    return lambda active: active["field"] == field_name and (name is None or active["name"] == name)


def wait_for_submit(page, enabled: bool) -> None:
    page.wait_for_function(
        "(enabled) => [...document.querySelectorAll('.oda-form .oda-actions button')]"
        ".some(b => b.textContent.trim() === 'Submit' && b.disabled === !enabled)",
        arg=enabled,
    )


def test_the_form_is_labelled_and_usable_with_the_keyboard_only(lab):
    page = open_form(lab, "form_keyboard.ipynb")
    area = page.locator(".jp-OutputArea-output", has=page.locator(".oda-form")).first

    # every control of the output area: a visible label (or its own text) and a tooltip
    controls = area.evaluate(CONTROLS_JS)
    assert len(controls) >= 20, controls  # selectors, token, every field, the actions
    assert [key_of(c) for c in controls if not c["visibleLabel"]] == []
    assert [key_of(c) for c in controls if not c["title"].strip()] == []
    inputs = {c["field"]: c for c in controls if c["field"] and c["tag"] != "button"}
    assert inputs["RA"]["name"] == "RA" and "[deg]" in inputs["RA"]["title"]
    assert inputs["DEC"]["name"] == "Dec" and "[deg]" in inputs["DEC"]["title"]
    assert "[keV]" in inputs["E1_keV"]["title"]
    assert "[keV]" in inputs["E2_keV"]["title"]
    reachable = {key_of(c) for c in controls if not c["disabled"]}

    # the one click: it puts the focus into the output area (Source name); keys only from here
    ra_input = field(page, "RA").locator("input")
    good_ra = ra_input.input_value()
    field(page, "src_name").locator("input").click()
    visited = [page.evaluate(ACTIVE_JS)]
    assert focused_on("src_name")(visited[0]), visited
    # up to the instrument selector, then down to RA
    visited += press_until_focused(page, "Shift+Tab", focused_on(None, "Instrument"))
    visited += press_until_focused(page, "Tab", focused_on("RA"))

    # Chromium selects a text field's value when the keyboard focuses it: typing replaces it
    page.keyboard.type("a")
    assert ra_input.input_value() == "a"
    page.keyboard.press("Tab")
    assert focused_on("DEC")(page.evaluate(ACTIVE_JS))
    message = field(page, "RA").locator(".oda-message")
    expect(message).to_contain_text("could not convert string to float", timeout=60000)
    assert "⚠ Parameter RA wrong value a." in message.inner_text()
    assert message.locator("[role=alert]").count() == 1  # read out by screen readers too
    wait_for_submit(page, enabled=False)
    expect(page.locator(".oda-form .oda-submit-reason")).to_contain_text(
        "⚠ Fix 1 field: RA", timeout=60000
    )
    lab.screenshot("form_keyboard_ra_error")

    page.keyboard.press("Shift+Tab")
    assert focused_on("RA")(page.evaluate(ACTIVE_JS))
    page.keyboard.type(good_ra)
    assert ra_input.input_value() == good_ra
    # a disabled button takes no focus: wait for the kernel to enable Submit before tabbing to it
    wait_for_submit(page, enabled=True)
    expect(message).not_to_contain_text("⚠", timeout=60000)
    visited += press_until_focused(page, "Tab", focused_on(None, "Submit"))
    # the actions after Submit, and back
    visited += press_until_focused(page, "Tab", focused_on(None, "Show code"), limit=3)
    press_until_focused(page, "Shift+Tab", focused_on(None, "Submit"), limit=3)
    assert reachable - {key_of(c) for c in visited} == set()  # every control was on the way
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Submit"

    page.keyboard.press("Enter")
    page.locator(
        ".oda-form .oda-status", has_text=re.compile(r"Submitted job [0-9a-f]{16}")
    ).wait_for(timeout=120000)
    lab.screenshot("form_keyboard_submitted")
