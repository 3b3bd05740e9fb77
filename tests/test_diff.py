"""``sop diff`` and the diff model: version pairs with known changes, each one named."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import VALID_SOP, git, mutate
from sop_plugin import i18n
from sop_plugin.cli import main
from sop_plugin.diff import diff_sops
from sop_plugin.parsing import parse_sop
from sop_plugin.render.changes import html_fragment, text_report

INSERTED = """\
3. Meminta persetujuan Kepala Biro Umum.
    - pelaksana: Pejabat Pengadaan
    - waktu: 1 jam
    - output: Persetujuan pemesanan

"""


def parse(text: str, name: str = "a.md"):
    return parse_sop(name, text)


def diff(old_text: str, new_text: str):
    return diff_sops(parse(old_text, "old.md"), parse(new_text, "new.md"))


def kinds(d):
    return [(s.kind, s.old_number, s.new_number, [f.field for f in s.fields]) for s in d.steps]


def renumber_after_insert(text: str) -> str:
    """Insert a step before step 3 and renumber 3 -> 4 and 4 -> 5 (anchors keep the flow right)."""
    text = mutate(text, "4. Menyerahkan barang", "5. Menyerahkan barang")
    text = mutate(text, "3. Menyusun dokumen", INSERTED + "4. Menyusun dokumen")
    return mutate(text, "- Ya (80%) -> 3", "- Ya (80%) -> 4")


def test_identical_versions_have_no_difference():
    d = diff(VALID_SOP, VALID_SOP)
    assert d.empty and d.steps == [] and d.front_matter == [] and d.sections == []


def test_changed_actor_is_named_with_old_and_new_value():
    d = diff(VALID_SOP, mutate(VALID_SOP, "pelaksana: Bendahara", "pelaksana: Verifikator Keuangan"))
    assert kinds(d) == [("changed", 2, 2, ["actor"])]
    f = d.steps[0].fields[0]
    assert (f.old, f.new) == ("Bendahara", "Verifikator Keuangan")


def test_inserted_step_is_added_and_later_steps_are_not_reported():
    d = diff(VALID_SOP, renumber_after_insert(VALID_SOP))
    # step 2's branch now says "-> 4", but that is the same step as before: not a change
    assert kinds(d) == [("added", None, 3, [])]
    assert d.steps[0].activity == "Meminta persetujuan Kepala Biro Umum."


def test_removed_step():
    new = mutate(VALID_SOP, """3. Menyusun dokumen pemesanan.
    - pelaksana: Pejabat Pengadaan
    - waktu: 1 hari
    - keterangan: Gunakan format baku
    - lanjut: serah

