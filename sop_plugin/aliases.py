"""The one table of keys: canonical English key -> its Indonesian alias.

Each *context* (the front matter's top level, a step, an approval, ...) has
its own table.  Both spellings mean the same thing and may be mixed in one
file.  Value aliases (``pembuat`` for ``maker``, ...) live here too.
"""

from __future__ import annotations

import difflib
import functools

from .i18n import Msg, msg

KEYS: dict[str, dict[str, str]] = {
    "front_matter": {
        "id": "nomor",
        "title": "judul",
        "unit": "unit_kerja",
        "version": "versi",
        "status": "status",
        "created": "tanggal_pembuatan",
        "revised": "tanggal_revisi",
        "effective": "tanggal_efektif",
        "legal_basis": "dasar_hukum",
        "qualifications": "kualifikasi_pelaksana",
        "related": "keterkaitan",
        "equipment": "peralatan",
        "warnings": "peringatan",
        "records": "pencatatan",
        "team": "tim",
        "approvals": "pengesahan",
        "simulations": "simulasi",
        "socialization": "sosialisasi",
        "review": "reviu",
        "monitoring": "monev",
        "revisions": "riwayat_revisi",
        "superseded_by": "digantikan_oleh",
        "confidential": "rahasia",
    },
    "step": {
        "actor": "pelaksana",
        "inputs": "kelengkapan",
        "duration": "waktu",
        "output": "output",
        "notes": "keterangan",
        "decision": "keputusan",
        "next": "lanjut",
        "sop": "sop",
    },
    "team": {
        "writer": "penulis",
        "field_executor": "pelaksana_lapangan",
        "supervisor": "pengawas",
        "supervisor_superior": "atasan_pengawas",
    },
    "approval": {
        "role": "peran",
        "name": "nama",
        "position": "jabatan",
        "nip": "nip",
        "date": "tanggal",
        "digest": "digest",
    },
    "signers": {
        "signers": "penandatangan",
        "format": "format",
    },
    "signer": {
        "name": "nama",
        "nip": "nip",
        "positions": "jabatan",
        "keys": "kunci",
    },
    "signer_key": {
        "key": "publik",
        "valid_from": "berlaku_mulai",
        "valid_until": "berlaku_sampai",
        "revoked": "dicabut",
    },
    "simulation": {
        "date": "tanggal",
        "participants": "peserta",
        "result": "hasil",
        "findings": "temuan",
    },
    "socialization": {
        "date": "tanggal",
        "audience": "peserta",
        "notes": "keterangan",
    },
    "review": {
        "interval_months": "interval_bulan",
    },
    "monitoring": {
        "date": "tanggal",
        "by": "oleh",
        "finding": "temuan",
        "recommendation": "rekomendasi",
    },
    "revision": {
        "version": "versi",
        "date": "tanggal",
        "summary": "ringkasan",
    },
    "unit": {
        "name": "nama",
        "duties": "tugas",
        "authority": "wewenang",
        "parent": "induk",
        "roles": "peran",
        "demand": "proses_bisnis",
        "enablers": "pendukung",
        "capacity": "kapasitas",
        "numbering": "penomoran",
        "team": "tim",
    },
}

# Indonesian spellings accepted for enumerated values.
VALUES: dict[str, dict[str, str]] = {
    "status": {
        "draf": "draft",
        "konsep": "draft",
        "reviu": "review",
        "disetujui": "approved",
        "berlaku": "effective",
        "efektif": "effective",
        "dicabut": "retired",
        "tidak_berlaku": "retired",
    },
    "role": {
        "pembuat": "maker",
        "pemeriksa": "reviewer",
        "pengoreksi": "reviewer",
        "pimpinan": "leader",
    },
    "result": {"lulus": "pass", "berhasil": "pass", "gagal": "fail"},
    "recommendation": {"pertahankan": "keep", "tetap": "keep", "revisi": "revise"},
}

END_WORDS = frozenset({"end", "selesai"})


def canonical(context: str, key: str) -> str | None:
    """The canonical key for ``key`` (either spelling) in ``context``, or ``None``.

    The key returned is the table's own string, the same object for every SOP and step:
    a portal holds one per field and line of every file (``field_lines``).
    """
    return _spellings(context).get(key.strip().lower())


@functools.cache
def _spellings(context: str) -> dict[str, str]:
    """Every spelling of ``context``'s keys -> its canonical key (a canonical key wins over
    an alias spelled the same; the first alias wins over a later one)."""
    out = {canon: canon for canon in KEYS[context]}
    for canon, alias in KEYS[context].items():
        out.setdefault(alias, canon)
    return out


def known_keys(context: str) -> list[str]:
    table = KEYS[context]
    return sorted(set(table) | set(table.values()))


def suggest(context: str, key: str) -> str | None:
    """The closest known key (either spelling), for "did you mean" hints."""
    match = difflib.get_close_matches(key.strip().lower(), known_keys(context), n=1, cutoff=0.5)
    if match:
        return match[0]
    return None


def key_hint(context: str, key: str) -> Msg:
    """The hint for an unknown key: "did you mean 'judul'?", else every key ``context`` knows."""
    near = suggest(context, key)
    if near:
        return msg("diag.did_you_mean", near=near)
    return msg("diag.step_fields" if context == "step" else "diag.known_keys", keys=", ".join(known_keys(context)))


def canonical_value(kind: str, value: str) -> str:
    v = value.strip().lower()
    return VALUES.get(kind, {}).get(v, v)


def display_key(context: str, canon: str) -> str:
    alias = KEYS[context].get(canon)
    if alias and alias != canon:
        return f"{canon} / {alias}"
    return canon
