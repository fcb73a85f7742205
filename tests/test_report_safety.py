"""Safe reports: customer text with script/HTML injection and PII goes through the CX dashboard notebook.

The HTML must show the payloads as text, carry no PII in owner reports and no URL of an external resource; opened
in headless Chromium (Debian package ``chromium``, installed by ``make test``) it must run no injected script and
request nothing from the network (watched over the DevTools protocol on a pipe).
"""

from __future__ import annotations

import html
import json
import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from cxlib.display import redact
from cxlib.report import external_resources, run_notebook

from .conftest import ROOT

pytestmark = pytest.mark.slow

NOTEBOOK = ROOT / "notebooks" / "04_cx_dashboard.ipynb"

# Each payload would change the page if it ran or was parsed as markup: a dialog, the title, a global, a request.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<script>document.title='PWNED';window.__pwned=1</script>",
    "<img src=x onerror=\"window.__pwned=1;document.title='PWNED'\">",
    "\"><svg onload=alert(1)>",
    "<img src=\"https://tracker.example/pixel.png\">",
    "<link rel=stylesheet href=\"https://evil.example/x.css\">",
]
# Already entity-encoded in the export: the dashboard decodes entities once, then must escape the result again.
ENCODED = "&lt;img src=x onerror=&quot;document.title='PWNED'&quot;&gt;"
PII = ["jan.jansen@example.nl", "+31 6 1234 5678", "NL91ABNA0417164300", "4111 1111 1111 1111"]

