"""Hostile and careless authors (issue 10): one public site built from hostile SOPs, scanned and crawled.

The corpus holds, in one tree (built once, shared by the tests of this module):

* an SOP whose every field and free section carries script, URL, style and
  remote-resource vectors;
* confidential SOPs (every spelling of the flag) referenced from a public SOP
  through related, a step handover, superseded_by and free text;
* collision pairs (same slug, Monev page, duplicate id) and a reserved id;
* a symlink to an SOP outside ``sops_dir``.

The public build must not contain a confidential id, title or body word in any
file (``.gz`` included); Chromium opens every page with the network blocked and
clicks every link: no dialog, no ``javascript:``/``data:`` href, no event
handler or ``style`` attribute from content, no request leaving localhost.
"""

from __future__ import annotations

import gzip
import json
import re
import textwrap
from pathlib import Path

import pytest

from conftest import TODAY, lint
from sop_plugin.checks import validate
from sop_plugin.corpus import load_corpus
from sop_plugin.publish import published
from sop_plugin.settings import Settings
from test_site_build import build

UNITS = """\
umum:
  name: Bagian Umum
  roles: [Staf Rumah Tangga, Kepala Bagian Umum]
"""


def sop(sop_id: str, title: str, *, extra: str = "", body: str = "", steps: str = "", status: str = "effective",
        quote_id: bool = True) -> str:
    sid = json.dumps(sop_id) if quote_id else sop_id
    return (f"---\nid: {sid}\ntitle: {json.dumps(title)}\nunit: umum\nstatus: {status}\nversion: 1\n"
            f"effective: 2026-01-05\n{extra}---\n\n# {title}\n\n{body}\n\n## Prosedur\n\n"
            + (steps or "1. Menerima berkas.\n    - pelaksana: Staf Rumah Tangga\n    - waktu: 1 jam\n"))


# Vectors of the issue, in a free section (Markdown the host renders)
FREE = r"""
## Tujuan

Tautan [a](java&#115;cript:alert(101)) [b](javascript&colon;alert(102)) [c](&#106;avascript:alert(103))
[d](javascript:alert(104)) [e](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMDUpPC9zY3JpcHQ+) [f](vbscript:msgbox(106))
<javascript:alert(107)> ![piksel](http://198.51.100.7/pixel.png) ![p2](//198.51.100.7/p.png)

- daftar [ref1]

    [ref1]: javascript:alert(108)

> kutipan [ref2]
>
> [ref2]: javascript:alert(109)

[tautan attr](http://127.0.0.1/){: href="javascript:alert(110)" onclick="alert(111)" }

Paragraf bergaya
{: style="position:fixed;top:0;left:0;width:100%;height:100%;background:url(http://198.51.100.7/bg.png)" }

<div onmouseover="alert(112)" style="position:fixed">raw <b>tebal</b></div>
<img src=x onerror=alert(113)>
<svg onload=alert(114)></svg>
<iframe src="http://198.51.100.7/"></iframe>
<script>alert(115)</script>
<a href="jav&#x09;ascript:alert(116)">tab</a>
<form action="http://198.51.100.7/"><button formaction="javascript:alert(117)">kirim</button></form>
<link rel="stylesheet" href="http://198.51.100.7/x.css">
<style>@import url(http://198.51.100.7/y.css);</style>
<details open ontoggle="alert(118)"><summary>rincian</summary>isi</details>

## Judul &lt;img src=x onerror=alert(119)&gt;

## Bentrok {: #step-1 }
"""

EVIL_STEPS = r"""1. Menerima <img src=x onerror=alert(120)> [x](javascript:alert(121)) ![r](http://198.51.100.7/s.png)

    Rincian <script>alert(122)</script> [y](java&#115;cript:alert(123)) {: onclick="alert(124)" }

    - pelaksana: Staf Rumah Tangga
    - kelengkapan: Berkas <b onclick="alert(125)">x</b>; [z](javascript:alert(126))
    - waktu: 1 jam
    - output: Hasil <svg onload=alert(127)>
    - keterangan: Catatan [w](javascript:alert(128)) ![n](https://198.51.100.7/n.png)

2. Memeriksa "]; click s1 call alert(129); x[" `</pre><script>alert(130)</script>`
    - pelaksana: Kepala Bagian Umum <img src=x onerror=alert(131)>
    - waktu: 1 jam
"""

SECRET_WORD = "Zirkonbiru"  # a body word of the confidential SOPs, found nowhere else
FLAGS = ["true", "yes", "True", '"true"', "1", "ya", "Ya", '"ya"', "on", "null", '""', "[true]"]


