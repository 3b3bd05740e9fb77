"""Reading an SOP on screen (issue 12), measured in Chromium on the bundled portal.

Every bundled SOP page is opened in its default view (the SOP-AP drawing):
symbols follow step order, no text is smaller than 11 CSS px, no flow line
crosses a symbol it does not connect, and each row's drawing is exactly as
tall as its row at 1366 and 900 px.  At 390 px no page of the portal scrolls
sideways.  The palette toggle restyles the diagrams without a reload, a page
of many diagrams answers the reader while they are drawn, and pages that
show no Mermaid diagram never request Mermaid.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from test_site_build import LONG_COMMIT_SUBJECT, bundled_site  # noqa: F401  (shared session fixture)

from browserkit import Watch, assert_cards_on_a_phone, browser, open_page, serve

pytestmark = pytest.mark.browser

MIN_PX = 11.0


@pytest.fixture(scope="module")
def sop_pages() -> list[str]:
    from sop_plugin.corpus import load_corpus
    from sop_plugin.publish import published
    from sop_plugin.render.context import sop_slug
    from sop_plugin.settings import Settings

    root = Path(__file__).resolve().parent.parent / "sops"
    pages = [f"sop/{sop_slug(s.id)}/" for s in published(load_corpus(root), Settings()) if s.steps]
    assert len(pages) >= 10
    return pages


# -- what the page shows, read from the DOM ------------------------------------------------

GEOMETRY = """() => {
  const num = (el, k) => parseFloat(el.getAttribute(k));
  const symbols = Array.from(document.querySelectorAll('.sop-tab-panel-sopap g.sopap-sym'))
    .filter(g => g.getClientRects().length).map(g => ({
    step: g.getAttribute('data-step'), ref: g.getAttribute('data-ref'), kind: g.getAttribute('data-kind'),
    cx: num(g, 'data-cx'), cy: num(g, 'data-cy'), w: num(g, 'data-w'), h: num(g, 'data-h'),
    top: g.getBoundingClientRect().top, row: g.closest('svg').getAttribute('data-row')}));
  const lines = Array.from(document.querySelectorAll('.sop-tab-panel-sopap path.sopap-line[data-from]')).map(p => ({
    from: p.getAttribute('data-from'), to: p.getAttribute('data-to'), d: p.getAttribute('d'),
    row: p.closest('svg').getAttribute('data-row')}));
  const rows = Array.from(document.querySelectorAll('.sop-tab-panel-sopap tr.sopap-row')).map(tr => {
    const td = tr.querySelector('td.sopap-lanes').getBoundingClientRect();
    const svg = tr.querySelector('svg.sopap-svg').getBoundingClientRect();
    return {step: tr.getAttribute('data-step'), td: [td.top, td.height], svg: [svg.top, svg.height]};
  });
  return {symbols, lines, rows};
}"""

SMALL_TEXT = """(min) => {
  const out = [];
  const walker = document.createTreeWalker(document.querySelector('.md-content'), NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    if (!el || !el.getClientRects().length || el.closest('title, style, script, [hidden]')) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none') continue;
    const ctm = el.closest('svg') && el.closest('svg').getScreenCTM();
    const scale = ctm ? Math.abs(ctm.d) : 1;
    const px = parseFloat(cs.fontSize) * scale;
    if (px < min - 0.01) out.push(`${el.tagName}.${el.getAttribute('class') || ''} ${px.toFixed(1)}px: ${n.textContent.trim().slice(0, 40)}`);
  }
  return out;
}"""


def _points(d: str) -> list[tuple[float, float]]:
    nums = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(nums[0::2], nums[1::2]))


def _incident(sym: dict, line: dict) -> bool:
    ends = {line["from"], line["to"]}
    if sym["step"] is not None and sym["step"] in ends:
        return True
    # capsules, handover connectors: "start" -> 1, n -> "end", n -> "handover" (the one under step n)
    if sym["ref"] == "start" and "start" in ends:
        return True
    if sym["ref"] == "end" and "end" in ends:
        return True
    if sym["ref"] == "handover" and ("handover" in ends or (line["from"].isdigit()
                                                          and sym["row"] == str(int(line["from"]) - 1))):
        return True
    return False


def _crosses(a: tuple[float, float], b: tuple[float, float], sym: dict, inset: float = 1.0) -> bool:
    x0, x1 = sym["cx"] - sym["w"] / 2 + inset, sym["cx"] + sym["w"] / 2 - inset
    y0, y1 = sym["cy"] - sym["h"] / 2 + inset, sym["cy"] + sym["h"] / 2 - inset
    if abs(a[1] - b[1]) < 0.01:  # horizontal
        return y0 < a[1] < y1 and min(a[0], b[0]) < x1 and max(a[0], b[0]) > x0
    return x0 < a[0] < x1 and min(a[1], b[1]) < y1 and max(a[1], b[1]) > y0


def _row_problems(path: str, geo: dict) -> list[str]:
    out = []
    for r in geo["rows"]:
        (t_top, t_h), (s_top, s_h) = r["td"], r["svg"]
        if abs(t_top - s_top) > 0.5 or abs(t_h - s_h) > 0.5:
            out.append(f"{path} row {r['step']}: cell {t_top:.1f}+{t_h:.1f}, drawing {s_top:.1f}+{s_h:.1f}")
    # consecutive rows touch: a line leaving one row's bottom enters the next row's top
    for a, b in zip(geo["rows"], geo["rows"][1:]):
        if abs(a["td"][0] + a["td"][1] - b["td"][0]) > 1.0:
            out.append(f"{path}: gap between rows {a['step']} and {b['step']}")
    return out


GROWN = """() => Array.from(document.querySelectorAll('.sop-tab-panel-sopap tr.sopap-row'))
  .filter(tr => tr.getBoundingClientRect().height > parseFloat(tr.dataset.h) + 1).length"""


def test_default_view_follows_step_order_readable_and_uncrossed(bundled_site: Path, sop_pages: list[str]) -> None:
    """At 1366 px (then 900 px for the row drawings), every bundled SOP in its default view."""
    problems: list[str] = []
    grown = {1366: 0, 900: 0}
    with serve(bundled_site) as base, browser() as ctx:
        page = ctx.new_page()
        for path in sop_pages:
            page.set_viewport_size({"width": 1366, "height": 900})
            page.goto(base + path, wait_until="load")
            # the default tab is the SOP-AP drawing
            assert page.locator(".sop-tab-panel-sopap").first.is_visible(), path
            assert not page.locator(".sop-tab-panel-mermaid").first.is_visible(), path
            geo = page.evaluate(GEOMETRY)
            steps = sorted((int(s["step"]), s) for s in geo["symbols"] if s["step"] is not None)
            assert len(steps) >= 3, path
            # node positions follow step order: step n is below step n-1 (page and table coordinates)
            for (n0, s0), (n1, s1) in zip(steps, steps[1:]):
                assert n1 == n0 + 1, (path, n0, n1)
                if not (s1["top"] > s0["top"] and s1["cy"] > s0["cy"]):
                    problems.append(f"{path}: step {n1} is not below step {n0}")
            # no text below 11 CSS px anywhere in the page's content
            small = page.evaluate(SMALL_TEXT, MIN_PX)
            problems += [f"{path}: {t}" for t in small[:5]]
            # no flow line passes through a symbol it does not connect
            for line in geo["lines"]:
                pts = _points(line["d"])
                for a, b in zip(pts, pts[1:]):
                    for sym in geo["symbols"]:
                        if not _incident(sym, line) and _crosses(a, b, sym):
                            problems.append(f"{path}: line {line['from']}->{line['to']} crosses "
                                            f"{sym['kind']} {sym['step'] or sym['ref']}")
            # SOP-AP table: Mutu Baku and Keterangan inside the visible frame at 1366 px
            right = page.evaluate("""() => {
              const f = document.querySelector('.sop-tab-panel-sopap [data-sop-frame]').getBoundingClientRect();
              const n = document.querySelector('.sop-tab-panel-sopap th.sopap-h-notes').getBoundingClientRect();
              return [f.right, n.right, document.documentElement.clientWidth];
            }""")
            if right[1] > right[0] + 0.5 or right[1] > right[2]:
                problems.append(f"{path}: Keterangan column ends at {right[1]:.0f} px, frame at {right[0]:.0f}")
            # each row's drawing is exactly as tall as its row, however the text wraps
            problems += _row_problems(path, geo)
            grown[1366] += page.evaluate(GROWN)
            page.set_viewport_size({"width": 900, "height": 900})
            problems += _row_problems(f"{path} (900 px)", page.evaluate(GEOMETRY))
            grown[900] += page.evaluate(GROWN)
        page.close()
    assert not problems, "\n".join(problems[:40])
    # the text really makes rows taller than the drawing's own estimate: the check above is not idle
    assert grown[1366] > 0 and grown[900] > 0, grown


def test_no_page_scrolls_sideways_on_a_phone(bundled_site: Path) -> None:
    pages = sorted(p.parent.relative_to(bundled_site).as_posix() for p in bundled_site.rglob("index.html")
                   if "assets" not in p.parts)
    assert len(pages) > 30
    wide: list[str] = []
    with serve(bundled_site) as base, browser() as ctx:
        page = ctx.new_page()
        page.set_viewport_size({"width": 390, "height": 844})
        # layout only: the theme's search index and worker are not needed for it
        page.route(re.compile(r".*(search_index\.json|/workers/).*"), lambda r: r.abort())
        for rel in pages:
            page.goto(base + ("" if rel == "." else rel + "/"), wait_until="domcontentloaded")
            sw = page.evaluate("document.documentElement.scrollWidth")
            if sw > 390:
                wide.append(f"{rel}: {sw}")
        # SOP pages show step cards: actor, time and the next step stacked, no table header
        page.goto(base + "sop/sop-umum-001/", wait_until="load")
        assert not page.locator("table.sop-steps thead").is_visible()
        card = page.locator("tr.sop-step").nth(1)
        assert card.locator("td.sop-col-actor").is_visible() and card.locator(".sop-card-next").is_visible()
        label = card.locator("td.sop-col-no").evaluate("td => getComputedStyle(td, '::before').content")
        assert label == '"Langkah "', label  # the card reads "Langkah 2", not "No 2"
        boxes = card.evaluate("tr => Array.from(tr.children).filter(td => td.getClientRects().length)"
                              ".map(td => td.getBoundingClientRect().left)")
        assert len(set(round(x) for x in boxes)) == 1  # stacked, not side by side
        # an SOP number in a view's narrow column stays whole: SOP-AKD-002, never SOP-AKD- | 002
        for rel in ("relasi/", "katalog/", "dokumen/"):
            page.goto(base + rel, wait_until="domcontentloaded")
            lines = page.locator(".sop-portal .sop-id, .sop-portal .sop-ref").evaluate_all(
                "els => els.filter(e => e.offsetParent).map(e => [e.textContent, "
                "new Set(Array.from(e.getClientRects(), r => Math.round(r.top))).size])")
            assert lines, rel
            wide += [f"{rel}: {text} on {n} lines" for text, n in lines if n > 1]
        page.close()
    assert not wide, wide


def test_the_audit_trail_is_a_table_on_a_laptop_and_cards_on_a_phone(bundled_site: Path) -> None:
    """Each SOP page ends with its audit trail: revisions, signatures and git commits, whose subjects
    hold paths and options that do not wrap.  Dates are written in the reader's language, on one line."""
    if not shutil.which("git"):
        pytest.skip("git is not installed: the bundled site has no commits")
    with serve(bundled_site) as base, browser() as ctx:
        page = ctx.new_page()
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(base + "sop/sop-umum-004/", wait_until="domcontentloaded")
        trail = page.locator("table.sop-audit-trail")
        commit = trail.locator("tr.sop-audit-commit")
        assert commit.count() == 1 and LONG_COMMIT_SUBJECT in commit.inner_text()
        assert trail.locator("thead").is_visible()
        dates = trail.locator("td.sop-audit-when time")
        texts = dates.all_inner_texts()
        assert len(texts) > 3 and all(re.fullmatch(r"\d{1,2} \w+ \d{4}", t) for t in texts), texts
        assert dates.evaluate_all("ts => ts.map(t => t.getClientRects().length)") == [1] * len(texts)
        assert trail.evaluate("t => getComputedStyle(t.querySelector('td')).borderTopStyle") == "solid"
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not trail.locator("thead").is_visible()
        box = commit.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        cells = commit.evaluate("tr => Array.from(tr.children).map(td => Math.round(td.getBoundingClientRect().top))")
        assert cells[0] == cells[1] < cells[2] < cells[3]  # date and event on one line, then who, then what
        page.close()


