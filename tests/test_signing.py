"""Content digests: stable under formatting, sensitive to meaning, and naming what changed."""

from __future__ import annotations

import base64

import pytest

from conftest import VALID_SOP, lint, mutate
from sop_plugin.cli.sign import edit_approval
from sop_plugin.model import Role, Severity
from sop_plugin.parsing import parse_sop
from sop_plugin.signing import (
    ApprovalState,
    Reason,
    DigestError,
    compare,
    content_digest,
    content_fingerprint,
    parse_digest,
    signature_status,
)


def parse(text: str):
    sop = parse_sop("a.md", text)
    assert not [d for d in sop.diagnostics if d.severity is Severity.ERROR], sop.diagnostics
    return sop


def v1_digest(sop) -> str:
    """The legacy one-line v1 digest (parts inline), still read; v2 keeps the parts in the sidecar."""
    steps, parts = content_fingerprint(sop).split(":")
    return content_digest(sop).replace(";v2;", ";v1;") + f";steps={steps};parts={parts}"


def digest(text: str) -> str:
    return v1_digest(parse(text))


BASE = digest(VALID_SOP)
BASE_V2 = content_digest(parse(VALID_SOP))

STEP4 = """4. Menyerahkan barang kepada pemohon. {#serah}
    - pelaksana: Staf Gudang
    - waktu: 30 menit
    - output: Tanda terima barang
"""

SAME = {
    "alias swap": lambda t: mutate(mutate(mutate(t, "judul:", "title:"), "    - pelaksana: Bendahara",
                                          "    - actor: Bendahara"), "    - waktu: 1 hari", "    - duration: 1 hari"),
    "reindent front-matter list": lambda t: mutate(t, "peralatan: [Komputer, Aplikasi SAKTI]",
                                                   "peralatan:\n    -   Komputer\n    -   Aplikasi SAKTI"),
    "reindent step fields": lambda t: mutate(t, STEP4, STEP4.replace("    - ", "   - ")),
    "reorder front-matter keys": lambda t: mutate(mutate(t, "judul: Permintaan Barang Persediaan\n", ""),
                                                  "status: effective\n",
                                                  "status: effective\njudul: Permintaan Barang Persediaan\n"),
    "YAML quoting": lambda t: mutate(t, "judul: Permintaan Barang Persediaan",
                                     "judul: 'Permintaan Barang Persediaan'"),
    "blank lines": lambda t: mutate(mutate(t, "## Tujuan\n", "## Tujuan\n\n\n"), "    - waktu: 30 menit\n",
                                    "\n    - waktu: 30 menit\n\n"),
    "rewrapped paragraph": lambda t: mutate(t, "Menjamin ketersediaan barang persediaan.",
                                            "Menjamin ketersediaan\nbarang   persediaan."),
    "duration in other units": lambda t: mutate(t, "waktu: 1 hari", "waktu: 8 jam"),
    "explicit next to the following step": lambda t: mutate(t, "lanjut: serah", "lanjut: 4"),
    "status change": lambda t: mutate(t, "status: effective", "status: retired"),
    "effective date": lambda t: mutate(t, "tanggal_efektif: 2026-04-01", "tanggal_efektif: 2026-05-01"),
    "approval records": lambda t: mutate(t, "    tanggal: 2026-03-07", "    tanggal: 2026-03-08"),
    "monitoring record": lambda t: mutate(t, "riwayat_revisi:", "monev:\n  - {tanggal: 2027-03-10, oleh: Tim BPM, "
                                                                  "rekomendasi: keep}\nriwayat_revisi:"),
    "revision summary": lambda t: mutate(t, "ringkasan: Menambah pemeriksaan anggaran", "ringkasan: Lain"),
    "CRLF line endings": lambda t: t.replace("\n", "\r\n"),
}


@pytest.mark.parametrize("name", list(SAME))
def test_formatting_and_records_do_not_change_the_digest(name):
    changed = SAME[name](VALID_SOP)
    assert changed != VALID_SOP
    assert digest(changed) == BASE


