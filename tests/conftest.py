"""Shared test helpers: a valid SOP fixture and a factory for temporary SOP trees.

Keep this file small and generic; it is shared by every test module.

* ``VALID_SOP`` — a complete, valid *effective* SOP (Indonesian, contract v1)
  with approvals, simulation, socialisation and review.  Tests mutate it
  with :func:`mutate`; its line numbers are fixed (see ``VALID_LINES``).
* ``VALID_UNITS`` — the ``units.yml`` that goes with it.
* ``sop_tree`` fixture — ``sop_tree({"a.md": text, ...})`` writes a tree
  (with ``units.yml`` unless ``units=None``) and returns its root.
* :func:`lint` — parse + validate a tree with a pinned ``today``.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path
from typing import Callable

import pytest

from sop_plugin.checks import validate
from sop_plugin.corpus import load_corpus
from sop_plugin.model import Diagnostic
from sop_plugin.settings import Settings

# The day the tests judge review dates against: the fixture's review is not due yet.
TODAY = dt.date(2026, 6, 1)

VALID_UNITS = """\
biro-umum:
  name: Biro Umum
  tugas: [Mengelola persediaan barang]
  wewenang: [Menyerahkan barang persediaan]
  roles: [Pemohon, Staf Gudang, Bendahara, Pejabat Pengadaan]
  demand: [Pemenuhan barang persediaan]
  enablers: [Aplikasi SAKTI]
keuangan:
  name: Biro Keuangan
  parent: biro-umum
  roles: [Verifikator Keuangan]
"""

VALID_SOP = """\
---
nomor: SOP-UMUM-004
judul: Permintaan Barang Persediaan
unit_kerja: biro-umum
versi: 2
status: effective
tanggal_pembuatan: 2026-01-10
tanggal_revisi: 2026-03-02
tanggal_efektif: 2026-04-01
dasar_hukum: [Perpres 16/2018 tentang Pengadaan Barang/Jasa Pemerintah]
kualifikasi_pelaksana: [Memahami aplikasi persediaan]
peralatan: [Komputer, Aplikasi SAKTI]
peringatan: [Barang tidak boleh diserahkan tanpa tanda terima]
pencatatan: [Kartu persediaan]
tim:
  penulis: Rina Lestari
  pelaksana_lapangan: Budi Santoso
  pengawas: Dewi Anggraini
  atasan_pengawas: Ahmad Fauzi
pengesahan:
  - peran: pembuat
    nama: Rina Lestari
    jabatan: Analis Pengadaan
    nip: "198703152010122001"
    tanggal: 2026-03-05
  - peran: pemeriksa
    nama: Dewi Anggraini
    jabatan: Kepala Subbagian Rumah Tangga
    tanggal: 2026-03-07
  - peran: pimpinan
    nama: Prof. Ahmad Fauzi
    jabatan: Kepala Biro Umum
    tanggal: 2026-03-10
simulasi:
  - tanggal: 2026-02-20
    peserta: [Staf Gudang, Pemohon]
    hasil: pass
    temuan: Langkah 4 butuh formulir BAST
sosialisasi:
  - tanggal: 2026-04-03
    peserta: [biro-umum, keuangan]
reviu:
  interval_bulan: 12
riwayat_revisi:
  - {versi: 2, tanggal: 2026-03-02, ringkasan: Menambah pemeriksaan anggaran}
---

# Permintaan Barang Persediaan

## Tujuan

Menjamin ketersediaan barang persediaan.

## Prosedur

1. Mengisi formulir permintaan barang.

    Formulir tersedia di aplikasi persediaan.

    - pelaksana: Pemohon
    - kelengkapan: Formulir permintaan barang; Nota dinas unit
    - waktu: 15 menit
    - output: Formulir permintaan terisi