4. Menyerahkan""", "3. Menyerahkan")
    d = diff(VALID_SOP, new)
    # step 2's "Ya -> 3" now leads to what was step 4: a real change of the flow
    assert kinds(d) == [("changed", 2, 2, ["branches"]), ("removed", 3, None, [])]
    text = text_report(d, lambda k, **kw: i18n.t("id", k, **kw))
    assert "Cabang keputusan “Ya”: langkah 3 lama (dihapus) (80%) → langkah 3 (80%)" in text
    assert "Langkah 3 (lama) dihapus: Menyusun dokumen pemesanan." in text


@pytest.mark.parametrize("lang,before,after", [("id", "1 April 2026", "1 Mei 2026"),
                                               ("en", "April 1, 2026", "May 1, 2026")])
def test_dates_in_a_diff_are_written_in_the_readers_language(lang, before, after):
    """Front-matter dates are compared as ISO dates and shown as the language writes them, in the
    page section and in `sop diff` alike; a translator without a language leaves them as they are."""
    d = diff(VALID_SOP, mutate(VALID_SOP, "tanggal_efektif: 2026-04-01", "tanggal_efektif: 2026-05-01"))
    text = text_report(d, i18n.Translator(lang))
    assert f"{before} → {after}" in text and "2026-04-01" not in text
    html = html_fragment(d, i18n.Translator(lang))
    assert before in html and after in html and "2026-05-01" not in html
    assert "2026-04-01 → 2026-05-01" in text_report(d, lambda k, **kw: i18n.t(lang, k, **kw))


def test_moved_step_is_moved_not_removed_and_added():
    old = parse(VALID_SOP)
    lines = VALID_SOP.split("\n")
    first, last = old.steps[0].line - 1, old.steps[3].line - 1
    end = lines.index("## Catatan")
    # the last step (Menyerahkan barang, anchored #serah) becomes the first one
    moved = lines[:first] + lines[last:end] + lines[first:last] + lines[end:]
    text = "\n".join(moved)
    for a, b in (("4. Menyerahkan", "1. Menyerahkan"), ("1. Mengisi", "2. Mengisi"),
                 ("2. Memeriksa", "3. Memeriksa"), ("3. Menyusun", "4. Menyusun"), ("- Ya (80%) -> 3", "- Ya (80%) -> 4")):
        text = mutate(text, a, b)
    d = diff(VALID_SOP, text)
    assert kinds(d) == [("moved", 4, 1, [])]
    out = text_report(d, lambda k, **kw: i18n.t("id", k, **kw))
    assert "Langkah 4 dipindahkan menjadi langkah 1: Menyerahkan barang kepada pemohon." in out


def test_changed_branch_target_names_the_branch():
    d = diff(VALID_SOP, mutate(VALID_SOP, "- Tidak -> selesai", "- Tidak -> 4"))
    assert kinds(d) == [("changed", 2, 2, ["branches"])]
    f = d.steps[0].fields[0]
    assert [b["target"] for b in f.old] == [3, "end"]
    assert [b["target"] for b in f.new] == [3, 4]
    text = text_report(d, lambda k, **kw: i18n.t("id", k, **kw))
    assert "Cabang keputusan “Tidak”: selesai → langkah 4" in text


def test_every_step_field_is_compared_and_equivalent_durations_are_equal():
    new = VALID_SOP
    new = mutate(new, "Mengisi formulir permintaan barang.", "Mengisi formulir permintaan barang persediaan.")
    new = mutate(new, "Formulir tersedia di aplikasi persediaan.", "Formulir tersedia di SAKTI.")
    new = mutate(new, "kelengkapan: Formulir permintaan barang; Nota dinas unit", "kelengkapan: Formulir permintaan barang")
    new = mutate(new, "waktu: 15 menit", "waktu: 30 menit")
    new = mutate(new, "output: Formulir permintaan terisi", "output: Formulir terisi")
    new = mutate(new, "waktu: 1 hari", "waktu: 8 jam")  # the same working time: not a change
    new = mutate(new, "keterangan: Gunakan format baku", "keterangan: Gunakan format baku terbaru")
    new = mutate(new, "keputusan: Anggaran tersedia?", "keputusan: Anggaran cukup?")
    d = diff(VALID_SOP, new)
    assert kinds(d) == [
        ("changed", 1, 1, ["activity", "details", "inputs", "duration", "output"]),
        ("changed", 2, 2, ["decision"]),
        ("changed", 3, 3, ["notes"]),
    ]
    inputs = d.steps[0].fields[2]
    assert inputs.removed == ["Nota dinas unit"] and inputs.added == []


def test_front_matter_and_sections():
    new = mutate(VALID_SOP, "judul: Permintaan Barang Persediaan", "judul: Permintaan Barang Persediaan Kantor")
    new = mutate(new, "peralatan: [Komputer, Aplikasi SAKTI]", "peralatan: [Komputer, Aplikasi SAKTI, Pemindai]")
    new = mutate(new, "Menjamin ketersediaan barang persediaan.", "Menjamin ketersediaan barang persediaan kantor.")
    d = diff(VALID_SOP, new)
    assert [c.field for c in d.front_matter] == ["title", "equipment"]
    assert d.front_matter[1].added == ["Pemindai"]
    assert [(s.kind, s.heading) for s in d.sections] == [("changed", "Tujuan")]
    assert d.steps == []


def test_html_escapes_author_text():
    new = mutate(VALID_SOP, "pelaksana: Bendahara", "pelaksana: <script>alert(1)</script>")
    html = html_fragment(diff(VALID_SOP, new), lambda k, **kw: i18n.t("id", k, **kw))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'data-field="actor"' in html


# -- the command -------------------------------------------------------------------

@pytest.fixture
def pair(tmp_path):
    old, new = tmp_path / "v1.md", tmp_path / "v2.md"
    old.write_text(VALID_SOP, encoding="utf-8")
    text = renumber_after_insert(VALID_SOP)
    text = mutate(text, "pelaksana: Bendahara", "pelaksana: Verifikator Keuangan")
    new.write_text(mutate(text, "versi: 2\nstatus", "versi: 3\nstatus"), encoding="utf-8")
    return old, new


def test_cli_text_json_html(pair, capsys):
    old, new = pair
    assert main(["diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert "Langkah 3 ditambahkan: Meminta persetujuan Kepala Biro Umum." in out
    assert "Pelaksana: Bendahara → Verifikator Keuangan" in out
    assert "Versi: 2 → 3" in out

    assert main(["diff", str(old), str(new), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["steps"] == {"added": 1, "removed": 0, "moved": 0, "changed": 1}
    assert data["front_matter"] == [{"field": "version", "old": 2, "new": 3}]

    assert main(["diff", str(old), str(new), "--format", "html", "--lang", "en"]) == 1
    html = capsys.readouterr().out
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert "Step 3 added" in html and "http" not in html  # self-contained

    assert main(["diff", str(old), str(old)]) == 0


def test_cli_usage_errors(pair, capsys):
    old, _ = pair
    with pytest.raises(SystemExit) as exc:
        main(["diff", str(old)])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["diff", str(old), str(old.parent / "missing.md")])
    assert exc.value.code == 2
    assert "does not exist" in capsys.readouterr().err


def test_cli_content_errors_are_in_the_site_language(pair, capsys):
    """A file the author must fix is named in the site's language (Indonesian by default)."""
    old, new = pair
    new.write_bytes(b"\xff\xfe")
    with pytest.raises(SystemExit) as exc:
        main(["diff", str(old), str(new)])
    assert exc.value.code == 2
    assert f"'{new}' tidak dapat dibaca: berkas ini bukan teks UTF-8 (" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["diff", str(old), "--since-signed", "--lang", "en"])
    assert exc.value.code == 2
    assert f"'{old}' has no signature with a digest, here or in its git history" in capsys.readouterr().err


