"""The SOP-AP identity block and the lembar pengesahan."""

from __future__ import annotations

import dataclasses
import re

from conftest import VALID_SOP, VALID_UNITS, mutate, write_tree
from sop_plugin.corpus import load_corpus
from sop_plugin.model import Role
from sop_plugin.render import identity
from sop_plugin.pipeline import Portal
from sop_plugin.render.context import RenderContext
from sop_plugin.settings import Settings


def _ctx(tmp_path, text=VALID_SOP, **options):
    other = mutate(mutate(VALID_SOP, "nomor: SOP-UMUM-004", "nomor: SOP-KEU-002"),
                   "judul: Permintaan Barang Persediaan", "judul: Pembayaran Tagihan")
    root = write_tree(tmp_path / "sops", {"a.md": text, "b.md": other}, units=VALID_UNITS)
    corpus = load_corpus(root, Settings())
    ctx = RenderContext.of(Portal.of(corpus, Settings.from_options(options)))
    ctx.links.current = "sop/sop-umum-004/"
    return corpus.get("SOP-UMUM-004"), ctx


def test_identity_shows_the_sop_ap_fields(tmp_path):
    text = mutate(VALID_SOP, "peralatan: [Komputer, Aplikasi SAKTI]",
                  "peralatan: [Komputer, Aplikasi SAKTI]\nketerkaitan: [SOP-KEU-002]")
    sop, ctx = _ctx(tmp_path, text, institution={"name": "Universitas Nusantara", "logo": "img/logo.png"})
    html = identity.identity_block(sop, ctx)
    for needle in ("Universitas Nusantara", "Biro Umum", "SOP-UMUM-004", "10 Januari 2026", "2 Maret 2026",
                   "1 April 2026", "Prof. Ahmad Fauzi", "Kepala Biro Umum", "Permintaan Barang Persediaan",
                   "Perpres 16/2018", "Memahami aplikasi persediaan", "Aplikasi SAKTI",
                   "Barang tidak boleh diserahkan tanpa tanda terima", "Kartu persediaan",
                   "Dasar Hukum", "Kualifikasi Pelaksana", "Keterkaitan", "Peralatan/Perlengkapan",
                   "Peringatan", "Pencatatan dan Pendataan", "Disahkan oleh"):
        assert needle in html, needle
    assert 'href="../sop-keu-002/"' in html and "Pembayaran Tagihan" in html
    assert 'src="../../img/logo.png"' in html


def test_identity_english_and_hostile_values(tmp_path):
    text = mutate(VALID_SOP, "judul: Permintaan Barang Persediaan", 'judul: "<script>x()</script> Barang"')
    sop, ctx = _ctx(tmp_path, text, institution={"name": "<b>Univ</b>", "logo": "javascript:alert(1)"})
    ctx.lang = "en"
    html = identity.identity_block(sop, ctx)
    assert "<script" not in html and "<b>Univ" not in html and "javascript:" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;Univ" in html
    assert "January 10, 2026" in html and "Legal basis" in html


def test_identity_with_missing_fields(tmp_path):
    sop, ctx = _ctx(tmp_path)
    bare = dataclasses.replace(sop, created=None, legal_basis=[], approvals=[], unit="nowhere", related=["SOP-X-001"])
    html = identity.identity_block(bare, ctx)
    assert "nowhere" in html and "SOP-X-001" in html and "SOP-X-001</a>" not in html
    # every missing field is shown as such, in its own row: nothing is dropped or left as "None"
    created = re.search(r'Tanggal Pembuatan</th><td>(.*?)</td>', html)
    assert created and created.group(1) == "-"
    assert "None" not in html
    full = identity.identity_block(sop, ctx)
    assert "Tanggal Pembuatan</th><td>-</td>" not in full  # the complete SOP shows its date