MODEL = """
project: Injection test shop
touchpoints:
  - name: Delivery
    owner: Logistics
    labels: [delivery]
    measures: [{measure: nps, target: 0, tolerance: 10, min_n: 2}]
  - name: Billing
    owner: Finance
    labels: [billing]
    measures: [{measure: nps, target: 0, tolerance: 10, min_n: 2}]
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("safety")
    rows = []
    for i, payload in enumerate(PAYLOADS):
        stage = "delivery" if i % 2 == 0 else "billing"
        # the payload is the topic and part of the verbatim, so it reaches the pain-point table twice
        rows.append({"stage": stage, "date": f"2024-0{1 + i % 2}-1{i}", "score": i % 4, "reason": payload,
                     "comment": f"Bad experience: {payload}"})
    rows.append({"stage": "delivery", "date": "2024-02-20", "score": 1, "reason": "encoded",
                 "comment": f"Encoded: {ENCODED}"})
    for j, pii in enumerate(PII):
        stage = "delivery" if j % 2 == 0 else "billing"
        rows.append({"stage": stage, "date": f"2024-02-0{j + 1}", "score": 2, "reason": "contact details",
                     "comment": f"Call me back about my refund, I am {pii}"})
    pd.DataFrame(rows).to_csv(folder / "feedback.csv", index=False)
    (folder / "model.yml").write_text(MODEL, encoding="utf-8")
    params = {
        "touchpoints_file": str(folder / "model.yml"), "log_file": "", "feedback_file": str(folder / "feedback.csv"),
        "columns": {"text": "comment", "date": "date", "label": "stage", "topic": "reason", "score": "score"},
        "link": ["label"], "period": "M", "top_pain_points": 20,
    }
    (folder / "params.yml").write_text(json.dumps(params), encoding="utf-8")
    return folder


def _run(project: Path, name: str, **parameters) -> str:
    result = run_notebook(NOTEBOOK, params_file=project / "params.yml", parameters=parameters,
                          outdir=project / "reports", name=name, progress=False, cwd=ROOT)
    assert result.status == "ok", result.error
    return result.html.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def overview_unredacted(project):
    """The overview with redaction off: escaping alone must keep every payload inert."""
    return _run(project, "overview_unredacted", owner="", redact=False)


@pytest.fixture(scope="module")
def owner_report(project):
    """An owner report: redaction is always on there, even when the parameter says otherwise."""
    return _run(project, "owner_logistics", owner="Logistics", redact=False)


def test_payloads_are_escaped_text(overview_unredacted, owner_report):
    for page in (overview_unredacted, owner_report):
        for payload in PAYLOADS:
            assert payload not in page
        assert not external_resources(page)
        assert "<svg onload" not in page and "<img src=x" not in page and "<img src=\"https" not in page
    # every payload is shown, as text, in the overview (redaction off: even the URLs stay, escaped)
    for payload in PAYLOADS:
        assert "Bad experience: " + html.escape(payload, quote=False) in overview_unredacted
    # the owner report shows its touchpoint's payloads (Delivery: the even ones), URLs redacted
    for payload in PAYLOADS[0::2]:
        shown = html.escape(redact(payload)[0], quote=False)
        assert "Bad experience: " + shown in owner_report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in owner_report
    # the entity-encoded payload is decoded once and escaped again: text, never markup
    for page in (overview_unredacted, owner_report):
        assert "Encoded: &lt;img src=x onerror=\"document.title='PWNED'\"&gt;" in page


def test_owner_report_has_no_pii_and_only_its_touchpoints(owner_report):
    for pii in PII:
        assert pii not in owner_report
    assert "[EMAIL]" in owner_report and "[IBAN]" in owner_report  # the PII rows of Delivery
    assert "Logistics" in owner_report
    # the run manifest (in the folded appendix) names the parameter files; the rest of the page only Delivery
    assert "Billing" not in re.sub(r"<details class='cx-manifest'>.*?</details>", "", owner_report, flags=re.DOTALL)


def test_redaction_is_on_by_default_in_the_overview(project):
    page = _run(project, "overview_default", owner="")
    for pii in PII:
        assert pii not in page
    for tag in ("[EMAIL]", "[PHONE]", "[IBAN]", "[CARD]"):
        assert tag in page


# --- headless Chromium over the DevTools protocol -----------------------------------------------------------------

def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
        if found:
            return found
    pytest.skip("chromium is not installed (make test installs the Debian package 'chromium')")


def open_in_chromium(page: Path, tmp_path: Path, settle: float = 2.0) -> tuple[list[dict], dict]:
    """Open ``page`` in headless Chromium; return every DevTools event and the page state after loading."""
    r_cmd, w_cmd = os.pipe()
    r_res, w_res = os.pipe()

    # Chromium reads commands on fd 3 and writes answers on fd 4: bash (whose redirections, unlike dash's, take
    # file descriptors above 9) wires our pipe ends to them
    proc = subprocess.Popen(
        ["bash", "-c", f'exec "$0" "$@" 3<&{r_cmd} 4>&{w_res}', _chromium(), "--headless", "--no-sandbox",
         "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--disable-default-apps", f"--user-data-dir={tmp_path / 'profile'}",
         "--remote-debugging-pipe", "about:blank"],
        pass_fds=(r_cmd, w_res), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(r_cmd)
    os.close(w_res)
    events: list[dict] = []
    buffer = b""
    counter = 0

    def send(method, params=None, session=None):
        nonlocal counter
        counter += 1
        message = {"id": counter, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(w_cmd, json.dumps(message).encode() + b"\0")
        return counter

    def read_until(done, timeout):
        nonlocal buffer
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                events.append(message)
                if message.get("method") == "Page.javascriptDialogOpening":  # an alert ran: record, dismiss
                    send("Page.handleJavaScriptDialog", {"accept": True}, message.get("sessionId"))
                if done(message):
                    return message
            ready, _, _ = select.select([r_res], [], [], 0.2)
            if ready:
                chunk = os.read(r_res, 1 << 20)
                if not chunk:
                    break
                buffer += chunk
        return None

    def answer(ask, timeout=10):
        reply = read_until(lambda m: m.get("id") == ask, timeout)
        assert reply is not None and "result" in reply, f"Chromium gave no answer over the DevTools pipe: {reply}"
        return reply["result"]

    try:
        target = answer(send("Target.createTarget", {"url": "about:blank"}), 30)["targetId"]
        session = answer(send("Target.attachToTarget", {"targetId": target, "flatten": True}))["sessionId"]
        for method in ("Network.enable", "Page.enable", "Runtime.enable"):
            answer(send(method, session=session))
        send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
        assert read_until(lambda m: m.get("method") == "Page.loadEventFired", 60), "the report did not load"
        read_until(lambda m: False, settle)  # let onerror/onload handlers fire
        state = answer(send("Runtime.evaluate", {"returnByValue": True, "expression": (
            "JSON.stringify({title: document.title, pwned: window.__pwned || null,"
            " svgs: document.querySelectorAll('svg[onload]').length,"
            " dom: (() => { const d = document.documentElement.cloneNode(true);"
            "   d.querySelectorAll('.cx-manifest').forEach(e => e.remove()); return d.outerHTML; })(),"
            " text: document.body.innerText,"
            " foreign: Array.from(document.querySelectorAll('[src],[href]')).map("
            "   e => e.getAttribute('src') || e.getAttribute('href'))"
            "   .filter(u => !/^(data:|#|[\\w.-]+\\.html$)/.test(u))})")}, session=session))
        state = json.loads(state["result"]["value"])
    finally:
        proc.kill()
        proc.wait()
        os.close(w_cmd)
        os.close(r_res)
    return events, state


@pytest.mark.parametrize("report", ["overview_unredacted", "owner_logistics"])
def test_chromium_runs_no_injected_script_and_fetches_nothing(project, overview_unredacted, owner_report,
                                                                report, tmp_path):
    page = project / "reports" / f"{report}.html"
    events, state = open_in_chromium(page, tmp_path)
    requests = [m["params"]["request"]["url"] for m in events if m.get("method") == "Network.requestWillBeSent"]
    assert requests, "the DevTools protocol reported no request at all: the watch is not working"
    assert requests[0] == page.resolve().as_uri()
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    assert not [m for m in events if m.get("method") == "Page.javascriptDialogOpening"], "an alert() ran"
    assert state["title"] != "PWNED" and state["pwned"] is None
    assert state["svgs"] == 0
    assert state["foreign"] == [], state["foreign"]
    # file: requests other than the page itself would mean an injected <img src=x> was parsed as markup
    assert [u for u in requests if u.startswith("file:")] == [page.resolve().as_uri()]


def test_the_watch_catches_an_unsafe_page(tmp_path):
    """The same check on a page that does run the payloads: it must see the dialog, the title and the request."""
    bad = tmp_path / "bad.html"
    bad.write_text("<html><head><title>t</title></head><body>" + "".join(PAYLOADS) + "</body></html>",
                   encoding="utf-8")
    events, state = open_in_chromium(bad, tmp_path)
    requests = [m["params"]["request"]["url"] for m in events if m.get("method") == "Network.requestWillBeSent"]
    assert any(url.startswith("https://tracker.example/") for url in requests)
    assert [m for m in events if m.get("method") == "Page.javascriptDialogOpening"]
    assert state["title"] == "PWNED" and state["pwned"] == 1


# --- owner reports from hostile input: colliding owner names, PII in every field, read in a real browser ---------

HOSTILE_PII = ["0171-12-3456", "card4111111111111111", "4111.1111.1111.1111", "de89 3704 0044 0532 0130 00",
               "jörg@müller.de", "+49 (0)171 1234567", "030/1234567", "anna.schmidt@example.com"]
# what must not survive anywhere, whatever the separators: the digit runs and the addresses
PII_CORES = ["0171", "123456", "4111", "3704", "0532", "jörg@", "müller.de", "030/", "anna.schmidt"]

COLLIDING_MODEL = """
project: Colliding owners
touchpoints:
  - name: Delivery
    owner: Sales / Digital
    labels: [delivery]
    measures: [{measure: nps, target: 0, tolerance: 10, min_n: 2}]
  - name: Billing
    owner: Sales & Digital
    labels: [billing]
    measures: [{measure: nps, target: 0, tolerance: 10, min_n: 2}]