2. Memeriksa ketersediaan anggaran. {#cek-anggaran}
    - pelaksana: Bendahara
    - waktu: 1-2 jam
    - output: Catatan ketersediaan anggaran
    - keputusan: Anggaran tersedia?
        - Ya (80%) -> 3
        - Tidak -> selesai

3. Menyusun dokumen pemesanan.
    - pelaksana: Pejabat Pengadaan
    - waktu: 1 hari
    - keterangan: Gunakan format baku
    - lanjut: serah

4. Menyerahkan barang kepada pemohon. {#serah}
    - pelaksana: Staf Gudang
    - waktu: 30 menit
    - output: Tanda terima barang

## Catatan

Bagian bebas setelah prosedur.
"""

# Where things are in VALID_SOP (1-based file lines); tests assert against these.
VALID_LINES = {
    "id": 2,
    "unit": 4,
    "version": 5,
    "status": 6,
    "created": 7,
    "revised": 8,
    "effective": 9,
    "team": 15,
    "approvals": 20,
    "approvals.0": 21,
    "approvals.0.date": 25,
    "approvals.1": 26,
    "approvals.1.date": 29,
    "approvals.2": 30,
    "approvals.2.date": 33,
    "simulations": 34,
    "simulations.0": 35,
    "socialization": 39,
    "review": 42,
    "revisions": 44,
    "procedure": 54,
    "step1": 56,
    "step1.actor": 60,
    "step1.inputs": 61,
    "step1.duration": 62,
    "step1.output": 63,
    "step2": 65,
    "step2.actor": 66,
    "step2.duration": 67,
    "step2.decision": 69,
    "step2.branch0": 70,
    "step2.branch1": 71,
    "step3": 73,
    "step3.actor": 74,
    "step3.notes": 76,
    "step3.next": 77,
    "step4": 79,
    "step4.actor": 80,
}


PROJECT = Path(__file__).resolve().parent.parent


def copy_portal(dest: Path) -> Path:
    """The bundled portal (mkdocs.yml, docs/, sops/, overrides/) copied to ``dest``, as a fresh clone has it."""
    import shutil

    dest.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "docs", "sops", "overrides"):
        src = PROJECT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy(src, dest / name)
    return dest


def git(repo: Path, *args: str, when: str = "2026-01-01T10:00:00+07:00", author: str = "Rina Lestari",
        email: str = "rina@example.ac.id") -> None:
    """Run git in ``repo`` as ``author`` at ``when``, whatever the machine's git configuration."""
    env = dict(os.environ, GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL=email, GIT_AUTHOR_DATE=when,
               GIT_COMMITTER_NAME=author, GIT_COMMITTER_EMAIL=email, GIT_COMMITTER_DATE=when,
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def mutate(text: str, old: str, new: str, count: int = 1) -> str:
    """Replace ``old`` by ``new`` in ``text``; fail loudly if ``old`` is not there ``count`` times."""
    found = text.count(old)
    assert found == count, f"expected {count} occurrence(s) of {old!r}, found {found}"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only line of ``text`` that contains ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}"
    return hits[0]


def write_tree(root: Path, files: dict[str, str | bytes], units: str | None = VALID_UNITS) -> Path:
    """Write ``files`` (relative path -> text or bytes) and ``units.yml`` below ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    if units is not None:
        (root / "units.yml").write_text(units, encoding="utf-8")
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8", newline="")
    return root


@pytest.fixture
def sop_tree(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``sop_tree({"biro-umum/a.md": text}, units=VALID_UNITS, name="sops")`` -> root path."""

    def make(files: dict[str, str | bytes], units: str | None = VALID_UNITS, name: str = "sops") -> Path:
        return write_tree(tmp_path / name, files, units)

    return make


def settings(**kwargs) -> Settings:
    kwargs.setdefault("today", TODAY)
    return Settings(**kwargs)


def lint(root: Path, **kwargs) -> list[Diagnostic]:
    """Every diagnostic of the tree at ``root`` (paths relative to ``root``)."""
    s = settings(**kwargs)
    return validate(load_corpus(root, s, display_base=root), s)