def _corpus(project: Path) -> None:
    sops = project / "sops"
    sops.mkdir(parents=True)
    (sops / "units.yml").write_text(UNITS, encoding="utf-8")
    files: dict[str, str] = {}
    # 1. every field and free section hostile (ids are checked separately: a hostile id gets no page)
    files["jahat.md"] = sop(
        "SOP-JHT-001", 'Judul <script>alert(140)</script> "kutip" <img src=x onerror=alert(141)>',
        extra=textwrap.dedent("""\
            legal_basis: ["<script>alert(142)</script>", "[dasar](javascript:alert(143))"]
            equipment: ["<img src=x onerror=alert(144)>"]
            warnings: ["![w](http://198.51.100.7/w.png)"]
            related: ["SOP-JHT-002\\"><script>alert(145)</script>"]
            monitoring:
              - {date: 2026-02-01, by: "<b onclick=alert(146)>x</b>", finding: "[f](javascript:alert(147)) <img src=x onerror=alert(148)>", recommendation: revise}
            """),
        body=FREE, steps=EVIL_STEPS)
    # hostile ids: a newline with script, a quote, a path
    files["id-baris.md"] = sop("SOP-X-002\n<script>alert(150)</script>", "Id baris baru")
    files["id-kutip.md"] = sop('SOP-X-003"><img src=x onerror=alert(151)>', "Id kutip")
    files["id-path.md"] = sop("../../etc/passwd", "Id jalur")
    files["id-mermaid.md"] = sop('A"]; click A call alert(152); B["', "Id mermaid")
    # 2. confidential SOPs (every spelling of the flag) and a public SOP referring to them
    for i, flag in enumerate(FLAGS, start=1):
        key = "rahasia" if i % 2 else "confidential"
        files[f"rahasia/r{i:02d}.md"] = sop(
            f"SOP-RHS-{i:03d}", f"Pengamanan Brankas Lantai {i} Gedung Rektorat", extra=f"{key}: {flag}\n",
            body=f"## Tujuan\n\nKata sandi brankas {SECRET_WORD} tersimpan di pos jaga.",
            steps=f"1. Membuka brankas {SECRET_WORD}.\n    - pelaksana: Staf Rumah Tangga\n    - waktu: 1 jam\n")
    refs = textwrap.dedent("""\
        related: [SOP-RHS-001, SOP-RHS-002]
        """)
    files["rujukan.md"] = sop(
        "SOP-UMUM-010", "Rujukan ke SOP rahasia", extra=refs,
        body=("## Tujuan\n\nLihat juga SOP-RHS-003 (Pengamanan Brankas Lantai 3 Gedung Rektorat).\n\n"
              "## Lihat SOP-RHS-007 Pengamanan Brankas Lantai 7 Gedung Rektorat\n\nTeks."),
        steps=("1. Menyerahkan berkas.\n    - pelaksana: Staf Rumah Tangga\n    - waktu: 1 jam\n"
               "    - sop: SOP-RHS-004\n"
               "2. Mengarsipkan berkas.\n    - pelaksana: Staf Rumah Tangga\n    - waktu: 1 jam\n"
               "    - keterangan: sesuai SOP-RHS-005\n"))
    files["lama.md"] = sop("SOP-UMUM-011", "SOP lama", status="retired", extra="superseded_by: SOP-RHS-006\n")
    # 3. collisions: same slug, Monev page, duplicate id, reserved name
    files["bentrok/a.md"] = sop("SOP-UMUM-002", "Asli dua")
    files["bentrok/b.md"] = sop("SOP/UMUM/002", "Pembajak dua")
    files["bentrok/c.md"] = sop("SOP-UMUM-001", "Asli satu")
    files["bentrok/d.md"] = sop("SOP-UMUM-001-MONEV", "Pembajak formulir")
    files["bentrok/e.md"] = sop("SOP-UMUM-003", "Kembar pertama")
    files["bentrok/f.md"] = sop("SOP-UMUM-003", "Kembar kedua")
    files["bentrok/g.md"] = sop("sop-title", "Nama terlarang")
    # 5. a typo in an actor
    files["typo.md"] = sop("SOP-UMUM-012", "Salah ketik", steps="1. Menerima.\n    - pelaksana: Staf Rumah Tanga\n"
                                                                "    - waktu: 1 jam\n")
    for name, text in files.items():
        (sops / name).parent.mkdir(parents=True, exist_ok=True)
        (sops / name).write_text(text, encoding="utf-8")
    # 4. a symlink to an SOP outside sops_dir
    outside = project / "di-luar.md"
    outside.write_text(sop("SOP-LUAR-001", "Berkas di luar folder", body="## Tujuan\n\nKata Kuarsahitam."),
                       encoding="utf-8")
    (sops / "tautan.md").symlink_to(outside)
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# Portal uji\n\n::: sop-catalogue\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(textwrap.dedent("""\
        site_name: Uji
        theme:
          name: material
          language: id
          font: false
        markdown_extensions: [attr_list, toc, admonition, tables, footnotes, pymdownx.details]
        plugins:
          - search
          - sop:
              public: true
              today: "2026-06-01"
              simulate: {cases: 20}
        """), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("hostile")
    _corpus(project)
    result = build(project, project / "site", strict=False)
    assert result.returncode == 0, result.stderr[-4000:]
    project.joinpath("build.log").write_text(result.stderr, encoding="utf-8")
    return project


def _files(site: Path) -> list[tuple[Path, str]]:
    out = []
    for p in sorted(site.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        if p.suffix == ".gz":
            data = gzip.decompress(data)
        out.append((p, data.decode("utf-8", errors="replace")))
    return out


def test_public_build_names_no_confidential_sop_anywhere(hostile_site: Path) -> None:
    site = hostile_site / "site"
    assert any(p.suffix == ".gz" for p in site.rglob("*")), "the scan must cover compressed files"
    secrets = [SECRET_WORD] + [f"SOP-RHS-{i:03d}" for i in range(1, len(FLAGS) + 1)]
    secrets += [f"sop-rhs-{i:03d}" for i in range(1, len(FLAGS) + 1)] + ["Pengamanan Brankas", "Gedung Rektorat"]
    leaks = [(p.relative_to(site).as_posix(), s) for p, text in _files(site) for s in secrets if s.lower() in text.lower()]
    assert leaks == []
    # the references are still there, as the neutral placeholder without a link
    page = (site / "sop" / "sop-umum-010" / "index.html").read_text(encoding="utf-8")
    assert page.count("SOP terbatas") >= 4
    data = json.loads((site / "sops.json").read_text(encoding="utf-8"))
    ids = {s["id"] for s in data["sops"]}
    assert "SOP-UMUM-010" in ids and not any(i.startswith("SOP-RHS") for i in ids)


def test_no_absolute_build_path_in_output(hostile_site: Path) -> None:
    root = str(hostile_site)
    assert [p.name for p, text in _files(hostile_site / "site") if root in text] == []
    assert "Kuarsahitam" not in "".join(text for _, text in _files(hostile_site / "site"))


def test_hijacks_are_errors_and_take_no_page(hostile_site: Path) -> None:
    site = hostile_site / "site"
    log = (hostile_site / "build.log").read_text(encoding="utf-8")
    for code, files in {"SOP209": ("bentrok/a.md", "bentrok/b.md", "bentrok/c.md", "bentrok/d.md"),
                        "SOP201": ("bentrok/e.md", "bentrok/f.md"), "SOP210": ("bentrok/g.md",),
                        "SOP116": ("tautan.md",)}.items():
        for f in files:
            assert re.search(rf"sops/{re.escape(f)}:\d+:\d+: {code} ", log), (code, f)
    # neither side of a clash is published: nobody's page is replaced
    for slug in ("sop-umum-002", "sop-umum-003", "sop-title"):
        assert not (site / "sop" / slug).exists(), slug
    forms = (site / "sop" / "sop-umum-001-monev" / "index.html").read_text(encoding="utf-8")
    assert "Asli satu" in forms and "Pembajak" not in forms  # still SOP-UMUM-001's Monev forms
    assert not (site / "sop" / "sop-luar-001").exists()
    assert "Pembajak" not in (site / "sops.json").read_text(encoding="utf-8")


def test_hostile_ids_get_no_page_and_no_directive(hostile_site: Path) -> None:
    site = hostile_site / "site"
    pages = sorted(p.parent.name for p in (site / "sop").glob("*/index.html"))
    assert all(re.fullmatch(r"[a-z0-9-]+", name) for name in pages), pages
    all_html = "".join(text for p, text in _files(site) if p.suffix == ".html")
    assert "Id baris baru" not in all_html and "Id kutip" not in all_html and "Id jalur" not in all_html


def test_lint_reports_every_file_involved(tmp_path: Path) -> None:
    _corpus(tmp_path)
    diags = lint(tmp_path / "sops")
    by_code: dict[str, set[str]] = {}
    for d in diags:
        by_code.setdefault(d.code, set()).add(d.file)
    assert {"bentrok/a.md", "bentrok/b.md"} <= {f.rpartition("sops/")[2] for f in by_code["SOP209"]}
    clash = next(d for d in diags if d.code == "SOP209" and d.file.endswith("bentrok/b.md"))
    assert "bentrok/a.md" in clash.message  # names the other file
    assert len([f for f in by_code["SOP201"] if "bentrok/" in f]) == 2
    assert by_code["SOP115"]  # the quoted, numeric and Indonesian flags
    anchor = [d for d in diags if d.code == "SOP319"]
    assert anchor and all(d.file.endswith("jahat.md") for d in anchor)
    typo = next(d for d in diags if d.code == "SOP207" and d.file.endswith("typo.md"))
    assert typo.severity.value == "warning" and "Staf Rumah Tangga" in typo.hint
    corpus = load_corpus(tmp_path / "sops", Settings(today=TODAY, public=True))
    shown = {s.id for s in published(corpus, Settings(today=TODAY, public=True))}
    assert not any(i.startswith("SOP-RHS") for i in shown)
    assert shown.isdisjoint({"SOP-UMUM-002", "SOP/UMUM/002", "SOP-UMUM-001-MONEV", "SOP-UMUM-003", "sop-title"})
    assert "SOP-UMUM-001" in shown  # the victim of the Monev-page clash keeps its pages
    assert not any(s.path.endswith("tautan.md") for s in corpus.sops)
    assert validate(corpus)  # and nothing raised


@pytest.mark.browser
def test_chromium_crawl_runs_no_author_script(hostile_site: Path) -> None:
    from browserkit import Watch, browser, open_page, serve

    site = hostile_site / "site"
    pages = sorted({p.relative_to(site).parent.as_posix() for p in site.rglob("index.html")})
    assert "sop/sop-jht-001" in pages
    # every page with author text; the plain SOPs of the clash fixtures add nothing but time
    pages = [p for p in pages if not re.match(r"sop/sop-umum-0(01|11|12)", p)]
    watch = Watch()
    problems: list[tuple[str, str]] = []
    with serve(site) as base, browser() as ctx:
        for rel in pages:
            url = base + ("" if rel == "." else rel + "/")
            page = open_page(ctx, url, watch)
            page.wait_for_timeout(50)
            found = page.evaluate("""() => {
                const bad = [];
                for (const el of document.querySelectorAll('article *')) {
                    for (const a of el.attributes) {
                        const v = a.value.replace(/[\\s\\x00-\\x1f]+/g, '').toLowerCase();
                        const own = el.matches('form.sop-filter') && a.name === 'onsubmit' && a.value === 'return false';
                        if (a.name.startsWith('on') && !own) bad.push('handler ' + el.tagName + ' ' + a.name);
                        if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(a.name)
                            && /^(javascript|data|vbscript):/.test(v)) bad.push('url ' + a.name + '=' + v);
                    }
                    const style = (el.getAttribute('style') || '').replace(/\\s+/g, '').toLowerCase();
                    if (style.includes('position:fixed') || style.includes('url(')) bad.push('style ' + style);
                }
                for (const s of document.querySelectorAll('script')) {
                    if (/alert\\(1\\d\\d\\)/.test(s.textContent) && s.type !== 'application/json') bad.push('script');
                }
                return bad;
            }""")
            problems += [(rel, f) for f in found]
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            problems += [(rel, h) for h in hrefs if re.match(r"^(javascript|data|vbscript):", h, re.I)]
            # click every link (handlers run; the navigation itself is held back so that one load serves
            # all clicks: a javascript: or data: target is already refused above)
            page.evaluate("""() => {
                document.addEventListener('click', e => e.preventDefault(), true);
                for (const a of document.querySelectorAll('a[href]')) a.click();
            }""")
            page.close()
    assert problems == []
    assert watch.dialogs == []
    assert watch.blocked == [], watch.blocked[:10]


def test_validation_problems_are_cards_on_a_phone(hostile_site: Path) -> None:
    """The Monev view's list of validation problems (the bundled portal has none): a card per problem
    on a phone, the file and line across the card's width, not squeezed into a column of it."""
    from browserkit import assert_cards_on_a_phone, browser, serve

    with serve(hostile_site / "site") as base, browser() as ctx:
        page = ctx.new_page()
        assert_cards_on_a_phone(page, base + "monev/", "table.sop-problems-table")
        page.set_viewport_size({"width": 390, "height": 844})
        widths = page.evaluate("""() => { const t = document.querySelector('table.sop-problems-table');
            return [t.getBoundingClientRect().width, t.querySelector('tbody td.sop-place').getBoundingClientRect().width,
                    t.querySelectorAll('tbody tr').length]; }""")
        assert widths[2] >= 2 and widths[1] >= widths[0] - 40, widths
        page.close()