NEW_STEP = """5. Mengarsipkan tanda terima.
    - pelaksana: Staf Gudang
    - waktu: 10 menit
"""

INSERTED = """2. Mencatat permintaan.
    - pelaksana: Staf Gudang
    - waktu: 5 menit

"""

DIFFERENT = [
    ("title", "judul: Permintaan Barang Persediaan", "judul: Permintaan Barang", "title"),
    ("unit", "unit_kerja: biro-umum", "unit_kerja: keuangan", "unit"),
    ("version", "\nversi: 2", "\nversi: 3", "version (2 -> 3)"),
    ("legal basis", "dasar_hukum: [Perpres 16/2018", "dasar_hukum: [Perpres 12/2021", "legal basis"),
    ("warnings", "peringatan: [Barang tidak boleh", "peringatan: [Barang dilarang", "warnings"),
    ("team", "  pengawas: Dewi Anggraini", "  pengawas: Dewi A.", "team"),
    ("step activity", "3. Menyusun dokumen pemesanan.", "3. Menyusun dokumen pembelian.", "step 3 activity"),
    ("step details", "Formulir tersedia di aplikasi persediaan.", "Formulir tersedia di loket.", "step 1 details"),
    ("step actor", "    - pelaksana: Pemohon", "    - pelaksana: Pegawai", "step 1 actor"),
    ("step inputs", "Nota dinas unit", "Nota dinas", "step 1 inputs"),
    ("step duration", "waktu: 1-2 jam", "waktu: 1-3 jam", "step 2 duration"),
    ("step output", "output: Tanda terima barang", "output: Berita acara", "step 4 output"),
    ("step notes", "keterangan: Gunakan format baku", "keterangan: Format bebas", "step 3 notes"),
    ("branch target", "- Tidak -> selesai", "- Tidak -> 4", "step 2 flow"),
    ("branch probability", "Ya (80%) -> 3", "Ya (70%) -> 3", "step 2 flow"),
    ("decision question", "keputusan: Anggaran tersedia?", "keputusan: Anggaran cukup?", "step 2 flow"),
    ("next target", "lanjut: serah", "lanjut: selesai", "step 3 flow"),
    ("handover", "    - output: Tanda terima barang\n", "    - output: Tanda terima barang\n    - sop: SOP-KEU-002\n",
     "step 4 handover SOP"),
    ("free section", "Menjamin ketersediaan barang persediaan.", "Menjamin ketersediaan barang.", "section Tujuan"),
    ("section added", "## Catatan", "## Definisi\n\nIstilah.\n\n## Catatan", "section Definisi added"),
    ("step added", STEP4, STEP4 + "\n" + NEW_STEP, "step 5 added"),
    ("step inserted", "2. Memeriksa ketersediaan anggaran.", INSERTED + "2. Memeriksa ketersediaan anggaran.",
     "step 2 added"),
]


@pytest.mark.parametrize("old,new,expected", [d[1:] for d in DIFFERENT], ids=[d[0] for d in DIFFERENT])
def test_any_meaningful_change_changes_the_digest_and_is_named(old, new, expected):
    changed = mutate(VALID_SOP, old, new)
    sop = parse(changed)
    assert content_digest(sop) != BASE
    result = compare(sop, BASE)
    assert not result.matches
    assert expected in result.changed, result.changed
    assert expected in result.describe()


def test_inserted_step_does_not_blame_the_steps_after_it():
    changed = mutate(VALID_SOP, "2. Memeriksa ketersediaan anggaran.", INSERTED + "2. Memeriksa ketersediaan anggaran.")
    result = compare(parse(changed), BASE)
    # the old steps 3 and 4 are now 4 and 5, unchanged (their targets are anchors / the next step)
    assert not any(c.startswith(("step 4", "step 5")) for c in result.changed), result.changed


