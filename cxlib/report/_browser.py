"""Headless Chromium over the DevTools protocol on a pipe: screenshots of reports, and what a browser sees.

No network, no extra package: Chromium (Debian package ``chromium``) reads DevTools commands on file descriptor 3
and answers on 4 (``--remote-debugging-pipe``), messages separated by NUL bytes.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Self

from .._errors import CxInputError

__all__ = ["Chromium", "chromium_path", "write_screenshots"]


def chromium_path() -> str | None:
    """The Chromium executable (``chromium`` or ``chromium-browser`` on the PATH or in /usr/bin), or None."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
        if found:
            return found
    return None


class Tab:
    """One page opened in :class:`Chromium`: its DevTools events, JavaScript evaluation and screenshots."""

    def __init__(self, browser: Chromium, session: str, target: str):
        self.browser = browser
        self.session = session
        self.target = target

    def close(self) -> None:
        self.browser.call("Target.closeTarget", {"targetId": self.target})

    def call(self, method: str, params: dict | None = None, timeout: float = 30) -> dict:
        return self.browser.call(method, params, session=self.session, timeout=timeout)

    def evaluate(self, expression: str):
        """The value of a JavaScript expression (returned by value; JSON-serialisable results only)."""
        reply = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                               "awaitPromise": True})
        if "exceptionDetails" in reply:
            raise RuntimeError(f"JavaScript failed: {reply['exceptionDetails'].get('text')}: "
                               f"{reply['exceptionDetails'].get('exception', {}).get('description')}")
        return reply["result"].get("value")

    def screenshot(self, path) -> Path:
        """Write the visible part of the page (the viewport) as a PNG file."""
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        path = Path(path)
        path.write_bytes(base64.b64decode(data))
        return path

    @property
    def events(self) -> list[dict]:
        return [m for m in self.browser.events if m.get("sessionId") == self.session]

    def requests(self) -> list[str]:
        """Every URL the page asked for (the page itself first)."""
        return [m["params"]["request"]["url"] for m in self.events if m.get("method") == "Network.requestWillBeSent"]

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries (e.g. a blocked or failed load)."""
        out = []
        for m in self.events:
            method, params = m.get("method"), m.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                out.append(f"exception: {details.get('exception', {}).get('description') or details.get('text')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.append("console: " + " ".join(str(a.get("value", a.get("description", "")))
                                                  for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                out.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}".strip())
        return out


class Chromium:
    """Headless Chromium driven over the DevTools protocol on a pipe (a context manager).

    Parameters
    ----------
    width, height : int, default 1280 x 800
        The viewport of every page opened.
    executable : str, optional
        The browser; default :func:`chromium_path`.

    Examples
    --------
    >>> with Chromium() as browser:  # doctest: +SKIP
    ...     tab = browser.open("reports/journeys_helpdesk.html")
    ...     tab.evaluate("document.title")
    """

    def __init__(self, *, width: int = 1280, height: int = 800, executable: str | None = None):
        self.width, self.height = width, height
        self.executable = executable or chromium_path()
        if not self.executable:
            raise CxInputError("Chromium is not installed: install the Debian package 'chromium' (make test "
                               "does) to take screenshots of reports.")
        self.events: list[dict] = []
        self._buffer = b""
        self._counter = 0

    def __enter__(self) -> Self:
        self._profile = tempfile.TemporaryDirectory(prefix="cx-chromium-", ignore_cleanup_errors=True)
        r_cmd, self._w_cmd = os.pipe()
        self._r_res, w_res = os.pipe()
        # bash (whose redirections, unlike dash's, take descriptors above 9) wires our pipe ends to fds 3 and 4
        self._proc = subprocess.Popen(
            ["bash", "-c", f'exec "$0" "$@" 3<&{r_cmd} 4>&{w_res}', self.executable, "--headless",
             "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--disable-default-apps", "--hide-scrollbars",
             f"--window-size={self.width},{self.height}", f"--user-data-dir={self._profile.name}",
             "--remote-debugging-pipe", "about:blank"],
            pass_fds=(r_cmd, w_res), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(r_cmd)
        os.close(w_res)
        return self

    def __exit__(self, *exc) -> None:
        try:  # a clean exit takes the renderer processes with it
            self._send("Browser.close")
            self._proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        if self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGKILL)  # its own session: the browser and its helpers
            self._proc.wait()
        os.close(self._w_cmd)
        os.close(self._r_res)
        self._profile.cleanup()

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._counter += 1
        message = {"id": self._counter, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._w_cmd, json.dumps(message).encode() + b"\0")
        return self._counter

    def wait_for(self, done, timeout: float) -> dict | None:
        """Read messages until ``done(message)`` is true (that message is returned) or the time is up (None)."""
        end = time.monotonic() + timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                self.events.append(message)
                if message.get("method") == "Page.javascriptDialogOpening":  # never block on a dialog
                    self._send("Page.handleJavaScriptDialog", {"accept": True}, message.get("sessionId"))
                if done(message):
                    return message
            left = end - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._r_res], [], [], min(left, 0.2))
            if ready:
                chunk = os.read(self._r_res, 1 << 20)
                if not chunk:
                    return None
                self._buffer += chunk

    def call(self, method: str, params: dict | None = None, *, session: str | None = None,
             timeout: float = 30) -> dict:
        """Send a DevTools command and return its result."""
        ask = self._send(method, params, session)
        reply = self.wait_for(lambda m: m.get("id") == ask, timeout)
        if reply is None or "result" not in reply:
            raise RuntimeError(f"Chromium gave no answer to {method}: {reply}")
        return reply["result"]

    def open(self, page, *, javascript: bool = True, settle: float = 0.3) -> Tab:
        """Open a local HTML file in a new tab of the viewport's size; return when it has loaded."""
        page = Path(page)
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        tab = Tab(self, session, target)
        for method in ("Network.enable", "Page.enable", "Runtime.enable", "Log.enable"):
            tab.call(method)
        tab.call("Emulation.setDeviceMetricsOverride", {"width": self.width, "height": self.height,
                                                        "deviceScaleFactor": 1, "mobile": False})
        if not javascript:
            tab.call("Emulation.setScriptExecutionDisabled", {"value": True})
        tab.call("Page.navigate", {"url": page.resolve().as_uri()})
        loaded = self.wait_for(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == session,
                               60)
        if loaded is None:
            raise RuntimeError(f"{page} did not load in Chromium within 60 s")
        self.wait_for(lambda m: False, settle)  # late events: errors of deferred scripts
        return tab


