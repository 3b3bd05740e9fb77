"""The portal speaks its language: formatted durations and dates, nav sections, and a staff notice on broken SOPs."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from test_plugin import BROKEN
from test_site_build import build

GOOD = textwrap.dedent("""\
    ---
    id: SOP-UJI-001
    title: Baik
    unit: umum
    status: draft
    tanggal_pembuatan: 2026-02-10
    ---

    ## Prosedur

    1. Menerima berkas.
        - pelaksana: Staf
        - waktu: PT1H30M
    2. Memeriksa berkas.
        - pelaksana: Staf
        - waktu: 1-2 hari
    """)


def _project(root: Path, lang: str) -> Path:
    sops = root / "sops"
    sops.mkdir(parents=True)
    (sops / "units.yml").write_text("umum:\n  name: Bagian Umum\n  roles: [Staf]\n", encoding="utf-8")
    (sops / "good.md").write_text(GOOD, encoding="utf-8")
    (sops / "broken.md").write_text(BROKEN, encoding="utf-8")
    for folder, title in (("guide", "Writing steps"), ("reference", "Diagnostics")):
        (root / "docs" / folder).mkdir(parents=True)
        (root / "docs" / folder / "page.md").write_text(f"# {title}\n", encoding="utf-8")
    (root / "docs" / "index.md").write_text("# Beranda\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        f"site_name: Uji\ntheme:\n  name: material\n  font: false\n  language: {lang}\n  features: [navigation.tabs]\n"
        f"plugins:\n  - search\n  - sop:\n      include_drafts: true\n      lang: {lang}\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for lang in ("id", "en"):
        project = _project(tmp_path_factory.mktemp(f"site-{lang}"), lang)
        result = build(project, project / "site", strict=False)
        assert result.returncode == 0, result.stderr[-2000:]
        out[lang] = project / "site"
    return out


def _read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style|pre)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("lang,first,second,created", [
    ("id", "1 jam 30 menit", "1–2 hari", "10 Februari 2026"),
    ("en", "1 hour 30 minutes", "1–2 days", "February 10, 2026"),
])
def test_durations_and_dates_are_formatted_for_the_language(sites, lang, first, second, created):
    text = _visible(_read(sites[lang], "sop/sop-uji-001/index.html"))
    assert "PT1H30M" not in text and "1-2 hari" not in text
    assert text.count(first) >= 2 and text.count(second) >= 2  # step table and SOP-AP table
    assert created in text


def test_nav_sections_in_the_portal_language(sites):
    home = _read(sites["id"], "index.html")
    tabs = [" ".join(re.sub(r"<[^>]+>", " ", t).split()) for t in re.findall(r'<li class="md-tabs__item.*?</li>', home, re.S)]
    assert "Panduan Penulis" in tabs and "Rujukan Penulis" in tabs, tabs
    assert "Guide" not in tabs and "Reference" not in tabs
    en = _read(sites["en"], "index.html")
    assert "Author guide" in en


def test_broken_sop_shows_staff_notice_and_authors_get_the_diagnostics(sites):
    page = _read(sites["id"], "sop/sop-uji-002/index.html")
    notice = re.search(r'<div class="sop-banner sop-banner-problems sop-banner-repair".*?</div>', page, re.S).group(0)
    assert "SOP ini sedang diperbaiki." in notice
    detail = re.search(r"<details class=\"sop-problems-detail\">(.*?)</details>", notice, re.S).group(1)
    assert "SOP306" in detail and "broken.md:14" in detail  # exact, collapsed
    assert "SOP306" not in notice.split("<details")[0]
    # the diagnostics in the page's language, whole (message and hint)
    english = re.search(r"<details class=\"sop-problems-detail\">(.*?)</details>",
                        _read(sites["en"], "sop/sop-uji-002/index.html"), re.S).group(1)
    assert "which is not a step" in english and "use a step number" in english
    assert "which is not a step" not in detail and "use a step number" not in detail and 'lang="en"' not in detail
    good = _read(sites["id"], "sop/sop-uji-001/index.html")
    assert "sedang diperbaiki" not in good
    catalogue = _read(sites["id"], "katalog/index.html")
    rows = {m.group(1): m.group(0) for m in re.finditer(r'<tr [^>]*data-id="([^"]+)".*?</tr>', catalogue, re.S)}
    assert "Sedang diperbaiki" in rows["SOP-UJI-002"] and "Sedang diperbaiki" not in rows["SOP-UJI-001"]
    assert "Being corrected" in _read(sites["en"], "katalog/index.html")