def test_removed_step_is_named():
    step1 = VALID_SOP[VALID_SOP.index("1. Mengisi formulir"):VALID_SOP.index("2. Memeriksa")]
    changed = mutate(mutate(VALID_SOP, step1, ""), "Ya (80%) -> 3", "Ya (80%) -> 2")
    result = compare(parse(changed), BASE)
    assert "step 1 removed" in result.changed, result.changed


def test_digest_format_is_versioned_and_starts_with_sha256():
    stored = parse_digest(BASE)
    assert BASE.startswith("sha256:")
    assert ";v1;" in BASE
    assert stored.version == 2 and stored.steps == 4
    assert len(stored.hex) == 64


def test_v2_digest_line_is_short_and_names_parts_with_the_sidecar_fingerprint():
    assert BASE_V2 == BASE.split(";steps=")[0].replace(";v1;", ";v2;")
    assert len("    digest: " + BASE_V2) < 100
    stored = parse_digest(BASE_V2)
    assert (stored.format, stored.version, stored.detailed) == ("v2", 2, False)
    fp = content_fingerprint(parse(VALID_SOP))
    changed = parse(mutate(VALID_SOP, "waktu: 1 hari", "waktu: 2 hari"))
    assert compare(changed, BASE_V2, fp).changed == compare(changed, BASE).changed != []
    assert compare(changed, BASE_V2).changed == []  # without the sidecar: changed, but cannot say where
    assert not compare(changed, BASE_V2).matches
    assert compare(changed, BASE_V2, "3:AAAA").changed == []  # an unreadable fingerprint is ignored


def test_digest_coverage_is_pinned():
    """Changing what the digest covers needs a new FORMAT and scripts/resign_samples.py (see digest.py)."""
    assert BASE_V2.split(";")[0] == "sha256:" + PINNED_HEX


PINNED_HEX = "5dd46c0270d25657d62d79b6844de3f7333d5b0812b1b5df279c40646430b43e"


def test_bare_sha256_digest_is_accepted_without_details():
    bare = BASE.split(";")[0]
    assert compare(parse(VALID_SOP), bare).matches
    result = compare(parse(mutate(VALID_SOP, "waktu: 1 hari", "waktu: 2 hari")), bare)
    assert not result.matches and result.changed == []
    assert "cannot tell" in result.describe()


@pytest.mark.parametrize("bad", [
    "md5:abc",
    "sha256:xyz",
    "sha256:" + "a" * 63,
    BASE.replace(";v1;", ";v9;"),
    BASE.split("parts=")[0] + "parts=AAAA",  # wrong length
    BASE.split(";version=")[0],  # "sha256:<hex>;v1" without the fingerprint
    BASE.replace(";v1;", ";v2;"),  # v2 keeps the fingerprint in the sidecar
    BASE_V2.split(";version=")[0],  # "sha256:<hex>;v2" without the version
    BASE + "!",
])
def test_malformed_digests_raise_digest_error(bad):
    with pytest.raises(DigestError):
        parse_digest(bad)


def test_fingerprint_length_matches_layout():
    raw = base64.urlsafe_b64decode(BASE.split("parts=")[1] + "==")
    # 12 identity fields * 2 bytes + 4 steps * (2 + 9 bytes) + 4 sections (H1, Tujuan, Prosedur, Catatan) * 4 bytes
    assert len(raw) == 12 * 2 + 4 * 11 + 4 * 4


# -- validation and binding state ---------------------------------------------------

def signed(text: str, roles=(0, 1, 2)) -> str:
    d = digest(text)
    for i in roles:
        text = edit_approval(text, i, digest=d, date=None)
    return text


def codes_of(diags, *wanted):
    return [d for d in diags if d.code in wanted]


def test_signed_sop_is_clean(sop_tree):
    root = sop_tree({"a.md": signed(VALID_SOP)})
    found = lint(root)
    assert codes_of(found, "SOP406", "SOP407", "SOP408", "SOP409") == []