def test_a_step_time_stays_on_one_line_on_a_laptop(bundled_site: Path) -> None:
    """The step table's narrow time column said "15" over "menit" at 1366 px."""
    with serve(bundled_site) as base, browser() as ctx:
        page = ctx.new_page()
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(base + "sop/sop-umum-001/", wait_until="domcontentloaded")
        heights = page.locator("table.sop-steps td.sop-col-duration").evaluate_all("""tds => tds.map(td => {
            const r = document.createRange(); r.selectNodeContents(td);
            return [td.innerText, r.getBoundingClientRect().height / parseFloat(getComputedStyle(td).lineHeight)];
        })""")
        page.close()
    assert len(heights) > 10
    assert all(lines < 1.2 for _, lines in heights), heights  # one line: about 0.7, two: 1.7


def test_the_catalogue_is_cards_on_a_phone_and_still_sorts_and_filters(bundled_site: Path) -> None:
    """Eight columns showed a phone each SOP's number and title and scrolled for its unit, status and
    dates: each SOP is a card, the headings a row of sort buttons, and the filter hides cards."""
    with serve(bundled_site) as base, browser() as ctx:
        page = ctx.new_page()
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(base + "katalog/", wait_until="load")
        table = page.locator("table.sop-catalogue-table")
        assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1")
        card = table.locator("tbody tr").first
        cells = card.evaluate("tr => Array.from(tr.children).filter(c => c.getClientRects().length)"
                              ".map(c => [Math.round(c.getBoundingClientRect().left), "
                              "getComputedStyle(c, '::before').content])")
        assert len({left for left, _ in cells}) == 1 and len(cells) >= 5  # stacked
        assert cells[2][1] == '"Unit kerja: "', cells
        ids = lambda: table.locator("tbody tr:not([hidden])").evaluate_all("rs => rs.map(r => r.dataset.id)")
        before = ids()
        table.locator("thead button.sop-sort").first.click()  # Nomor
        table.locator("thead button.sop-sort").first.click()  # again: descending
        assert ids() == sorted(before, reverse=True)
        page.fill(".sop-filter input", "SOP-UMUM")
        page.wait_for_timeout(300)
        shown = ids()
        assert shown and all(i.startswith("SOP-UMUM") for i in shown) and len(shown) < len(before)
        page.close()


