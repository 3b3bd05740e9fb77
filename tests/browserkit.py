"""Browser test support: serve a built site on 127.0.0.1 and open it in Debian's Chromium.

Every request that does not go to the local server is aborted and recorded,
so a test can assert that a page works offline and fetches nothing outside.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = os.environ.get("SOP_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip without Chromium on a developer machine; fail in CI, where .ci/run installs it."""
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run must install Debian's chromium")
    pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free loopback port; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Watch:
    """What a page did that a test may want to forbid."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@contextlib.contextmanager
def browser(javascript: bool = True) -> Iterator[object]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            ctx = b.new_context(java_script_enabled=javascript)
            yield ctx
            ctx.close()
        finally:
            b.close()


def open_page(context: object, url: str, watch: Watch | None = None) -> object:
    """A new page with offline routing and error capture; navigates to ``url``."""
    watch = watch if watch is not None else Watch()
    page = context.new_page()

    def route(r: object) -> None:
        req_url = r.request.url
        if req_url.startswith(("http://127.0.0.1:", "data:", "blob:", "about:")):
            r.continue_()
        else:
            watch.blocked.append(req_url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))

    def on_dialog(d: object) -> None:
        watch.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url, wait_until="load")
    page.watch = watch  # type: ignore[attr-defined]
    return page


def assert_cards_on_a_phone(page, url: str, selector: str) -> None:
    """The first table matching ``selector`` at ``url`` is a card per row at 390 px (no header, nothing off
    to the side, a row's cells stacked, each labelled by its column) and a table at 1366 px."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url, wait_until="domcontentloaded")
    table = page.locator(selector).first
    assert not table.locator("thead").is_visible(), url
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1"), url  # nothing off to the side
    row = table.locator("tbody tr").first
    cells = row.evaluate("tr => Array.from(tr.children).filter(c => c.getClientRects().length)"
                         ".map(c => [Math.round(c.getBoundingClientRect().left), c.hasAttribute('data-label'), "
                         "getComputedStyle(c, '::before').content])")
    assert len({left for left, *_ in cells}) == 1, (url, cells)  # stacked
    labels = [label for _, labelled, label in cells if labelled]
    assert labels and all(label.endswith(': "') or label == '"Langkah "' for label in labels), (url, cells)
    page.set_viewport_size({"width": 1366, "height": 900})
    assert table.locator("thead").is_visible(), url
