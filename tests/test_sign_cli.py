"""``sop sign``: the full signing cycle, byte-exact edits and refusals that leave the file untouched."""

from __future__ import annotations

import difflib

import pytest

from conftest import VALID_SOP, lint, mutate
from sop_plugin.cli import main
from sop_plugin.parsing import parse_sop
from sop_plugin.signing import content_digest

TODAY = "2026-06-01"


def sign(path, role, *extra):
    return main(["sign", str(path), "--role", role, "--today", TODAY, *extra])


def sign_all(path, *extra):
    for role in ("maker", "reviewer", "leader"):
        assert sign(path, role, *extra) == 0


def signature_codes(root):
    return [(d.code, d.message) for d in lint(root) if d.code in ("SOP406", "SOP407", "SOP408", "SOP409")]


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


@pytest.fixture
def tree(sop_tree):
    root = sop_tree({"biro-umum/a.md": VALID_SOP})
    return root, root / "biro-umum" / "a.md"


def test_full_cycle(tree, capsys):
    root, path = tree
    assert [c for c, _ in signature_codes(root)] == ["SOP406"] * 3
    sign_all(path)
    assert signature_codes(root) == []
    assert not [d for d in lint(root) if d.severity.value == "error"]

    # edit one step: every signature breaks, naming the step, and the version must rise
    text = path.read_text(encoding="utf-8")
    path.write_text(mutate(text, "waktu: 1-2 jam", "waktu: 2-3 jam"), encoding="utf-8")
    found = signature_codes(root)
    assert [c for c, _ in found].count("SOP407") == 3
    assert all("step 2 duration" in m for c, m in found if c == "SOP407")
    assert [c for c, _ in found].count("SOP408") == 1

    # the reviewer cannot re-sign before the maker has signed the new content
    assert sign(path, "reviewer", "--lang", "en") == 1
    assert "out of order" in capsys.readouterr().err

    # revise properly: new version, revisions entry, new effective date, three new signatures
    text = path.read_text(encoding="utf-8")
    text = mutate(text, "\nversi: 2", "\nversi: 3")
    text = mutate(text, "tanggal_efektif: 2026-04-01", "tanggal_efektif: 2026-06-01")
    text = mutate(text, "riwayat_revisi:\n", "riwayat_revisi:\n  - {versi: 3, tanggal: 2026-05-20, ringkasan: Waktu}\n")
    path.write_text(text, encoding="utf-8")
    sign_all(path)
    assert signature_codes(root) == []
    sop = parse_sop("a.md", path.read_text(encoding="utf-8"))
    # a renewed signature approves new content on a new day
    assert {str(a.date) for a in sop.approvals} == {TODAY}
    assert not [d for d in lint(root) if d.severity.value == "error"]


def test_only_digest_lines_are_added(tree):
    root, path = tree
    commented = mutate(VALID_SOP, "    nama: Rina Lestari\n", "    nama: Rina Lestari   # penulis\n")
    path.write_text(commented, encoding="utf-8")
    before = path.read_bytes()
    sign_all(path)
    after = path.read_bytes()
    removed, added = changed_lines(before.decode(), after.decode())
    assert removed == []
    digest = content_digest(parse_sop("a.md", commented))
    assert added == [f"    digest: {digest}\n"] * 3
    # signing again changes nothing
    sign_all(path)
    assert path.read_bytes() == after


def test_resign_replaces_digest_in_place_and_keeps_crlf(sop_tree):
    crlf = VALID_SOP.replace("\n", "\r\n")
    root = sop_tree({"a.md": crlf})
    path = root / "a.md"
    assert sign(path, "maker") == 0
    first = path.read_bytes()
    assert b"\r\n    digest: sha256:" in first and b"\n    digest" not in first.replace(b"\r\n    digest", b"")
    text = first.decode()
    path.write_bytes(mutate(text, "Gunakan format baku", "Gunakan format A4").encode())
    before = path.read_bytes().decode()
    assert sign(path, "maker") == 0
    removed, added = changed_lines(before, path.read_bytes().decode())
    # the digest line and (content changed: a renewed signature) the date line were replaced, nothing else
    assert len(removed) == len(added) == 2
    assert {l.split(":")[0].strip() for l in added} == {"digest", "tanggal"}
    assert all(l.endswith("\r\n") for l in added)
    assert f"tanggal: {TODAY}" in "".join(added)


@pytest.mark.parametrize("keys,date_key", [
    (("role", "name", "position"), "date"),
    (("peran", "nama", "jabatan"), "tanggal"),
])
def test_missing_date_is_written_in_the_entry_language(sop_tree, keys, date_key):
    role, name, position = keys
    entry = f"  - {role}: maker\n    {name}: Rina Lestari\n    {position}: Analis\n"
    text = mutate(VALID_SOP, "  - peran: pembuat\n    nama: Rina Lestari\n    jabatan: Analis Pengadaan\n"
                             "    nip: \"198703152010122001\"\n    tanggal: 2026-03-05\n", entry)
    root = sop_tree({"a.md": text})
    assert sign(root / "a.md", "maker") == 0
    removed, added = changed_lines(text, (root / "a.md").read_text(encoding="utf-8"))
    assert removed == []
    assert added[0] == f"    {date_key}: {TODAY}\n" and added[1].startswith("    digest: sha256:")


def test_date_option_wins(tree):
    root, path = tree
    assert sign(path, "maker", "--date", "2026-03-06") == 0
    assert "tanggal: 2026-03-06" in path.read_text(encoding="utf-8")


LEADER_ENTRY = "  - peran: pimpinan\n    nama: Prof. Ahmad Fauzi\n    jabatan: Kepala Biro Umum\n    tanggal: 2026-03-10\n"