# each view's tables with a column of long text or lists, and where the bundled portal has rows
CARD_TABLES = [("dokumen/", "table.sop-documents-table"), ("monev/", "table.sop-findings"),
               ("peran/", "table.sop-roles-table"), ("peran/kepala-biro-umum/", "table.sop-role-steps"),
               ("unit/", "table.sop-units-table"), ("unit/biro-umum/", "table.sop-handoffs-out"),
               ("relasi/", "table.sop-relations-table"), ("katalog/", "table.sop-retired-table")]


def test_portal_tables_are_cards_on_a_phone(bundled_site: Path) -> None:
    """As columns on a phone, three columns of SOP numbers left a column of document names and
    nothing else, and a Monev finding's text or a role's steps went off to the side under an empty
    screen: each row is a card, its cells stacked and labelled by their column; on a laptop, a table."""
    with serve(bundled_site) as base, browser() as ctx:
        page = ctx.new_page()
        for path, selector in CARD_TABLES:
            assert_cards_on_a_phone(page, base + path, selector)
        page.close()


def test_portal_tables_use_the_width_of_a_laptop(bundled_site: Path) -> None:
    """The portal's views have no table of contents: on a 1366 px laptop their tables (the
    catalogue's eight columns, a role's steps) get that room instead of scrolling sideways."""
    views = ["katalog/", "dokumen/", "monev/"] + sorted(
        p.parent.relative_to(bundled_site).as_posix() + "/" for p in (bundled_site / "peran").glob("*/index.html"))
    cut: list[str] = []
    with serve(bundled_site) as base, browser() as ctx:
        page = ctx.new_page()
        page.set_viewport_size({"width": 1366, "height": 900})
        for rel in views:
            page.goto(base + rel, wait_until="domcontentloaded")
            assert not page.locator(".md-sidebar--secondary").is_visible(), rel
            widths = page.evaluate("""() => [...document.querySelectorAll('.sop-portal table')].map(t => {
                const box = t.closest('.sop-table-wrap') || t.parentElement;
                return [t.getBoundingClientRect().right, box.getBoundingClientRect().right, box.scrollWidth - box.clientWidth];
            })""")
            cut += [f"{rel}: table ends at {t:.0f} px, its column at {b:.0f} px" for t, b, over in widths
                    if t > b + 0.5 or over > 0]
        page.goto(base + "katalog/", wait_until="domcontentloaded")
        assert page.locator(".sop-catalogue-table th").count() >= 7
        # on paper the catalogue is a list: no sort arrows, no "click a heading to sort"
        page.goto(base + "katalog/", wait_until="load")
        page.wait_for_selector(".sop-sort-hint:not([hidden])", state="attached")
        page.emulate_media(media="print")
        assert not page.locator(".sop-sort-hint").is_visible()
        assert page.evaluate("getComputedStyle(document.querySelector('button.sop-sort'), '::after').display") == "none"
        page.emulate_media(media="screen")
        # a page with headings keeps its table of contents
        page.goto(base + "guide/portal/", wait_until="domcontentloaded")
        assert page.locator(".md-sidebar--secondary").is_visible()
        page.close()
    assert not cut, cut


