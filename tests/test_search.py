"""Full-text search: the Pagefind index (Indonesian stemming, SOP numbers, facets) and its UI in Chromium.

The browser tests type into the header's search box of the bundled portal with
every request outside the local server blocked (browserkit aborts and records them).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from browserkit import Watch, browser, open_page, serve
from test_pipeline import _project_copy
from test_portal import build_site
from test_site_build import build, bundled_site  # noqa: F401  (shared session fixture)

from sop_plugin import search, searchcopy


def _clean(watch: Watch) -> None:
    assert watch.page_errors == [], watch.page_errors
    assert watch.console_errors == [], watch.console_errors
    assert watch.blocked == [], watch.blocked


def fragments(site: Path, part: str = "") -> list[dict]:
    """Every page Pagefind indexed (in one ``part`` of the index): its id, URL, content, filters
    (fragments are gzip'd JSON after a signature)."""
    out = []
    for f in sorted((site / "pagefind" / part / "fragment").glob("*.pf_fragment")):
        out.append({"id": f.name.removesuffix(".pf_fragment"), **json.loads(search._unpack(f.read_bytes()))})
    return out


PER_INDEX = 9  # pages per index in `parted_site`: the bundled portal in several parts


@pytest.fixture(scope="module")
def parted_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled portal built as a large one is: its search index in parts (search_pages_per_index)."""
    project = _project_copy(tmp_path_factory.mktemp("parted"), search_pages_per_index=PER_INDEX)
    result = build(project, project / "site")
    assert result.returncode == 0, result.stderr[-4000:]
    return project / "site"


# -- index-time, no browser ------------------------------------------------------------


def test_compact_forms_of_sop_numbers():
    assert search.compact_forms("SOP-UMUM-001") == ["sopumum001", "umum001"]
    assert search.compact_forms("SOP/KEU/002") == ["sopkeu002", "keu002"]
    assert search.compact_forms("X") == ["x"]


def test_prepare_keeps_the_searched_element_and_listings_to_their_prose():
    page = ('<html lang="id"><head><title>T</title></head><body><nav class="md-nav">Navigasi</nav>'
            '<div data-pagefind-body><h1>Pemohon</h1><p>Semua langkah.</p>'
            '<table><thead><tr><th>No</th><th>Kegiatan</th></tr></thead><tbody><tr><td>1</td><td>Mengisi</td>'
            '</tr></tbody></table><h2 id="x"><a href="#"><span class="sop-id">SOP-A-001</span> Judul</a></h2>'
            f'{searchcopy.BODY_END}</div><footer>Kaki</footer></body></html>')
    listing = searchcopy.prepare(page, listing=True)
    assert "<table" not in listing and "Mengisi" not in listing and "SOP-A-001" not in listing
    assert 'h1 data-pagefind-weight="3"' in listing and "Semua langkah." in listing
    sop = searchcopy.prepare(page, annotate="<i>meta</i>")
    assert "Navigasi" not in sop and "Kaki" not in sop and "<title>T</title>" in sop
    assert "<thead" not in sop and "<td>1 </td><td>Mengisi </td>" in sop and "SOP-A-001" in sop
    assert '<div data-pagefind-body><i>meta</i><h1 data-pagefind-weight="10">' in sop
    assert sop.endswith("</div></body></html>")


def test_prepare_drops_nested_repeats_and_keeps_an_unclosed_one():
    page = ('<div data-pagefind-body><p>Awal</p><div class="sop-analysis x"><div><div>Analisis</div></div>'
            '<svg viewBox="0 0 1 1"><g><svg/></g><text>ikon</text></svg></div><p>Tengah</p><svg/>'
            '<details class="sop-problems-detail"><summary>Rincian teknis</summary>SOP406 digest</details>'
            '<div class="sop-audit">Riwayat <div>tanpa penutup</div>')
    text = searchcopy.prepare(page)
    assert "Awal" in text and "Tengah" in text and "Analisis" not in text and "ikon" not in text
    assert "SOP406" not in text and "Rincian teknis" not in text  # the authors' details
    assert "Riwayat" in text and "tanpa penutup" in text  # an element that never closes is kept


def test_bundled_index_has_sop_filters_and_leaves_the_guide_and_forms_out(bundled_site):  # noqa: F811
    pages = {f["url"]: f for f in fragments(bundled_site)}
    sop = pages["/sop/sop-keu-002/"]
    assert sop["filters"]["unit"] == ["Biro Keuangan"]
    assert sop["filters"]["status"] == ["Berlaku"]
    assert "Verifikator Keuangan" in sop["filters"]["actor"]
    assert "number" not in sop["filters"]
    shard = json.loads((bundled_site / "pagefind" / "sop-numbers" / "02.json").read_text(encoding="utf-8"))
    assert shard["sopkeu002"] == [["sop/sop-keu-002/", sop["meta"]["title"], "Biro Keuangan"]]
    assert [e[0] for e in shard["keu002"]] == ["sop/sop-keu-002/"]
    assert "Pencairan" in sop["content"]
    assert "NoKegiatan" not in " ".join(f["content"] for f in pages.values())  # cells are separated
    assert not any(u.startswith("/guide/") or u.startswith("/reference/") for u in pages), sorted(pages)
    assert not any(u.endswith("-monev/") for u in pages)  # printable forms stay out
    assert (bundled_site / "pagefind" / "sop-search.json").is_file()


def test_an_sop_page_is_indexed_without_the_portals_own_words(bundled_site):  # noqa: F811
    """Labels, signature states, step numbers and step-to-step links are on every SOP page: a query
    for them would rank every SOP alike.  What the author wrote stays searchable."""
    sop = {f["url"]: f for f in fragments(bundled_site)}["/sop/sop-keu-002/"]
    content = sop["content"]
    for written in ("Peraturan Menteri Keuangan Nomor 62", "Memiliki sertifikat Bendahara Pengeluaran",
                    "Token PIN PPSPM", "Nur Hidayati", "Kepala Bagian Perbendaharaan", "Pencairan"):
        assert written in content, written
    for label in ("Nomor SOP", "Tanggal Pembuatan", "Dasar Hukum", "Kualifikasi Pelaksana", "Lembar Pengesahan",
                  "Disusun oleh", "Diperiksa oleh", "Tanggal:", "Lanjut ke langkah", "Prosedur selesai",
                  "Bagan Alir SOP-AP", "Formulir Monev"):
        assert label not in content, label
    page = (bundled_site / "sop" / "sop-keu-002" / "index.html").read_text(encoding="utf-8")
    for label in ("Nomor SOP", "Disusun oleh", "Lanjut ke langkah", "Formulir Monev"):
        assert label in page, label  # the page itself is unchanged


def test_the_filter_index_is_put_in_one_order_whatever_order_pagefind_wrote(bundled_site, tmp_path):  # noqa: F811
    """Pagefind writes filter values and filters in hash-map order; the build sorts them (search.canonicalise)."""
    import shutil

    import cbor2

    index = bundled_site / "pagefind"
    files = {p.relative_to(index).as_posix(): p.read_bytes() for p in sorted(index.rglob("*")) if p.is_file()}
    filters = [k for k in files if k.startswith("filter/")]
    assert len(filters) == 4  # unit, status, actor, document
    # the same index as another Pagefind run could write it: every order reversed, other file names
    scrambled = tmp_path / "pagefind"
    shutil.copytree(index, scrambled)
    entry = json.loads((scrambled / "pagefind-entry.json").read_text(encoding="utf-8"))
    lang, info = next(iter(entry["languages"].items()))
    meta_path = scrambled / f"pagefind.{info['hash']}.pf_meta"
    meta = cbor2.loads(search._unpack(meta_path.read_bytes()))
    assert meta[3] == sorted(meta[3])  # the built index is sorted
    renamed = []
    for i, (name, digest) in enumerate(reversed(meta[3])):
        path = scrambled / "filter" / f"{digest}.pf_filter"
        chunk = cbor2.loads(search._unpack(path.read_bytes()))
        assert [v[0] for v in chunk[1]] == sorted(v[0] for v in chunk[1])
        chunk[1].reverse()
        path.unlink()
        (scrambled / "filter" / f"{lang}_0000{i}.pf_filter").write_bytes(search._pack(cbor2.dumps(chunk)))
        renamed.append([name, f"{lang}_0000{i}"])
    meta[3] = renamed
    meta_path.unlink()
    (scrambled / f"pagefind.{lang}_00000000.pf_meta").write_bytes(search._pack(cbor2.dumps(meta)))
    info["hash"] = f"{lang}_00000000"
    (scrambled / "pagefind-entry.json").write_text(json.dumps(entry), encoding="utf-8")

    assert search.canonicalise(scrambled) == ""
    again = {p.relative_to(scrambled).as_posix(): p.read_bytes() for p in sorted(scrambled.rglob("*")) if p.is_file()}
    assert again == files

    # an index this code cannot read is left as it is, with the reason
    (scrambled / "pagefind-entry.json").write_text('{"languages": {"id": {"hash": "id_missing"}}}', encoding="utf-8")
    assert search.canonicalise(scrambled).startswith("FileNotFoundError")
    assert sorted(p.name for p in (scrambled / "filter").iterdir()) == sorted(k[len("filter/"):] for k in filters)


def test_partition_deals_pages_out_in_turn_to_as_few_parts_as_hold_them():
    pages = [f"p{i:02d}" for i in range(23)][::-1]
    assert search.partition(pages, 0) == [sorted(pages)]
    assert search.partition(pages, 46) == [sorted(pages)]
    # more than half of per_index pages: two parts at least
    assert [len(p) for p in search.partition(pages, 45)] == [len(p) for p in search.partition(pages, 23)] == [12, 11]
    assert search.partition(pages, 45, max_parts=1) == [sorted(pages)]
    assert search.partition(["a"], 1) == [["a"]]  # never an empty part
    parts = search.partition(pages, 10)
    assert [len(p) for p in parts] == [8, 8, 7] and parts[0][:3] == ["p00", "p03", "p06"]
    assert search.partition([], 10) == [[]]
    # no more parts than max_parts: each then holds more than per_index
    assert [len(p) for p in search.partition(pages, 5, max_parts=3)] == [8, 8, 7]
    assert [len(p) for p in search.partition(pages, 5, max_parts=0)] == [5, 5, 5, 4, 4]


def test_a_large_portal_is_indexed_in_parts_that_hold_every_page_once(bundled_site, parted_site):  # noqa: F811
    whole = {f["url"]: f for f in fragments(bundled_site)}
    ui = json.loads((parted_site / "pagefind" / "sop-search.json").read_text(encoding="utf-8"))
    n = -(-len(whole) // PER_INDEX)
    assert n >= 3 and ui["parts"] == [f"part-{k}/" for k in range(2, n + 1)]
    split = [fragments(parted_site, part) for part in ["", *ui["parts"]]]
    # each part also has a page of every word of the site, which the search box hides
    vocabulary = [[f for f in part if f"/{search.VOCABULARY}/" in f["url"]] for part in split]
    assert all(len(v) == 1 for v in vocabulary) and ui["hidden"] == sorted({v[0]["id"] for v in vocabulary})
    words = set(vocabulary[0][0]["content"].split())
    assert {"peminjaman", "pencairan", "SOP-KEU-002"} <= words and all(v[0]["content"] == vocabulary[0][0]["content"]
                                                                       for v in vocabulary)
    split = [[f for f in part if f not in v] for part, v in zip(split, vocabulary)]
    assert all(0 < len(part) <= PER_INDEX for part in split)
    assert sorted(f["url"] for part in split for f in part) == sorted(whole)
    for f in (f for part in split for f in part):  # each page indexed as the single index has it
        assert (f["content"], f["filters"]) == (whole[f["url"]]["content"], whole[f["url"]]["filters"])
    for part in ui["parts"]:  # a merged part is read through the first part's scripts
        names = {p.name for p in (parted_site / "pagefind" / part).iterdir()}
        assert names - set(search.PART_FILES) and all(n.endswith(".pf_meta") for n in names - set(search.PART_FILES))
        assert {"index", "fragment", "pagefind-entry.json"} <= names


def test_public_index_has_no_confidential_sop(tmp_path):
    site = build_site(tmp_path, public=True)
    pages = fragments(site)
    assert pages, "the public build has a search index"
    text = json.dumps(pages, ensure_ascii=False)
    assert "SOP-A-001" in text
    for secret in ("SOP-A-005", "sop-a-005", "Agen Rahasia", "Berkas Sandi Negara", "Penanganan Sandi Negara"):
        assert secret not in text, secret


# -- the search box in Chromium ----------------------------------------------------------


def _search(page, query: str) -> list[str]:
    """Type ``query`` into the header's search box; the result links, best first."""
    page.fill("[data-sop-search-input]", "")
    page.click("[data-sop-search-input]")
    page.keyboard.type(query)
    page.wait_for_function(
        """q => { const r = document.querySelector('[data-sop-search]');
                  return r.dataset.sopSearchState === 'done' && r.dataset.sopSearchQuery === q; }""",
        arg=query, timeout=20000)
    return page.eval_on_selector_all(".md-search-result__link", "els => els.map(e => e.getAttribute('href'))")


AFFIXES = {
    "sop-umum-004": ["pinjam", "meminjam", "dipinjam", "peminjaman"],
    "sop-umum-001": ["ada", "adakan", "pengadaan"],
    "sop-keu-002": ["bayar", "pembayaran", "cair", "pencairan"],
    "sop-umum-006": ["setuju", "persetujuan"],
}


@pytest.mark.browser
def test_search_finds_affixed_words_and_numbers_offline(bundled_site):  # noqa: F811
    watch = Watch()
    with serve(bundled_site) as base, browser() as ctx:
        page = open_page(ctx, base, watch)
        page.set_viewport_size({"width": 1366, "height": 900})
        for slug, words in AFFIXES.items():
            for word in words:
                hrefs = _search(page, word)
                assert f"/sop/{slug}/" in hrefs[:3], (word, hrefs[:5])
        for spelling in ("SOP-UMUM-001", "sop umum 001", "SOP/UMUM/001", "sopumum001"):
            hrefs = _search(page, spelling)
            assert hrefs[0] == "/sop/sop-umum-001/", (spelling, hrefs[:5])
        # a title match ranks above role and unit pages
        hrefs = _search(page, "pengadaan barang persediaan")
        assert hrefs[0] == "/sop/sop-umum-002/", hrefs[:5]
        # clean snippets: cells are separated, the query is marked
        teaser = page.text_content(".md-search-result__teaser")
        assert "NoKegiatan" not in teaser
        assert page.locator(".md-search-result__teaser mark").count() > 0
        page.close()
    _clean(watch)


@pytest.mark.browser
def test_search_over_an_index_in_parts_finds_what_one_index_finds(bundled_site, parted_site):  # noqa: F811
    queries = [w for words in AFFIXES.values() for w in words] + ["SOP/UMUM/001", "anggaran", "pengadaan barang persediaan"]
    seen = {}
    for name, site in (("one index", bundled_site), ("in parts", parted_site)):
        watch, fetched = Watch(), []
        with serve(site) as base, browser() as ctx:
            page = open_page(ctx, base, watch)
            page.on("request", lambda r: fetched.append(r.url) if "/pagefind/" in r.url else None)
            results = {q: _search(page, q) for q in queries}
            page.wait_for_selector("[data-sop-search-facets]:not([hidden]) select[data-facet=unit]")
            facets = page.eval_on_selector_all(
                "select[data-facet]", "els => els.map(e => [e.dataset.facet, [...e.options].map(o => o.textContent)])")
            page.close()
        _clean(watch)
        seen[name] = results, facets, fetched
    (one, one_facets, _), (parted, parted_facets, fetched) = seen["one index"], seen["in parts"]
    assert {u.split("/pagefind/")[1].split("/")[0] for u in fetched if "/pagefind/part-" in u} == {
        p.name for p in (parted_site / "pagefind").glob("part-*")}  # every part was searched
    assert parted_facets == one_facets  # facet values and counts summed over the parts
    for q in queries:  # the same pages (each part weighs words by its own pages: the order may differ a little)
        assert len(parted[q]) == len(one[q]), (q, parted[q], one[q])
        if len(one[q]) < 10:  # the whole list is shown
            assert sorted(parted[q]) == sorted(one[q]), q
    for slug, words in AFFIXES.items():
        assert all(f"/sop/{slug}/" in parted[w][:3] for w in words), slug
    for q in ("SOP/UMUM/001", "pengadaan barang persediaan"):
        assert parted[q][0] == one[q][0], q


@pytest.mark.browser
def test_search_facets_narrow_results_and_keyboard_works(bundled_site):  # noqa: F811
    watch = Watch()
    with serve(bundled_site) as base, browser() as ctx:
        page = open_page(ctx, base + "katalog/", watch)
        page.set_viewport_size({"width": 1366, "height": 900})
        page.keyboard.press("/")  # opens the search from anywhere
        page.wait_for_function("document.getElementById('__search').checked")
        assert page.evaluate("document.activeElement.matches('[data-sop-search-input]')")
        everything = _search(page, "anggaran")
        assert len(everything) >= 3, everything
        page.wait_for_selector("[data-sop-search-facets]:not([hidden]) select[data-facet=unit]")
        facets = page.eval_on_selector_all("select[data-facet]", "els => els.map(e => e.dataset.facet)")
        assert facets == ["unit", "status", "actor", "document"]
        page.select_option("select[data-facet=unit]", "Biro Keuangan")
        page.wait_for_function("document.querySelector('[data-sop-search]').dataset.sopSearchState === 'done'")
        narrowed = page.eval_on_selector_all(".md-search-result__link", "els => els.map(e => e.getAttribute('href'))")
        assert narrowed and set(narrowed) < set(everything) | set(narrowed) and len(narrowed) < len(everything)
        assert all(h.startswith("/sop/sop-keu-") for h in narrowed), narrowed
        page.select_option("select[data-facet=unit]", "")
        page.select_option("select[data-facet=actor]", "Verifikator Keuangan")
        page.wait_for_function("document.querySelector('[data-sop-search]').dataset.sopSearchState === 'done'")
        by_actor = page.eval_on_selector_all(".md-search-result__link", "els => els.map(e => e.getAttribute('href'))")
        assert by_actor and len(by_actor) < len(everything) and "/sop/sop-keu-002/" in by_actor, by_actor
        # arrow keys move into the results, Enter follows, Esc closes
        page.focus("[data-sop-search-input]")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.classList.contains('md-search-result__link')")
        page.keyboard.press("Escape")
        page.wait_for_function("!document.getElementById('__search').checked")
        page.close()
    _clean(watch)


@pytest.mark.browser
def test_a_query_fetches_only_the_index_chunks_it_needs(bundled_site):  # noqa: F811
    """Bytes per query stay flat as the collection grows (bench/bench_search.py measures 1,000 SOPs)."""
    chunks = {p.name for p in (bundled_site / "pagefind" / "index").glob("*.pf_index")}
    with serve(bundled_site) as base, browser() as ctx:
        for query, most in (("SOP-KEU-002", 0), ("pencairan", len(chunks))):
            fetched: dict[str, int] = {}
            page = open_page(ctx, base, Watch())
            page.on("response", lambda r: fetched.__setitem__(r.url.rsplit("/", 1)[-1], len(r.body()))
                    if "/pagefind/" in r.url else None)
            hrefs = _search(page, query)
            assert hrefs[0] == "/sop/sop-keu-002/", (query, hrefs[:3])
            loaded = [name for name in fetched if name.endswith(".pf_index")]
            assert len(loaded) <= most, (query, loaded)  # a typed number: one small lookup file, no chunk
            index_bytes = sum(v for k, v in fetched.items() if not k.endswith((".js", ".pagefind")))
            assert index_bytes < 60_000, (query, fetched)
            page.close()


def test_pagefind_starts_once_the_last_searched_page_is_written(tmp_path, monkeypatch):
    """The printable forms are written last, while Pagefind already runs over every searched page;
    and the build has let go of its SOPs before MkDocs writes the first page (their memory serves
    the theme's templates), with ``sops.json`` written and the SOP pages' filters kept."""
    from mkdocs.commands.build import build
    from mkdocs.config.defaults import MkDocsConfig

    root = Path(__file__).resolve().parent.parent

    site = tmp_path / "site"
    seen = {}
    real = search.SearchCopies.launch
    real_add = search.SearchCopies.add

    def add(self, dest, html):
        if "first page" not in seen:
            seen["first page"] = (self.ctx, (site / "sops.json").is_file(), len(self._annotations))
        return real_add(self, dest, html)

    monkeypatch.setattr(search.SearchCopies, "add", add)

    def launch(self, site_dir, **kwargs):
        seen["forms written"] = len(list(site.glob("sop/*-monev/index.html")))
        seen["sop pages written"] = len([p for p in site.glob("sop/*/index.html") if not p.parent.name.endswith("-monev")])
        seen["copies"] = self.pages
        return real(self, site_dir, **kwargs)

    monkeypatch.setattr(search.SearchCopies, "launch", launch)
    monkeypatch.chdir(root)
    config = MkDocsConfig(config_file_path=str(root / "mkdocs.yml"))
    with open(root / "mkdocs.yml", encoding="utf-8") as f:
        config.load_file(f)
    config.load_dict({"site_dir": str(site)})
    assert config.validate()[0] == []
    config.plugins["sop"].config["cache_dir"] = ""
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    forms = list(site.glob("sop/*-monev/index.html"))
    assert forms and seen["forms written"] == 0  # started before the first form was written
    assert seen["sop pages written"] == len(forms)  # ... and after every SOP page
    assert seen["copies"] == len(fragments(site)) > len(forms)  # every searched page is in the index
    held, exported, annotated = seen["first page"]
    assert held is None and exported and annotated == len(forms)  # one annotation per SOP page


def test_a_failing_pagefind_leaves_the_site_built_with_a_warning(tmp_path, monkeypatch, caplog):
    import pagefind_bin

    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'Error: disk full' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(pagefind_bin, "get_executable", lambda: fake)
    with caplog.at_level("WARNING"):
        site = build_site(tmp_path / "p")
    assert (site / "sop" / "sop-a-001" / "index.html").is_file() and (site / "sops.json").is_file()
    assert not (site / "pagefind").exists()
    warnings = [r.getMessage() for r in caplog.records if "no search index" in r.getMessage()]
    assert warnings == ["sop_plugin: no search index: Pagefind failed (3): Error: disk full\n"]  # one prefix