@pytest.mark.parametrize("name,edit,setup,role,extra,reason", [
    ("missing entry", lambda t: mutate(t, LEADER_ENTRY, ""), ("maker", "reviewer"), "leader", (), "no approval entry"),
    ("reviewer before maker", None, (), "reviewer", (), "out of order"),
    ("leader before reviewer", None, ("maker",), "leader", (), "out of order"),
    ("no passing simulation", lambda t: mutate(t, "hasil: pass", "hasil: fail"), ("maker", "reviewer"), "leader", (),
     "simulation"),
    ("simulation after the signing date", lambda t: mutate(t, "  - tanggal: 2026-02-20", "  - tanggal: 2026-03-15"),
     ("maker", "reviewer"), "leader", (), "simulation"),
    ("parse errors", lambda t: mutate(t, "    - waktu: 30 menit", "    - wkatu: 30 menit"), (), "maker", (),
     "errors"),
    ("broken YAML", lambda t: mutate(t, "judul: Permintaan", "judul: [Permintaan"), (), "maker", (), "errors"),
    ("future date", None, (), "maker", ("--date", "2026-07-01"), "future"),
    ("date before the previous signer", None, ("maker",), "reviewer", ("--date", "2026-03-01"), "before"),
    ("flow-style entry", lambda t: mutate(t, "  - peran: pembuat\n    nama: Rina Lestari\n    jabatan: Analis Pengadaan\n"
                                             "    nip: \"198703152010122001\"\n    tanggal: 2026-03-05\n",
                                          "  - {peran: pembuat, nama: Rina Lestari, jabatan: Analis, tanggal: 2026-03-05}\n"),
     (), "maker", (), "flow style"),
])
def test_refusals_leave_the_file_untouched(sop_tree, capsys, name, edit, setup, role, extra, reason):
    text = edit(VALID_SOP) if edit else VALID_SOP
    root = sop_tree({"a.md": text})
    path = root / "a.md"
    for r in setup:
        assert sign(path, r) == 0, capsys.readouterr().err
    before = path.read_bytes()
    capsys.readouterr()
    assert sign(path, role, *extra, "--lang", "en") == 1
    err = capsys.readouterr().err
    assert "refused" in err and reason in err, err
    assert path.read_bytes() == before


def test_usage_errors_exit_2(tree, tmp_path):
    _, path = tree
    with pytest.raises(SystemExit) as exc:
        sign(path, "boss")
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        sign(tmp_path / "nope.md", "maker")
    assert exc.value.code == 2


def test_indonesian_role_names_are_accepted(tree):
    _, path = tree
    assert sign(path, "pembuat") == 0
    assert "digest: sha256:" in path.read_text(encoding="utf-8")


def test_empty_digest_line_is_filled_in_place_and_bom_kept(sop_tree):
    text = "\ufeff" + mutate(VALID_SOP, "    tanggal: 2026-03-05\n", "    digest:    # diisi oleh sop sign\n    tanggal: 2026-03-05\n")
    root = sop_tree({"a.md": text})
    path = root / "a.md"
    assert sign(path, "maker") == 0
    after = path.read_text(encoding="utf-8")
    assert after.startswith("\ufeff---\n")
    removed, added = changed_lines(text, after)
    assert removed == ["    digest:    # diisi oleh sop sign\n"]
    assert len(added) == 1 and added[0].startswith("    digest: sha256:") and added[0].endswith(" # diisi oleh sop sign\n")
    assert sign(path, "reviewer") == 0


def test_messages_are_in_the_site_language_indonesian_by_default(tree, capsys, tmp_path):
    root, path = tree
    # a refusal
    assert sign(path, "reviewer") == 1
    err = capsys.readouterr().err
    assert err == ("sop sign: ditolak: urutan penandatanganan tidak sesuai: pembuat belum menandatangani; "
                   f"jalankan 'sop sign {path} --role maker' terlebih dahulu\n{path} tidak diubah.\n")
    # a signature, and signing again
    assert sign(path, "maker") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{path} ditandatangani oleh Rina Lestari sebagai pembuat pada 2026-03-05: sha256:"), out
    assert sign(path, "maker") == 0
    assert capsys.readouterr().out == (f"{path}: tanda tangan pembuat sudah terikat pada isi ini; "
                                       "tidak ada yang perlu dilakukan\n")
    # a warning: a signers registry, and no --key
    (root / "signers.yml").write_text("penanda_tangan: []\n", encoding="utf-8")
    assert sign(path, "reviewer") == 0
    assert capsys.readouterr().err.startswith("sop sign: peringatan: ditandatangani tanpa --key: ")
    # English when asked, on the command line or by the site's mkdocs.yml
    assert sign(path, "reviewer", "--lang", "en") == 0
    out, err = capsys.readouterr()
    assert out == f"{path}: the reviewer (pemeriksa) signature is already bound to this content; nothing to do\n"
    assert err.startswith("sop sign: warning: signed without --key: ")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nplugins:\n  - sop:\n      lang: en\n", encoding="utf-8")
    assert sign(path, "leader", "--date", "2026-03-05", "-f", str(config)) == 1
    assert capsys.readouterr().err.startswith("sop sign: refused: the leader (pimpinan) would sign on 2026-03-05, "
                                              "before the reviewer (pemeriksa) signed (2026-03-07); use --date\n")


def test_a_refusal_reads_in_english_as_a_string():
    from sop_plugin.cli.sign import Refused
    from sop_plugin.i18n import msg

    exc = Refused(msg("cli.sign.future", date="2026-07-01", today="2026-06-01"))
    assert str(exc) == "the signing date 2026-07-01 lies in the future (today is 2026-06-01)"
    assert exc.said.text("id") == "tanggal penandatanganan 2026-07-01 masih di masa depan (hari ini 2026-06-01)"