def write_screenshots(folder="reports", *, names=None, width: int = 1280, height: int = 800) -> list[Path]:
    """Screenshots of the first screen of each report in a folder, as a reader sees it, into ``FOLDER/screenshots``.

    Parameters
    ----------
    folder : str or Path, default "reports"
        The report folder (``cx report -o``).
    names : list of str, optional
        Report names (file stems) to take; default every ``*.html`` but ``*.stale.html``.
    width, height : int, default 1280 x 800
        The browser window.

    Returns
    -------
    list of pathlib.Path
        The PNG files written (``screenshots/NAME.png``).

    Raises
    ------
    cxlib.CxInputError
        Chromium is not installed.

    Examples
    --------
    >>> write_screenshots("reports")  # doctest: +SKIP
    [PosixPath('reports/screenshots/index.png'), PosixPath('reports/screenshots/journeys_helpdesk.png'), ...]
    """
    folder = Path(folder)
    pages = ([folder / f"{n}.html" for n in names] if names is not None
             else sorted(p for p in folder.glob("*.html") if not p.name.endswith(".stale.html")))
    out_dir = folder / "screenshots"
    out_dir.mkdir(exist_ok=True)
    written = []
    with Chromium(width=width, height=height) as browser:
        for page in pages:
            tab = browser.open(page)
            written.append(tab.screenshot(out_dir / f"{page.stem}.png"))
            tab.close()
    return written