def _contrast(fg: list[float], bg: list[float]) -> float:
    """WCAG contrast ratio of two sRGB colours (0-255)."""
    def lum(c: list[float]) -> float:
        lin = [(v / 255) / 12.92 if v / 255 <= 0.04045 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c[:3]]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# the text colour of a form's column heading, and its background laid over the page's
HEADING_COLOURS = """() => {
  const th = document.querySelector('.sop-form-table thead th');
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const fg = rgb(getComputedStyle(th).color), bg = rgb(getComputedStyle(th).backgroundColor);
  const page = rgb(getComputedStyle(document.body).backgroundColor);
  const a = bg.length > 3 ? bg[3] : 1;
  return [fg, [0, 1, 2].map(i => bg[i] * a + page[i] * (1 - a))];
}"""


def test_monev_forms_read_on_a_phone_and_in_the_dark(bundled_site: Path) -> None:
    """The printable monitoring and evaluation forms: on a phone they keep their paper columns and
    scroll sideways inside themselves (not words split letter by letter); their column headings
    can be read in both palettes."""
    with serve(bundled_site) as base, browser() as ctx:
        for scheme in ("light", "dark"):
            own = ctx.browser.new_context(color_scheme=scheme, viewport={"width": 390, "height": 844})
            page = own.new_page()
            page.goto(base + "sop/sop-umum-004-monev/", wait_until="domcontentloaded")
            fg, bg = page.evaluate(HEADING_COLOURS)
            assert _contrast(fg, bg) >= 4.5, (scheme, fg, bg)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            activity = page.locator(".sop-form-monitoring .sop-form-table thead th").nth(1).bounding_box()
            assert activity is not None and activity["width"] >= 150, activity
            wrap = page.locator(".sop-form-monitoring .sop-table-wrap")
            assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")  # the form scrolls, the page does not
            own.close()


