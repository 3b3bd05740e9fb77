"""Open SOP pages in Chromium with the network blocked: flowcharts render, nothing leaves localhost."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from test_site_build import bundled_site  # noqa: F401  (shared session fixture)

from browserkit import Watch, browser, open_page, serve
from test_site_build import build

pytestmark = pytest.mark.browser

RENDERED = "[data-sop-mermaid-state=done], [data-sop-mermaid-state=error]"


def _show_mermaid(page) -> None:
    """Choose the Mermaid tab (the SOP-AP drawing is the default): sop.js then loads and draws it."""
    page.click("label.sop-tab-label[for$='-mermaid']")
    page.wait_for_selector(RENDERED, state="attached", timeout=30000)


def _check_page(ctx, url: str) -> Watch:
    watch = Watch()
    page = open_page(ctx, url, watch)
    _show_mermaid(page)
    states = page.eval_on_selector_all("[data-sop-mermaid]", "els => els.map(e => e.dataset.sopMermaidState)")
    assert states and all(s == "done" for s in states), (url, states, page.locator(".sop-mermaid-error").all_text_contents())
    assert page.locator(".sop-mermaid-svg svg").count() == len(states)
    assert page.locator(".sop-mermaid-svg svg g.node").count() >= 3
    # the Mermaid view follows the written order too: step n is drawn below step n-1
    nodes = page.eval_on_selector_all(".sop-mermaid-svg g.node",
                                      "gs => gs.map(g => [g.id, g.getBoundingClientRect().top])")
    tops = {int(m.group(1)): top for gid, top in nodes if (m := re.search(r"flowchart-s(\d+)-", gid))}
    assert len(tops) >= 3, nodes
    assert all(tops[n] > tops[n - 1] for n in sorted(tops)[1:] if n - 1 in tops), (url, tops)
    page.close()
    return watch


def test_every_bundled_sop_page_renders_offline(bundled_site: Path) -> None:
    from sop_plugin.corpus import load_corpus
    from sop_plugin.publish import published
    from sop_plugin.render.context import sop_slug
    from sop_plugin.settings import Settings

    root = Path(__file__).resolve().parent.parent / "sops"
    pages = [sop_slug(s.id) for s in published(load_corpus(root), Settings())]
    assert len(pages) >= 10
    with serve(bundled_site) as base, browser() as ctx:
        for name in pages:
            watch = _check_page(ctx, f"{base}sop/{name}/")
            assert watch.page_errors == [], (name, watch.page_errors)
            assert watch.console_errors == [], (name, watch.console_errors)
            assert watch.blocked == [], (name, watch.blocked)
            assert watch.dialogs == []


EVIL = [
    '<img src=x onerror=alert(1)>',
    '"]; click s1 call alert(2); x["',
    '</pre><script>alert(3)</script>',
    '%%{init: {"securityLevel": "loose"}}%%',
    'A --> B; end; subgraph X',
    '`**markdown** <b>bold</b>`',
    '#quot; &amp; #lt;script#gt;',
]


def _evil_corpus(root: Path) -> None:
    sops = root / "sops"
    sops.mkdir(parents=True)
    (sops / "units.yml").write_text(textwrap.dedent("""\
        umum:
          name: Bagian Umum <script>alert(9)</script>
          roles: [Staf, "Kepala <img src=x onerror=alert(8)>"]
        """), encoding="utf-8")
    steps = []
    for i, evil in enumerate(EVIL, start=1):
        actor = "Staf" if i % 2 else "Kepala <img src=x onerror=alert(8)>"
        steps.append(f"{i}. Langkah {evil}\n    - pelaksana: {actor}\n    - waktu: 1 jam\n"
                     f"    - output: Hasil {evil}\n    - keterangan: Catatan {evil}\n")
    steps[2] = steps[2].rstrip("\n") + f"\n    - keputusan: Lanjut {EVIL[0]}?\n        - Ya {EVIL[1]} -> 4\n        - Tidak -> 1\n"
    body = "\n".join(steps)
    (sops / "evil.md").write_text(textwrap.dedent("""\
        ---
        id: SOP-X-001
        title: "Uji <script>alert(5)</script> judul"
        unit: umum
        status: draft
        ---

        ## Tujuan

        Teks <img src=x onerror=alert(6)> dan [tautan](javascript:alert(7)) dan {: onclick="alert(10)" }

        <script>alert(11)</script>

        ## Prosedur

        """) + body, encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Uji\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(textwrap.dedent("""\
        site_name: Uji
        theme:
          name: material
          font: false
        markdown_extensions: [attr_list, toc]
        plugins:
          - search
          - sop:
              include_drafts: true
        """), encoding="utf-8")


def test_adversarial_labels_are_plain_text(tmp_path: Path) -> None:
    _evil_corpus(tmp_path)
    result = build(tmp_path, tmp_path / "site", strict=False)
    assert result.returncode == 0, result.stderr[-3000:]
    html = (tmp_path / "site" / "sop" / "sop-x-001" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert re.search(r"<img[^>]*onerror", html) is None
    assert "javascript:alert" not in html
    with serve(tmp_path / "site") as base, browser() as ctx:
        watch = _check_page(ctx, f"{base}sop/sop-x-001/")
        page = open_page(ctx, f"{base}sop/sop-x-001/", watch)
        _show_mermaid(page)
        svg_text = page.locator(".sop-mermaid-svg").inner_text()
        for needle in ("<img src=x onerror=alert(1)>", "</pre><script>alert(3)</script>"):
            assert needle in svg_text or needle in " ".join(svg_text.split())
        # the diagram has exactly the generated structure: one box per step, no injected click
        assert page.locator(".sop-mermaid-svg svg g.node").count() >= len(EVIL)
        assert page.locator("table.sop-steps tbody tr").count() == len(EVIL)
        # raw HTML in a free section passes the allow-list: the image stays, its handler does not
        assert page.locator("article img:not([onerror])").count() >= 1
        assert page.locator("article [onerror], article [onclick]").count() == 0
        page.mouse.move(10, 10)
        page.click("text=tautan")
        page.wait_for_timeout(300)
    assert watch.dialogs == []
    assert watch.page_errors == []
