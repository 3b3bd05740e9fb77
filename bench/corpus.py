"""A seeded synthetic corpus of effective, approved SOPs for the benchmarks.

Each SOP has 5–40 steps, 2–8 actors from its own and a neighbouring unit,
decisions with probabilities, some loops back, duration ranges, documents
shared across SOPs, related SOPs and sub-SOP handovers, three approvals and a
passing simulation; ten SOPs per unit.  The same files serve the portal and
the plain mkdocs-material baseline (one page per SOP, grouped by unit).  The
portal project is a git checkout with one commit per unit, as on CI, so the
build reads an audit trail for every SOP.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path

import yaml

OVERRIDES = Path(__file__).resolve().parent.parent / "overrides"

APPROVALS = [
    {"role": "maker", "name": "Rina Lestari", "position": "Analis Tata Laksana", "date": "2025-04-01"},
    {"role": "reviewer", "name": "Dewi Anggraini", "position": "Kepala Subbagian", "date": "2025-04-02"},
    {"role": "leader", "name": "Ahmad Fauzi", "position": "Kepala Biro", "date": "2025-04-03"},
]
VERBS = ["Menerima", "Memeriksa", "Memverifikasi", "Menyusun", "Mengajukan", "Menyetujui", "Mencatat",
         "Mengarsipkan", "Menyerahkan", "Membayar", "Menginput", "Menandatangani"]
OBJECTS = ["berkas permohonan", "surat pengantar", "nota dinas", "daftar hadir", "berita acara",
           "kuitansi pembayaran", "formulir peminjaman", "laporan kegiatan", "surat keputusan", "rencana anggaran"]
DURATIONS = ["15 menit", "30 menit", "1 jam", "1-2 jam", "2 jam", "1 hari", "1-3 hari", "1 jam 30 menit"]


def write_corpus(root: Path, n: int, seed: int = 7) -> list[Path]:
    """Write ``n`` SOPs and ``units.yml`` below ``root / "sops"``; returns the SOP files."""
    rng = random.Random(seed)
    units_n = max(2, n // 10)
    units = {}
    for u in range(units_n):
        units[f"unit-{u:03d}"] = {
            "name": f"Biro Layanan {u:03d}", "duties": [f"Melaksanakan layanan {u}"],
            "authority": [f"Menetapkan prosedur {u}"], "parent": "unit-000" if u else None,
            "roles": [f"Kepala Biro {u:03d}", f"Staf Administrasi {u:03d}", f"Verifikator {u:03d}",
                      f"Bendahara {u:03d}"],
            "demand": [f"Layanan {u}"], "enablers": ["Aplikasi Terpadu"],
        }
    sops = root / "sops"
    sops.mkdir(parents=True, exist_ok=True)
    (sops / "units.yml").write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    docs = [f"{rng.choice(OBJECTS).capitalize()} {k:04d}" for k in range(max(20, n // 2))]
    files = []
    for i in range(n):
        u = i // 10 % units_n
        other = (u + 1) % units_n
        unit = f"unit-{u:03d}"
        pool = [r for key in (u, other) for r in units[f"unit-{key:03d}"]["roles"]]
        actors = rng.sample(pool, rng.randint(2, min(8, len(pool))))
        steps_n = rng.randint(5, 40)
        front = {
            "id": f"SOP-U{u:03d}-{i:04d}", "title": f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} layanan {i}",
            "unit": unit, "version": 1 + i % 3, "status": "effective", "created": "2025-03-01",
            "effective": "2025-05-01",
            "related": [f"SOP-U{(i + 1) // 10 % units_n:03d}-{(i + 1) % n:04d}"] if i % 7 == 0 else [],
            "approvals": APPROVALS,
            "simulations": [{"date": "2025-03-20", "participants": ["Tim Penyusun"], "result": "pass"}],
            "socialization": [{"date": "2025-05-05", "audience": [unit]}],
            "review": {"interval_months": 24},
            "revisions": [{"version": v, "date": "2025-04-01", "summary": f"Versi {v}"}
                          for v in range(2, 2 + i % 3)],
        }
        lines = ["---", yaml.safe_dump(front, allow_unicode=True, sort_keys=False).strip(), "---", "",
                 "## Tujuan", "", f"Menjamin layanan nomor {i} berjalan tertib dan terdokumentasi.", "",
                 "## Ruang Lingkup", "", "Prosedur ini berlaku bagi seluruh pegawai unit terkait.", "",
                 "## Prosedur", ""]
        for s in range(1, steps_n + 1):
            lines.append(f"{s}. {rng.choice(VERBS)} {rng.choice(OBJECTS)} untuk layanan {i}.")
            lines.append(f"    - pelaksana: {actors[(s + i) % len(actors)]}")
            lines.append(f"    - kelengkapan: {rng.choice(docs)}; {rng.choice(docs)}")
            lines.append(f"    - waktu: {rng.choice(DURATIONS)}")
            lines.append(f"    - output: {rng.choice(docs)}")
            if s < steps_n - 1 and rng.random() < 0.15:
                back = rng.randint(max(1, s - 3), s) if rng.random() < 0.4 else None
                ahead = rng.randint(s + 1, min(steps_n, s + 4))
                p = rng.choice([70, 80, 90])
                lines.append(f"    - keputusan: {rng.choice(OBJECTS).capitalize()} lengkap?")
                lines.append(f"        - Ya ({p}%) -> {s + 1}")
                lines.append(f"        - Tidak -> {back if back else ahead}")
            if s == steps_n // 2 and i % 9 == 0 and n > 1:
                lines.append(f"    - sop: SOP-U{(i + 3) // 10 % units_n:03d}-{(i + 3) % n:04d}")
            lines.append("")
        path = sops / unit / f"sop-{i:04d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
        files.append(path)
    return files


def write_portal(root: Path, n: int, seed: int = 7, **plugin_options: object) -> list[Path]:
    """The corpus plus a portal project (mkdocs.yml with the sop plugin)."""
    files = write_corpus(root, n, seed)
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text("# Portal\n\n::: sop-home\n", encoding="utf-8")
    config = {
        "site_name": "Bench", "docs_dir": "docs",
        # the bundled portal's theme overrides: they mark what Pagefind indexes, so the portal's
        # search is built and measured (the baseline builds material's own search)
        "theme": {"name": "material", "language": "id", "font": False, "custom_dir": str(OVERRIDES),
                  "features": ["navigation.tabs", "navigation.prune"]},
        # as the bundled portal: no lunr `search` plugin, the sop plugin builds a Pagefind index
        "plugins": [{"sop": {"sops_dir": "sops", "today": "2026-06-01", **plugin_options}}],
        "markdown_extensions": ["attr_list", "tables", "toc", "admonition"],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    _commit_by_unit(root)
    return files


def _commit_by_unit(root: Path) -> None:
    """Make ``root`` a git repository: the project, then one commit per unit folder (no git: left as is)."""
    if shutil.which("git") is None:
        return
    env = dict(os.environ, GIT_AUTHOR_NAME="Tim Tata Laksana", GIT_AUTHOR_EMAIL="ortala@example.ac.id",
               GIT_COMMITTER_NAME="Tim Tata Laksana", GIT_COMMITTER_EMAIL="ortala@example.ac.id",
               GIT_AUTHOR_DATE="2025-05-01T08:00:00+07:00", GIT_COMMITTER_DATE="2025-05-01T08:00:00+07:00",
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)

    git("init", "-q")
    git("add", "mkdocs.yml", "docs", *[str(p.relative_to(root)) for p in (root / "sops").glob("*.yml")])
    git("commit", "-q", "-m", "Portal")
    for unit in sorted(p for p in (root / "sops").iterdir() if p.is_dir()):
        git("add", str(unit.relative_to(root)))
        git("commit", "-q", "-m", f"SOP {unit.name}")


def write_plain(root: Path, n: int, seed: int = 7) -> None:
    """The baseline: the same SOP Markdown as plain pages of mkdocs-material, one per SOP, by unit."""
    tmp = root / "_src"
    files = write_corpus(tmp, n, seed)
    docs = root / "docs"
    for f in files:
        target = docs / f.relative_to(tmp / "sops")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (docs / "index.md").write_text("# Portal\n", encoding="utf-8")
    config = {
        "site_name": "Bench", "docs_dir": "docs",
        "theme": {"name": "material", "language": "id", "font": False,
                  "features": ["navigation.tabs", "navigation.prune"]},
        "plugins": ["search"],
        "markdown_extensions": ["attr_list", "tables", "toc", "admonition"],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