def test_a_flowchart_wider_than_a_phone_opens_on_its_start(bundled_site: Path) -> None:
    """The Mermaid flowchart of a branching SOP is wider than a phone: its frame opens scrolled to
    the "Mulai" node (drawn in the middle of the drawing), not on the drawing's empty left edge."""
    with serve(bundled_site) as base, browser() as ctx:
        page = open_page(ctx, base + "sop/sop-umum-001/")
        page.set_viewport_size({"width": 390, "height": 844})
        page.click("label.sop-tab-label[for$='-mermaid']")
        page.wait_for_selector(".sop-tab-panel-mermaid [data-sop-mermaid-state=done]", state="attached", timeout=30000)
        frame, start, scrolled = page.evaluate("""() => {
          const f = document.querySelector('.sop-tab-panel-mermaid [data-sop-frame]');
          const s = f.querySelector('g.node[id*="-flowchart-start-"]').getBoundingClientRect();
          const r = f.getBoundingClientRect();
          return [[r.left, r.right], [s.left, s.right], f.scrollWidth > f.clientWidth];
        }""")
        assert scrolled  # the drawing is wider than the phone: the check is not idle
        assert frame[0] <= start[0] and start[1] <= frame[1], (frame, start)
        page.close()


def test_palette_toggle_restyles_diagrams_without_reload(bundled_site: Path) -> None:
    with serve(bundled_site) as base, browser() as ctx:
        page = open_page(ctx, base + "sop/sop-umum-001/")
        page.set_viewport_size({"width": 1366, "height": 900})
        fill = "() => getComputedStyle(document.querySelector('.sop-tab-panel-sopap .sopap-process .sopap-shape')).fill"
        line = "() => getComputedStyle(document.querySelector('.sopap-legend .sopap-arrow')).fill"
        light_fill, light_arrow = page.evaluate(fill), page.evaluate(line)
        page.click("label.sop-tab-label[for$='-mermaid']")
        page.wait_for_selector("[data-sop-mermaid-theme=default]", state="attached", timeout=30000)
        page.evaluate("window.__sopNoReload = 1")
        page.click("form[data-md-component=palette] label:not([hidden])")
        page.wait_for_selector("[data-sop-mermaid-theme=dark]", state="attached", timeout=30000)
        assert page.evaluate("window.__sopNoReload") == 1
        assert page.evaluate(fill) != light_fill
        # the legend's arrow stays visible on the dark background
        dark_arrow = page.evaluate(line)
        bg = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert dark_arrow != light_arrow and dark_arrow != bg
        assert page.locator(".sop-mermaid-svg svg").count() == 1  # redrawn, not added
        page.close()


