"""A share link to a dispatcher the client does not know opens its form in JupyterLab with the
notice that no token was sent there, and the token box to give one."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_a_share_link_to_an_unknown_host_says_no_token_was_sent(lab, sandbox):
    lab.write_notebook("share_link.ipynb", [
        "import os\n"
        "from oda_widgets.widgets.form import QueryForm\n"
        "link = os.environ['ODA_WIDGETS_SANDBOX_URL'] + "
        "'?instrument=isgri&product_type=isgri_image&RA=83.63&DEC=22.01'\n"
        "form = QueryForm.from_url(link)\n"
        "form",
    ])
    lab.open_notebook("share_link.ipynb")
    lab.run_all()
    notice = lab.page.locator(".oda-status", has_text="not an ODA site this client knows")
    notice.wait_for(timeout=60_000)
    text = notice.inner_text()
    assert "your ODA token was not sent to it" in text and "token box" in text
    assert lab.page.locator(".oda-param-RA input").input_value() == "83.63"
    # said where the token is given, too
    beside_the_box = lab.page.get_by_text("so your token was not sent there")
    beside_the_box.wait_for(timeout=30_000)
    assert "paste one here if you trust it" in beside_the_box.inner_text()
    lab.screenshot("share_link_notice")