def test_edit_after_signing_is_sop407_naming_the_change_and_sop408(sop_tree):
    text = mutate(signed(VALID_SOP), "    - pelaksana: Bendahara", "    - pelaksana: Kasir")
    root = sop_tree({"a.md": text})
    found = lint(root)
    mism = codes_of(found, "SOP407")
    assert len(mism) == 3
    assert all(d.severity is Severity.ERROR and "step 2 actor" in d.message for d in mism)
    assert {d.line for d in mism} == {i for i, l in enumerate(text.splitlines(), 1) if "digest:" in l}
    bumped = codes_of(found, "SOP408")
    assert len(bumped) == 1 and bumped[0].line == 5 and "3" in bumped[0].hint


def test_bumped_version_with_revision_entry_is_no_sop408(sop_tree):
    text = mutate(signed(VALID_SOP), "    - pelaksana: Bendahara", "    - pelaksana: Kasir")
    text = mutate(text, "\nversi: 2", "\nversi: 3")
    text = mutate(text, "riwayat_revisi:\n", "riwayat_revisi:\n  - {versi: 3, tanggal: 2026-05-01, ringkasan: Kasir}\n")
    found = lint(sop_tree({"a.md": text}))
    assert codes_of(found, "SOP408") == []
    assert len(codes_of(found, "SOP407")) == 3  # still needs re-signing
    assert "version (2 -> 3)" in codes_of(found, "SOP407")[0].message


def test_version_without_revision_entry_is_sop408(sop_tree):
    text = mutate(VALID_SOP, "  - {versi: 2, tanggal: 2026-03-02, ringkasan: Menambah pemeriksaan anggaran}\n",
                  "  - {versi: 1, tanggal: 2026-01-10, ringkasan: Awal}\n")
    found = codes_of(lint(sop_tree({"a.md": text})), "SOP408")
    assert len(found) == 1 and found[0].line == 5 and "version 2" in found[0].message


def test_malformed_digest_is_sop409(sop_tree):
    text = mutate(VALID_SOP, "    tanggal: 2026-03-05\n", "    tanggal: 2026-03-05\n    digest: sha256:nothex\n")
    found = codes_of(lint(sop_tree({"a.md": text})), "SOP409")
    assert len(found) == 1 and found[0].line == 26


def test_mismatch_in_a_draft_is_only_informational(sop_tree):
    text = mutate(signed(VALID_SOP, roles=(0,)), "status: effective", "status: draft")
    text = mutate(text, "waktu: 1 hari", "waktu: 2 hari")
    found = codes_of(lint(sop_tree({"a.md": text})), "SOP407", "SOP408")
    assert [(d.code, d.severity) for d in found] == [("SOP407", Severity.INFO)]


def test_signature_status_per_role():
    text = signed(VALID_SOP, roles=(0, 1))
    sop = parse(text)
    states = signature_status(sop)
    assert {r: v.state for r, v in states.items()} == {
        Role.MAKER: ApprovalState.CONTENT_BOUND, Role.REVIEWER: ApprovalState.CONTENT_BOUND,
        Role.LEADER: ApprovalState.UNSIGNED}
    assert states[Role.MAKER].is_bound and not states[Role.LEADER].is_bound
    changed = signature_status(parse(mutate(text, "waktu: 1 hari", "waktu: 2 hari")))[Role.MAKER]
    assert (changed.state, changed.reason, changed.is_bound) == (ApprovalState.INVALID, Reason.CONTENT_CHANGED, False)
    broken = parse(mutate(text, "digest: sha256:", "digest: sha257:", count=2))
    assert signature_status(broken)[Role.REVIEWER].reason is Reason.MALFORMED
    start = text.index("  - peran: pimpinan")
    end = text.index("simulasi:")
    missing = parse(text[:start] + text[end:])
    assert signature_status(missing)[Role.LEADER].state is ApprovalState.MISSING