def test_a_new_reader_gets_the_palette_of_their_system_setting(bundled_site: Path) -> None:
    """Dark on a phone or desktop set to dark, until the reader picks one with the toggle."""
    with serve(bundled_site) as base, browser() as ctx:
        schemes = {}
        for system in ("dark", "light"):
            own = ctx.browser.new_context(color_scheme=system)  # nothing stored: a first visit
            page = open_page(own, base + "sop/sop-umum-001/")
            schemes[system] = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
            if system == "dark":
                page.click("label.sop-tab-label[for$='-mermaid']")
                page.wait_for_selector("[data-sop-mermaid-theme=dark]", state="attached", timeout=30000)
                page.click("form[data-md-component=palette] label:not([hidden])")  # the reader's choice wins
                page.wait_for_selector("[data-sop-mermaid-theme=default]", state="attached", timeout=30000)
                page.reload(wait_until="load")
                assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default"
            own.close()
        assert schemes == {"dark": "slate", "light": "default"}


# every state change of a diagram box, with how many tasks the page had run by then
TASKS_AT_DRAWN = """() => {
  window.__tasks = 0;
  const channel = new MessageChannel();  // a task after every task (timers wait 4 ms or more)
  channel.port1.onmessage = () => { window.__tasks += 1; channel.port2.postMessage(0); };
  channel.port2.postMessage(0);
  window.__drawnAt = [];
  window.__drawnOrder = [];  // which diagram (its place on the page) was drawn first, second, ...
  new MutationObserver(changes => {
    for (const c of changes) {
      if (c.target.getAttribute('data-sop-mermaid-state') === 'done' && c.oldValue !== 'done') {
        window.__drawnAt.push(window.__tasks);
        window.__drawnOrder.push([...document.querySelectorAll('[data-sop-mermaid]')].indexOf(c.target));
      }
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-sop-mermaid-state'],
                        attributeOldValue: true});
}"""


