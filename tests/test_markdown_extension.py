"""The SOP page as a plain Python-Markdown extension (what Zensical and other hosts run)."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import markdown

from sop_plugin.markdown import SopExtension

ROOT = Path(__file__).resolve().parent.parent

SOP = textwrap.dedent("""\
    ---
    nomor: SOP-UJI-001
    judul: Uji Ekstensi
    unit_kerja: umum
    status: draft
    ---

    ## Tujuan

    Menguji **ekstensi**.

    ## Prosedur

    1. Menerima berkas.
        - pelaksana: Staf
        - waktu: 10 menit
        - keputusan: Lengkap?
            - Ya -> 2
            - Tidak -> selesai

    2. Mengarsipkan berkas.
        - pelaksana: Arsiparis

    ## Referensi

    Catatan akhir.
    """)


def _tree(tmp_path: Path) -> Path:
    sops = tmp_path / "sops"
    sops.mkdir()
    (sops / "units.yml").write_text("umum:\n  name: Bagian Umum\n  roles: [Staf, Arsiparis]\n", encoding="utf-8")
    (sops / "uji.md").write_text(SOP, encoding="utf-8")
    return sops


def test_directive_renders_the_sop_page_without_mkdocs(tmp_path: Path) -> None:
    sops = _tree(tmp_path)
    md = markdown.Markdown(extensions=[SopExtension(sops_dir=str(sops), include_drafts=True), "toc"])
    out = md.convert("Pengantar.\n\n::: sop SOP-UJI-001\n\nPenutup.")
    assert out.index("Pengantar") < out.index("Uji Ekstensi") < out.index("Penutup")
    assert len(re.findall(r'<tr id="step-\d+" class="sop-step', out)) == 2
    assert "<strong>ekstensi</strong>" in out  # free sections go through the host's Markdown
    assert "sop-banner-draft" in out
    # headings of the free sections and the procedure are in the host's table of contents
    assert [t["name"] for t in md.toc_tokens] == ["Tujuan", "Prosedur", "Referensi"]
    assert out.index("Prosedur") < out.index('class="sop-steps"') < out.index("Referensi")


def test_entry_point_name_and_language(tmp_path: Path) -> None:
    sops = _tree(tmp_path)
    out = markdown.markdown("::: sop SOP-UJI-001", extensions=["sop"],
                            extension_configs={"sop": {"sops_dir": str(sops), "lang": "en", "include_drafts": True}})
    assert "Activity" in out and "Kegiatan" not in out


def test_unpublished_or_unknown_sop_gives_a_visible_note(tmp_path: Path) -> None:
    sops = _tree(tmp_path)
    out = markdown.markdown("::: sop SOP-UJI-001\n\n::: sop SOP-NOPE-404",
                            extensions=[SopExtension(sops_dir=str(sops))])
    assert out.count("sop-banner-problems") == 2  # the draft is not published by default; the other does not exist


def test_directive_inside_code_fence_is_left_alone(tmp_path: Path) -> None:
    sops = _tree(tmp_path)
    out = markdown.markdown("```\n::: sop SOP-UJI-001\n```", extensions=["fenced_code", SopExtension(sops_dir=str(sops))])
    assert "::: sop SOP-UJI-001" in out and "sop-steps" not in out


def test_nothing_below_the_plugin_layer_imports_mkdocs() -> None:
    code = textwrap.dedent("""\
        import importlib, pkgutil, sys
        import sop_plugin
        for m in pkgutil.walk_packages(sop_plugin.__path__, "sop_plugin."):
            if m.name.startswith("sop_plugin.mkdocs") or m.name == "sop_plugin.__main__":
                continue
            importlib.import_module(m.name)
        bad = sorted(k for k in sys.modules if k == "mkdocs" or k.startswith("mkdocs."))
        print(",".join(bad))
        """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_where_a_step_goes_next_reads_as_an_arrow_written_or_not(tmp_path: Path) -> None:
    """A jump the author wrote (``lanjut:``) shows on every screen as one arrow line, like the next
    step a phone's step card adds where the table's order says it; the end reads "Prosedur
    selesai", not "Lanjut ke selesai"."""
    sops = tmp_path / "sops"
    sops.mkdir()
    (sops / "units.yml").write_text("umum:\n  name: Bagian Umum\n  roles: [Staf]\n", encoding="utf-8")
    text = SOP.replace("2. Mengarsipkan berkas.\n    - pelaksana: Arsiparis\n",
                        "2. Memeriksa berkas.\n    - pelaksana: Staf\n    - lanjut: 4\n\n"
                        "3. Menyimpan salinan.\n    - pelaksana: Staf\n\n"
                        "4. Mengarsipkan berkas.\n    - pelaksana: Staf\n    - lanjut: selesai\n")
    (sops / "uji.md").write_text(text, encoding="utf-8")
    md = markdown.Markdown(extensions=[SopExtension(sops_dir=str(sops), include_drafts=True)])
    out = md.convert("::: sop SOP-UJI-001")
    notes = {int(n): cell for n, cell in re.findall(r'<tr id="step-(\d+)".*?<td class="sop-col-notes">(.*?)</td>', out, re.S)}
    assert notes[2] == '<div class="sop-next">→ <a href="#step-4">Lanjut ke langkah 4</a></div>'  # written
    assert notes[3] == '<div class="sop-next sop-card-next">→ <a href="#step-4">Lanjut ke langkah 4</a></div>'
    assert notes[4] == '<div class="sop-next">→ Prosedur selesai</div>'
    assert "Lanjut ke selesai" not in out and "<li>Lanjut" not in out
