"""The interactive walkthrough in Chromium: offline, text-only insertion, decisions, elapsed time, export."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from browserkit import Watch, browser, open_page, serve
from sop_plugin.corpus import load_corpus
from sop_plugin.parsing import parse_sop
from sop_plugin.pipeline import Portal
from sop_plugin.render.context import RenderContext
from sop_plugin.render.walkthrough import walkthrough_block
from sop_plugin.settings import Settings

ASSET = Path(__file__).resolve().parents[1] / "sop_plugin" / "assets" / "sop-walkthrough.js"

HOSTILE = "Mengisi formulir </script><img src=x onerror=alert(1)> & lainnya"

SOP = f"""\
---
id: SOP-TEST-001
title: Uji Walkthrough
unit: u1
status: draft
---

## Prosedur

1. {HOSTILE}
    - pelaksana: Pemohon
    - kelengkapan: Formulir; KTP
    - waktu: 15 menit
    - output: Formulir terisi

2. Memeriksa berkas.
    - pelaksana: Petugas
    - waktu: 1-2 jam
    - keputusan: Berkas lengkap?
        - Ya (80%) -> 3
        - Tidak -> 1

3. Menyetujui permohonan.
    - pelaksana: Kepala
    - waktu: 30 menit
"""

UNITS = "u1:\n  name: Unit Satu\n  roles: [Pemohon, Petugas, Kepala]\n"


def build_site(tmp_path: Path, lang: str) -> Path:
    sops = tmp_path / "sops"
    sops.mkdir(exist_ok=True)
    (sops / "units.yml").write_text(UNITS, encoding="utf-8")
    (sops / "a.md").write_text(SOP, encoding="utf-8")
    corpus = load_corpus(sops)
    ctx = RenderContext.of(Portal.of(corpus, Settings(lang=lang)))
    html = walkthrough_block(corpus.sops[0], ctx)
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    shutil.copy(ASSET, site / "sop-walkthrough.js")
    shutil.copy(ASSET.with_name("sop.js"), site / "sop.js")  # the plugin loads sop.js first
    theme_lang = "id" if lang == "en" else "en"  # the theme's language differs: the plugin's option wins
    (site / "index.html").write_text(textwrap.dedent(f"""\
        <!doctype html>
        <html lang="{theme_lang}"><head><meta charset="utf-8"><title>t</title><link rel="icon" href="data:,">
        <script>
          // stands in for mkdocs-material's document$ (instant navigation): it replays the
          // current document to a new subscriber and emits again after each navigation
          window.document$ = {{ subscribe: function (fn) {{ window.__navigated = fn; fn(); }} }};
        </script>
        </head><body>
        <main id="content">{html}</main>
        <script src="sop.js"></script>
        <script src="sop-walkthrough.js"></script>
        </body></html>
        """), encoding="utf-8")
    return site


def text(page, selector: str) -> str:
    return page.locator(selector).first.text_content().strip()


@pytest.mark.browser
def test_walkthrough_with_a_decision_and_a_loop(tmp_path):
    site = build_site(tmp_path, "id")
    watch = Watch()
    with serve(site) as url, browser() as ctx:
        ctx_dl = ctx
        page = open_page(ctx_dl, url + "index.html", watch)
        root = ".sop-walkthrough"
        start = page.locator(f"{root} .sop-walkthrough-start")
        assert start.is_enabled()
        start.click()
        # step 1: number, activity as text (not markup), actor, inputs, output, duration
        assert text(page, ".sop-walkthrough-step-no") == "Langkah 1 dari 3"
        assert text(page, ".sop-walkthrough-activity") == HOSTILE
        assert page.locator(".sop-walkthrough-panel img").count() == 0
        assert text(page, ".sop-walkthrough-actor") == "Pemohon"
        assert page.locator(".sop-walkthrough-inputs li").all_text_contents() == ["Formulir", "KTP"]
        assert text(page, ".sop-walkthrough-output") == "Formulir terisi"
        assert page.locator(".sop-walkthrough-minutes").input_value() == "15"
        assert text(page, ".sop-walkthrough-duration") == "15 menit"  # said once, not "15 menit (15 menit)"
        page.locator(".sop-walkthrough-next").click()
        # step 2: a decision with one button per branch, elapsed so far = 15 min
        assert text(page, ".sop-walkthrough-step-no") == "Langkah 2 dari 3"
        assert text(page, ".sop-walkthrough-question") == "Berkas lengkap?"
        assert page.locator(".sop-walkthrough-choice").all_text_contents() == ["Ya", "Tidak"]
        assert text(page, ".sop-walkthrough-elapsed") == "15 menit"
        assert page.locator(".sop-walkthrough-minutes").input_value() == "90"
        assert text(page, ".sop-walkthrough-duration") == "1\u20132 jam (1 jam 30 menit)"  # a range: what it counts as
        # on a phone the step fits the screen: each label above its value, nothing pushed sideways
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        labels = page.locator(".sop-walkthrough-fields dt").evaluate_all(
            "dts => dts.map(dt => [dt.getBoundingClientRect().left, dt.nextElementSibling.getBoundingClientRect().top"
            " - dt.getBoundingClientRect().bottom])")
        assert all(gap >= 0 for _, gap in labels) and len({round(left) for left, _ in labels}) == 1
        page.set_viewport_size({"width": 1280, "height": 800})
        page.locator('.sop-walkthrough-choice[data-label="Tidak"]').click()
        # back at step 1; this time it took 20 minutes
        assert text(page, ".sop-walkthrough-step-no") == "Langkah 1 dari 3"
        assert text(page, ".sop-walkthrough-path") == "1 → 2 → 1"
        page.locator(".sop-walkthrough-minutes").fill("20")
        page.locator(".sop-walkthrough-next").click()
        page.locator('.sop-walkthrough-choice[data-label="Ya"]').click()
        assert text(page, ".sop-walkthrough-actor") == "Kepala"
        page.locator(".sop-walkthrough-next").click()
        # summary: 15 + 90 + 20 + 90 + 30 = 245 minutes; planned 240
        assert text(page, ".sop-walkthrough-summary .sop-walkthrough-path") == "1 → 2 → 1 → 2 → 3 → selesai"
        assert text(page, ".sop-walkthrough-summary .sop-walkthrough-elapsed") == "4 jam 5 menit"
        assert text(page, ".sop-walkthrough-summary .sop-walkthrough-planned") == "4 jam"
        snippet = page.locator(".sop-walkthrough-yaml").input_value()
        with page.expect_download() as dl:
            page.locator(".sop-walkthrough-download").click()
        exported = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
        # print: window.print is called on the summary (stubbed: headless has no dialog)
        page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
        page.locator(".sop-walkthrough-print").click()
        assert page.evaluate("window.__printed") == 1
    assert exported["path"] == [1, 2, 1, 2, 3]
    assert exported["elapsed_minutes"] == 245 and exported["planned_minutes"] == 240
    assert exported["end"] == {"after_step": 3, "label": None}
    assert [s["choice"] for s in exported["steps"]] == [None, "Tidak", None, "Ya", None]
    assert exported["sop"] == "SOP-TEST-001" and exported["yaml"] == snippet
    # the snippet is front matter the parser accepts as a simulation record
    entry = yaml.safe_load(snippet)["simulasi"][0]
    assert entry["result"] == "pass" and "1 → 2 → 1 → 2 → 3 → selesai" in entry["findings"]
    with_sim = SOP.replace("status: draft\n", "status: draft\n" + snippet)
    sop = parse_sop("b.md", with_sim)
    assert not [d for d in sop.diagnostics if d.severity.value == "error"]
    assert sop.simulations[0].passed and "4 jam 5 menit" in sop.simulations[0].findings
    assert watch.console_errors == [] and watch.page_errors == [] and watch.dialogs == []
    assert watch.blocked == []


@pytest.mark.browser
def test_walkthrough_english_back_button_and_instant_navigation(tmp_path):
    site = build_site(tmp_path, "en")
    watch = Watch()
    with serve(site) as url, browser() as ctx:
        page = open_page(ctx, url + "index.html", watch)
        page.locator(".sop-walkthrough-start").click()
        assert text(page, ".sop-walkthrough-step-no") == "Step 1 of 3"
        page.locator(".sop-walkthrough-next").click()
        assert text(page, ".sop-walkthrough-elapsed") == "15 minutes"  # as the page writes durations
        page.locator(".sop-walkthrough-back").click()
        assert text(page, ".sop-walkthrough-step-no") == "Step 1 of 3"
        assert text(page, ".sop-walkthrough-elapsed") == "0 minutes"
        # instant navigation swaps the content and emits on document$: the new block starts up too
        page.evaluate("""() => {
            const main = document.getElementById('content');
            const old = main.querySelector('.sop-walkthrough');
            const fresh = old.cloneNode(true);
            fresh.removeAttribute('data-sop-walkthrough-ready');
            fresh.querySelector('.sop-walkthrough-panel').replaceChildren();
            fresh.querySelector('.sop-walkthrough-panel').hidden = true;
            fresh.querySelector('.sop-walkthrough-start').disabled = true;
            main.replaceChildren(fresh);
            window.__navigated();
        }""")
        page.locator(".sop-walkthrough-start").click()
        assert text(page, ".sop-walkthrough-step-no") == "Step 1 of 3"
    assert watch.console_errors == [] and watch.page_errors == [] and watch.blocked == []