def _commit(root, rev: str) -> str:
    """A commit as the diff quotes it (its first eight hex digits)."""
    return subprocess.run(["git", "rev-parse", rev], cwd=root, capture_output=True, text=True, check=True).stdout[:8]


def test_cli_rev_and_since_signed(sop_tree, capsys, monkeypatch):
    root = sop_tree({"biro-umum/a.md": VALID_SOP})
    path = root / "biro-umum" / "a.md"
    monkeypatch.chdir(root)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "versi 2")
    for role in ("maker", "reviewer", "leader"):
        assert main(["sign", "biro-umum/a.md", "--role", role, "--today", "2026-06-01"]) == 0
    git(root, "commit", "-qam", "ditandatangani")
    signed = path.read_text(encoding="utf-8")
    # a new version: the approvals (and their digests) are gone from the file
    assert main(["new", "--from", "SOP-UMUM-004", "--dir", ".", "--today", "2026-07-01"]) == 0
    git(root, "commit", "-qam", "versi 3")
    text = path.read_text(encoding="utf-8")
    path.write_text(mutate(text, "pelaksana: Bendahara", "pelaksana: Verifikator Keuangan"), encoding="utf-8")
    capsys.readouterr()

    assert main(["diff", "biro-umum/a.md", "--rev", "HEAD", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [(s["kind"], s["new_number"], [f["field"] for f in s["fields"]]) for s in data["steps"]] == [
        ("changed", 2, ["actor"])]
    assert data["front_matter"] == []
    # the revision as the author named it, and its commit's date apart
    assert [data["old"]["label"], data["old"]["date"]] == ["biro-umum/a.md@HEAD", "2026-01-01"]
    assert main(["diff", "biro-umum/a.md", "--rev", "HEAD"]) == 1
    assert "biro-umum/a.md@HEAD 1 Januari 2026" in capsys.readouterr().out

    assert main(["diff", "biro-umum/a.md", "--since-signed", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["old"]["version"] == 2 and data["new"]["version"] == 3
    # where the signed content was found: the commit, and its date apart (not parsed out of a label)
    assert [data["old"]["label"], data["old"]["date"]] == [_commit(root, "HEAD~1"), "2026-01-01"]
    assert [s["kind"] for s in data["steps"]] == ["changed"]
    assert {c["field"] for c in data["front_matter"]} >= {"version", "status", "approvals"}

    # signed content still in the file: nothing changed since signing
    path.write_text(signed, encoding="utf-8")
    assert main(["diff", "biro-umum/a.md", "--since-signed"]) == 0

    with pytest.raises(SystemExit) as exc:
        main(["diff", "biro-umum/a.md", "--rev", "no-such-rev"])
    assert exc.value.code == 2


def test_draft_page_shows_changes_since_previous_version(sop_tree, monkeypatch):
    from sop_plugin.corpus import load_corpus
    from sop_plugin.pipeline import Portal
    from sop_plugin.render.context import RenderContext
    from sop_plugin.render.page import render_sop_page
    from sop_plugin.settings import Settings

    root = sop_tree({"biro-umum/a.md": VALID_SOP})
    monkeypatch.chdir(root)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "versi 2")
    assert main(["new", "--from", "SOP-UMUM-004", "--dir", ".", "--today", "2026-07-01"]) == 0
    path = root / "biro-umum" / "a.md"
    path.write_text(mutate(path.read_text(encoding="utf-8"), "- Tidak -> selesai", "- Tidak -> 4"), encoding="utf-8")

    def page(disabled=frozenset(), **options):
        settings = Settings(include_drafts=True, **options)
        corpus = load_corpus(root, settings)
        ctx = RenderContext.of(Portal.of(corpus, settings))
        return "\n".join(p.text for p in render_sop_page(corpus.sops[0], ctx, disabled))

    html = page()
    assert "Perubahan sejak versi 2" in html
    assert f"{_commit(root, 'HEAD')} 1 Januari 2026" in html  # the revision, its date in words
    assert "Cabang keputusan “Tidak”" in html and "selesai" in html
    assert 'data-field="version"' in html
    assert "Perubahan sejak" not in page(frozenset({"changes"}))
    assert "Perubahan sejak" not in page(audit_git=False)
    # an effective SOP's page has no such section
    git(root, "checkout", "-q", "--", ".")
    assert "Perubahan sejak" not in page()


def test_since_signed_without_history_names_the_changed_parts_from_the_digest(sop_tree, capsys, monkeypatch):
    root = sop_tree({"biro-umum/a.md": VALID_SOP})
    monkeypatch.chdir(root)
    for role in ("maker", "reviewer", "leader"):
        assert main(["sign", "biro-umum/a.md", "--role", role, "--today", "2026-06-01"]) == 0
    path = root / "biro-umum" / "a.md"
    path.write_text(mutate(path.read_text(encoding="utf-8"), "pelaksana: Bendahara", "pelaksana: Verifikator Keuangan"),
                    encoding="utf-8")
    capsys.readouterr()
    assert main(["diff", "biro-umum/a.md", "--since-signed", "--lang", "en"]) == 1
    assert capsys.readouterr().out.strip() == (
        "The signed content was not found in the git history; changed since signing: step 2 actor.")
    assert main(["diff", "biro-umum/a.md", "--since-signed", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out) == {"signed_content_found": False, "changed": ["step 2 actor"]}
    assert main(["diff", "biro-umum/a.md", "--since-signed", "--format", "html"]) == 1
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>") and "Perubahan sejak ditandatangani" in page
    assert "langkah 2 pelaksana" in page  # worded in the page's language


def test_replaced_step_is_removed_and_added_not_changed():
    new = mutate(VALID_SOP, """3. Menyusun dokumen pemesanan.
    - pelaksana: Pejabat Pengadaan
    - waktu: 1 hari
    - keterangan: Gunakan format baku""", """3. Mengirim surat pesanan kepada penyedia melalui SPSE.
    - pelaksana: Pejabat Pengadaan
    - waktu: 2 jam
    - output: Surat pesanan""")
    d = diff(VALID_SOP, new)
    # step 2's "Ya -> 3" now leads to the new step: that is reported too
    assert kinds(d) == [("changed", 2, 2, ["branches"]), ("removed", 3, None, []), ("added", None, 3, [])]


def test_reworded_activity_is_a_changed_step():
    d = diff(VALID_SOP, mutate(VALID_SOP, "3. Menyusun dokumen pemesanan.", "3. Menyusun dokumen pemesanan barang."))
    assert kinds(d) == [("changed", 3, 3, ["activity"])]


def test_html_marks_only_the_changed_words():
    new = mutate(VALID_SOP, "3. Menyusun dokumen pemesanan.", "3. Menyusun dokumen pemesanan barang.")
    new = mutate(new, "Menjamin ketersediaan barang persediaan.", "Menjamin ketersediaan barang persediaan kantor.")
    html = html_fragment(diff(VALID_SOP, new), lambda k, **kw: i18n.t("id", k, **kw))
    assert '<td data-label="Sebelumnya">Menyusun dokumen <del>pemesanan.</del></td>' in html
    assert '<td data-label="Sekarang">Menyusun dokumen <ins>pemesanan barang.</ins></td>' in html
    assert "Menjamin ketersediaan barang <ins>persediaan kantor.</ins>" in html