def test_lembar_pengesahan_three_boxes_with_meaning_and_binding(tmp_path):
    sop, ctx = _ctx(tmp_path)
    html = identity.approvals_block(sop, ctx)
    for needle in ("Disusun oleh", "Diperiksa oleh", "Disahkan oleh", "Rina Lestari", "Analis Pengadaan",
                   "NIP. 198703152010122001", "5 Maret 2026", "Dewi Anggraini", "Prof. Ahmad Fauzi"):
        assert needle in html, needle
    assert html.count('class="sop-approval ') == 3
    # the fixture's approvals carry no digest: not bound
    assert html.count('data-state="unsigned"') == 3


def test_bound_signature_and_missing_role(tmp_path):
    from sop_plugin.signing import content_digest

    sop, ctx = _ctx(tmp_path)
    maker = sop.approval(Role.MAKER)
    signed = dataclasses.replace(maker, digest=content_digest(sop))
    changed = dataclasses.replace(sop.approval(Role.REVIEWER), digest="sha256:" + "0" * 64)
    sop2 = dataclasses.replace(sop, approvals=[signed, changed])
    html = identity.approvals_block(sop2, ctx)
    assert 'data-role="maker" data-state="content_bound"' in html
    assert "belum terverifikasi" in html  # no signers registry: bound to the content, nobody checked who
    assert 'data-role="reviewer" data-state="invalid"' in html
    assert "isi berubah sejak ditandatangani" in html
    assert 'data-role="leader" data-state="missing"' in html
    assert "sop-approval-empty" in html
    # the state in plain Indonesian for staff, no jargon
    boxes = {role: html.split(f'data-role="{role}"')[1].split("data-role=")[0] for role in ("maker", "reviewer", "leader")}
    assert "Ditandatangani oleh Rina Lestari" in boxes["maker"]
    assert "berubah" in boxes["reviewer"]
    assert "Belum ditandatangani" in boxes["leader"]
    assert "digest" not in html.lower()


def test_approval_sheet_has_room_for_ink_name_position_nip_and_date(tmp_path):
    sop, ctx = _ctx(tmp_path)
    html = identity.approvals_block(sop, ctx)
    boxes = re.findall(r'<div class="sop-approval sop-approval-(\w+)', html)
    assert boxes == ["maker", "reviewer", "leader"]
    for part in ("sop-approval-meaning", "sop-approval-position", "sop-approval-sign", "sop-approval-name",
                 "sop-approval-nip", "sop-approval-date", "sop-approval-state"):
        assert html.count(f'class="{part}') == 3, part
    assert html.count('aria-label="Ruang tanda tangan basah"') == 3
    # the reviewer has no NIP: a blank line to fill in by hand, not nothing
    reviewer = html.split('data-role="reviewer"')[1].split('data-role="leader"')[0]
    assert "NIP. " in reviewer and "sop-approval-blank" in reviewer
    assert "Belum ditandatangani" in reviewer


def test_print_frame_headers_footers_and_watermark(tmp_path):
    sop, ctx = _ctx(tmp_path, today="2026-06-01")
    html = identity.identity_block(sop, ctx)
    assert "@page" in html and "counter(page)" in html and "counter(pages)" in html
    assert '"Halaman " counter(page) " dari " counter(pages)' in html
    assert "SOP\\2d UMUM\\2d 004" in html  # the SOP number, CSS-escaped
    assert "sop-watermark" not in html  # effective since 1 April 2026: in force
    early, ctx = _ctx(tmp_path / "early", today="2026-03-01")
    assert "DRAF — BELUM BERLAKU" in identity.identity_block(early, ctx)  # not yet effective
    draft, ctx = _ctx(tmp_path / "draft", mutate(VALID_SOP, "status: effective", "status: draft"), today="2026-06-01")
    assert "DRAF — BELUM BERLAKU" in identity.identity_block(draft, ctx)
    hostile, ctx = _ctx(tmp_path / "hostile", mutate(VALID_SOP, "judul: Permintaan Barang Persediaan",
                                                      'judul: "</style><script>x()</script>"'))
    frame = identity.identity_block(hostile, ctx).split("</style>")[0]
    assert "<script" not in frame and "}" not in frame.split("content:")[1].split(";")[0]