"""


@pytest.fixture(scope="module")
def colliding(tmp_path_factory):
    from cxlib.report import owner_entries

    folder = tmp_path_factory.mktemp("colliding")
    rows = []
    for i, pii in enumerate(HOSTILE_PII):
        for stage, marker in (("delivery", "PARCELONLY"), ("billing", "INVOICEONLY")):
            rows.append({"stage": stage, "date": f"2024-0{1 + i % 2}-1{i}", "score": i % 4,
                         "reason": f"{marker} reach me at {pii}", "customer": pii,
                         "comment": f"{marker} {'<script>alert(1)</script>' if i == 0 else ''} "
                                    f"call me back: {pii}"})
    rows.append({"stage": "call 0171-12-3456 or jörg@müller.de", "date": "2024-02-01", "score": 1,
                 "reason": "unlinked", "customer": "x", "comment": "UNLINKED text"})
    pd.DataFrame(rows).to_csv(folder / "feedback.csv", index=False)
    (folder / "model.yml").write_text(COLLIDING_MODEL, encoding="utf-8")
    params = {"touchpoints_file": str(folder / "model.yml"), "log_file": "", "feedback_file": str(folder / "feedback.csv"),
              "columns": {"text": "comment", "date": "date", "label": "stage", "topic": "reason",
                          "score": "score", "case_id": "customer"},
              "link": ["label"], "period": "M", "top_pain_points": 20}
    (folder / "dashboard_colliding.yml").write_text(json.dumps(params), encoding="utf-8")
    entries = owner_entries(folder / "dashboard_colliding.yml")
    pages = {}
    for entry in entries:
        result = run_notebook(NOTEBOOK, params_file=entry["params"], parameters=entry["overrides"],
                              outdir=folder / "reports", name=entry["name"], progress=False, cwd=ROOT)
        assert result.status == "ok", result.error
        pages[entry["overrides"]["owner"]] = result.html
    return pages


def test_colliding_owner_names_get_their_own_reports_with_only_their_part(colliding):
    sales_digital, sales_and_digital = colliding["Sales / Digital"], colliding["Sales & Digital"]
    assert sales_digital != sales_and_digital and sales_digital.exists() and sales_and_digital.exists()
    first, second = sales_digital.read_text(), sales_and_digital.read_text()
    assert "PARCELONLY" in first and "INVOICEONLY" not in first
    assert "INVOICEONLY" in second and "PARCELONLY" not in second
    overview = colliding[""].read_text()
    assert sales_digital.name in overview and sales_and_digital.name in overview   # the links route right


@pytest.mark.parametrize("owner", ["", "Sales / Digital", "Sales & Digital"])
def test_no_pii_reaches_the_rendered_page(colliding, owner, tmp_path):
    page = colliding[owner]
    events, state = open_in_chromium(page, tmp_path)
    requests = [m["params"]["request"]["url"] for m in events if m.get("method") == "Network.requestWillBeSent"]
    assert requests and [u for u in requests if not u.startswith("data:")] == [page.resolve().as_uri()]
    assert not [m for m in events if m.get("method") == "Page.javascriptDialogOpening"]
    # the page as the browser built it, less the run manifest (file hashes are hex digits) and inline images
    dom = re.sub(r"data:[^\"' )]+", "data:", state["dom"])
    for pii in HOSTILE_PII + PII_CORES:
        assert pii not in dom, f"{pii!r} reached the rendered page of {owner or 'the overview'}"
    assert "[PHONE]" in state["text"] or "[EMAIL]" in state["text"]
