"""Print HTML files to PDF with the Chromium the project installs (scripts/install-chromium.sh), one browser per batch.

Chromium's `--print-to-pdf` prints one page per process (~3 s each); a batch of notices instead drives one
headless browser over the DevTools protocol on a pipe (`--remote-debugging-pipe`: commands on fd 3,
answers on fd 4, each message ended by NUL), navigating one tab from file to file and calling
`Page.printToPDF`. The page's own CSS (@page size A4) decides the paper; the fonts used are embedded
(fonts-noto-cjk). Nothing of the page runs as script: the notices hold none, and JavaScript is disabled.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
STEP_TIMEOUT = 60.0  # seconds for one protocol answer (a page to load or print)


class PdfError(RuntimeError):
    """No Chromium, or it could not print: the HTML is kept and the notice is listed for the post."""


def chromium_path() -> str:
    """The Chromium to print with: CREDIT_CHROMIUM, else the one scripts/install-chromium.sh installs."""
    for candidate in (os.environ.get("CREDIT_CHROMIUM") or "", *CHROMIUM_CANDIDATES):
        found = shutil.which(candidate) if candidate else None
        if found:
            return found
    raise PdfError("未找到 Chromium：运行 scripts/install-chromium.sh（或设置 CREDIT_CHROMIUM）后再生成 PDF")


def _high(pair: tuple[int, int]) -> tuple[int, int]:
    """The pipe's ends moved to 10 and above, so that the child's `3<&x 4>&y` never overwrites one with the other (bash: dash refuses fds above 9)."""
    moved = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in pair)
    for fd in pair:
        os.close(fd)
    return moved[0], moved[1]


class _Browser:
    """One headless Chromium spoken to over the DevTools pipe."""

    def __init__(self, chromium: str, profile: str) -> None:
        to_child, self._write = _high(os.pipe())
        self._read, from_child = _high(os.pipe())
        command = ["/bin/bash", "-c", f'exec "$0" "$@" 3<&{to_child} 4>&{from_child}', chromium,
                   "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--no-first-run",
                   "--disable-javascript", "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank"]
        self.process = subprocess.Popen(command, pass_fds=(to_child, from_child), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child)
        os.close(from_child)
        self._buffer, self._next = b"", 0

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._message()
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise PdfError(f"Chromium {method}: {answer['error'].get('message')}")
                return dict(answer.get("result", {}))

    def wait_event(self, name: str) -> None:
        while self._message().get("method") != name:
            pass

    def _message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._read], [], [], STEP_TIMEOUT)
            chunk = os.read(self._read, 1 << 20) if ready else b""
            if not chunk:
                raise PdfError("Chromium 未响应（超时或已退出）")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(raw))

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (PdfError, OSError):
            pass
        finally:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            os.close(self._write)
            os.close(self._read)


def print_pdfs(pages: Sequence[tuple[Path, Path]], chromium: str | None = None) -> None:
    """Print each (html, pdf) pair: one browser, one tab, the pages in turn; raises PdfError."""
    if not pages:
        return
    with tempfile.TemporaryDirectory(prefix="credit-chromium-") as profile:
        browser = _Browser(chromium or chromium_path(), profile)
        try:
            target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            browser.call("Page.enable", session=session)
            for html, pdf in pages:
                browser.call("Page.navigate", {"url": html.resolve().as_uri()}, session=session)
                browser.wait_event("Page.loadEventFired")
                printed = browser.call("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True,
                                                           "displayHeaderFooter": False}, session=session)
                pdf.write_bytes(base64.b64decode(printed["data"]))
        finally:
            browser.close()