def test_a_page_of_many_diagrams_answers_the_reader_while_they_are_drawn(bundled_site: Path) -> None:
    """The relations page of a large portal shows a graph per unit (100 at 1,000 SOPs): drawn
    in one task, Chromium was frozen for 4.3 s.  Each diagram is now drawn in a task of its own, the
    one nearest the screen first, and graphs away from the screen are neither laid out nor painted
    meanwhile."""
    html = (bundled_site / "relasi" / "index.html").read_text(encoding="utf-8")
    start = html.index('<div class="sop-mermaid sop-portal-graph"')
    end = html.index('<div class="sop-table-wrap">', start)
    many = html[:start] + html[start:end] * 12 + html[end:]
    with serve(bundled_site) as base, browser() as ctx:
        page = ctx.new_page()
        page.add_init_script(f"({TASKS_AT_DRAWN})()")
        page.route(base + "relasi/", lambda route: route.fulfill(response=route.fetch(), body=many))
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(base + "relasi/", wait_until="domcontentloaded")
        # the reader scrolls to the last graph before Mermaid has loaded: it is drawn first
        page.locator(".sop-portal-graph").last.scroll_into_view_if_needed()
        assert page.evaluate("window.__drawnOrder.length") == 0
        on_screen = page.evaluate("""() => [...document.querySelectorAll('[data-sop-mermaid]')].map((b, i) => {
            const r = b.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight ? i : -1;
        }).filter(i => i >= 0)""")
        assert 11 in on_screen and 0 not in on_screen, on_screen
        page.wait_for_function("() => document.querySelectorAll('[data-sop-mermaid-state=done]').length === 12",
                               timeout=60000)
        drawn = page.evaluate("window.__drawnAt")
        assert len(drawn) == 12 and all(b > a for a, b in zip(drawn, drawn[1:])), drawn
        order = page.evaluate("window.__drawnOrder")
        assert set(order[:len(on_screen)]) == set(on_screen) and sorted(order) == list(range(12)), order
        visibility = page.eval_on_selector_all(".sop-portal-graph", "els => els.map(e => getComputedStyle(e)"
                                                                    ".contentVisibility)")
        assert visibility == ["auto"] * 12, visibility
        page.close()


def test_a_printed_relations_graph_fits_the_paper(bundled_site: Path) -> None:
    """On screen a graph wider than the page scrolls in its frame; on paper (A4 landscape, about
    1,040 px of printable width) it is scaled to the width instead of cut off at the margin."""
    with serve(bundled_site) as base, browser() as ctx:
        page = open_page(ctx, base + "relasi/")
        page.set_viewport_size({"width": 1040, "height": 800})
        page.wait_for_selector(".sop-portal-graph[data-sop-mermaid-state=done]", state="attached", timeout=30000)
        natural = page.evaluate("document.querySelector('.sop-portal-graph .sop-mermaid-svg svg').getBoundingClientRect().width")
        page.emulate_media(media="print")
        svg, column = page.evaluate("""() => [document.querySelector('.sop-portal-graph .sop-mermaid-svg svg').getBoundingClientRect().right,
                                              document.querySelector('.md-content__inner').getBoundingClientRect().right]""")
        assert natural > 1040 and svg <= column + 0.5, (natural, svg, column)
        page.close()


def test_mermaid_is_only_requested_where_a_diagram_shows(bundled_site: Path) -> None:
    with serve(bundled_site) as base, browser() as ctx:
        for path in ("", "katalog/", "peran/", "dokumen/", "monev/", "sop/sop-umum-001/"):
            watch = Watch()
            page = ctx.new_page()
            requests: list[str] = []
            sizes: dict[str, int] = {}
            page.on("request", lambda r: requests.append(r.url))
            page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body()) if r.ok else 0))
            page.goto(base + path, wait_until="load")
            page.wait_for_timeout(300)
            assert not [u for u in requests if "mermaid" in u], path
            # first-visit weight; the theme's search index is issue 14's (it replaces the index)
            weight = sum(v for u, v in sizes.items() if "search_index" not in u and "/workers/" not in u)
            assert weight <= 500_000, (path, weight)
            page.close()
            assert watch.page_errors == []
        # (choosing the Mermaid tab loads and draws it: test_browser_sop_pages)
