"""The portal in Chromium, offline: the search box finds SOPs, the catalogue filters and sorts."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from browserkit import Watch, browser, open_page, serve
from test_portal import build_site
from test_search import _search

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("browser"))


def _clean(watch: Watch) -> None:
    assert watch.page_errors == [], watch.page_errors
    assert watch.console_errors == [], watch.console_errors
    assert watch.blocked == [], watch.blocked
    assert watch.dialogs == []


def test_search_finds_sop_by_number_actor_and_document(site):
    watch = Watch()
    with serve(site) as base, browser() as ctx:
        page = open_page(ctx, base, watch)
        page.set_viewport_size({"width": 1300, "height": 900})
        hrefs = _search(page, "SOP-A-002")
        assert hrefs[0] == "/sop/sop-a-002/", hrefs
        hrefs = _search(page, "Verifikator")
        assert "/sop/sop-a-002/" in hrefs and "/peran/verifikator-keuangan/" in hrefs, hrefs
        hrefs = _search(page, "Bukti Transfer")
        assert hrefs[0] == "/sop/sop-a-002/", hrefs
        page.close()
    _clean(watch)


def visible_ids(page) -> list[str]:
    """Ids of the catalogue rows the filters leave visible, in table order."""
    return page.eval_on_selector_all(".sop-catalogue-table tbody tr:not([hidden])",
                                     "els => els.map(e => e.dataset.id)")


def test_catalogue_filter_and_sort(site):
    watch = Watch()
    with serve(site) as base, browser() as ctx:
        page = open_page(ctx, base + "katalog/", watch)
        page.wait_for_selector(".sop-filter:not([hidden])")

        def visible() -> list[str]:
            return visible_ids(page)

        assert visible() == ["SOP-A-001", "SOP-A-002", "SOP-A-003", "SOP-A-005", "SOP-A-007"]
        page.fill("[data-filter=text]", "dana")
        assert visible() == ["SOP-A-002"]
        assert "1 dari 5" in page.text_content(".sop-filter-count")
        page.fill("[data-filter=text]", "")
        page.select_option("[data-filter=unit]", "keu")
        assert visible() == ["SOP-A-002", "SOP-A-007"]
        page.select_option("[data-filter=status]", "approved")
        assert visible() == ["SOP-A-007"]
        page.select_option("[data-filter=unit]", "")
        page.select_option("[data-filter=status]", "")
        page.click(".sop-catalogue-table thead th:nth-child(1) button")  # ascending
        page.click(".sop-catalogue-table thead th:nth-child(1) button")  # descending
        assert visible() == ["SOP-A-007", "SOP-A-005", "SOP-A-003", "SOP-A-002", "SOP-A-001"]
        page.close()
        # the home page's search form lands on a filtered catalogue
        page = open_page(ctx, base, watch)
        page.fill("#sop-home-q", "gudang")
        page.click(".sop-home-search button[type=submit]")
        page.wait_for_selector(".sop-filter:not([hidden])")
        page.wait_for_function("document.querySelector('[data-filter=text]').value === 'gudang'")
        assert visible() == ["SOP-A-001", "SOP-A-003"]  # the title of one, the actor (Staf Gudang) of the other
        assert not page.evaluate("document.getElementById('__search').checked")  # no search overlay on top
        page.close()
    _clean(watch)


def test_catalogue_counts_as_the_language_writes_numbers(site, tmp_path):
    """At 1,250 SOPs the count reads "1.250 dari 1.250 SOP" in Indonesian, not "1250"."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    page_file = copy / "katalog" / "index.html"
    html = page_file.read_text(encoding="utf-8")
    rows = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert rows is not None and rows.group(1).count("<tr") == 5
    page_file.write_text(html[:rows.start(1)] + rows.group(1) * 250 + html[rows.end(1):], encoding="utf-8")
    watch = Watch()
    with serve(copy) as base, browser() as ctx:
        page = open_page(ctx, base + "katalog/", watch)
        page.wait_for_selector(".sop-filter:not([hidden])")
        page.fill("[data-filter=text]", "dana")  # SOP-A-002, 250 times
        assert "250 dari 1.250" in page.text_content(".sop-filter-count")
        page.fill("[data-filter=text]", "")
        assert "1.250 dari 1.250" in page.text_content(".sop-filter-count")
        page.close()
    _clean(watch)


def test_catalogue_without_javascript_shows_everything(site):
    with serve(site) as base, browser(javascript=False) as ctx:
        page = open_page(ctx, base + "katalog/")
        rows = page.locator(".sop-catalogue-table tbody tr")
        assert rows.count() == 5 and all(rows.nth(i).is_visible() for i in range(5))
        assert not page.locator(".sop-filter").is_visible()
        page.close()


def test_unit_map_renders_with_links(site):
    watch = Watch()
    with serve(site) as base, browser() as ctx:
        page = open_page(ctx, base + "unit/", watch)
        page.wait_for_selector("[data-sop-mermaid-state=done], [data-sop-mermaid-state=error]", timeout=30000)
        assert page.get_attribute("[data-sop-mermaid]", "data-sop-mermaid-state") == "done"
        links = page.eval_on_selector_all(".sop-mermaid-svg a", "els => els.map(e => e.getAttribute('href') "
                                                                 "|| e.getAttribute('xlink:href'))")
        assert "umum/" in links and "keu/" in links, links
        page.close()
    _clean(watch)


def test_catalogue_filters_by_actor_and_document_through_the_address(site):
    watch = Watch()
    with serve(site) as base, browser() as ctx:
        page = open_page(ctx, base + "katalog/", watch)
        page.wait_for_selector(".sop-filter:not([hidden])")

        def visible() -> list[str]:
            return visible_ids(page)

        # the text filter matches actors and documents too
        page.fill("[data-filter=text]", "staf gudang")
        assert visible() == ["SOP-A-001", "SOP-A-003"]
        page.fill("[data-filter=text]", "bukti transfer")
        assert visible() == ["SOP-A-002"]
        page.fill("[data-filter=text]", "")
        page.select_option("[data-filter=actor]", "Bendahara")
        assert visible() == ["SOP-A-001", "SOP-A-002", "SOP-A-005", "SOP-A-007"]
        page.select_option("[data-filter=doc]", "spm")
        assert visible() == ["SOP-A-002", "SOP-A-007"]
        page.select_option("[data-filter=unit]", "keu")
        assert "actor=Bendahara" in page.url and "doc=spm" in page.url and "unit=keu" in page.url, page.url
        shared = page.url
        # following an SOP and coming back keeps the view
        page.click(".sop-catalogue-table tbody tr:not([hidden]) a")
        page.wait_for_url("**/sop/sop-a-002/")
        page.go_back()
        page.wait_for_selector(".sop-filter:not([hidden])")
        page.wait_for_function("document.querySelector('[data-filter=doc]').value === 'spm'")
        assert visible() == ["SOP-A-002", "SOP-A-007"]
        page.close()
        # the address alone reproduces it (a shared link)
        page = open_page(ctx, shared, watch)
        page.wait_for_selector(".sop-filter:not([hidden])")
        assert page.input_value("[data-filter=actor]") == "Bendahara"
        assert visible() == ["SOP-A-002", "SOP-A-007"]
        assert not page.evaluate("document.getElementById('__search').checked")  # no overlay over the list
        page.close()
    _clean(watch)
