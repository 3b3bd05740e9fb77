"""The "Laporkan masalah" link (off by default, URL-encoded author text) and shell completion."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import TODAY, VALID_SOP, mutate, write_tree
from sop_plugin.cli import main
from sop_plugin.pipeline import build
from sop_plugin.render.context import RenderContext
from sop_plugin.render.page import render_sop_page
from sop_plugin.settings import Settings, SettingsError

TRACKER = "https://git.example.ac.id/sop/issues/new?title=Masalah%20{id}%20v{version}&body=Langkah%20{step}%3A%20{title}"


def page_html(tmp_path, text: str = VALID_SOP, **options) -> str:
    root = write_tree(tmp_path / "sops", {"biro-umum/a.md": text})
    settings = Settings.from_options({"audit_git": False, "simulate": {"enabled": False}, **options}, today=TODAY)
    portal = build(settings, tmp_path, root=root)
    sop = portal.published["SOP-UMUM-004"]
    ctx = RenderContext.of(portal)
    return "\n".join(p.text for p in render_sop_page(sop, ctx) if p.kind == "html")


def test_report_links_are_off_by_default(tmp_path):
    assert "sop-report" not in page_html(tmp_path)


def test_report_link_on_the_page_and_each_step_with_encoded_author_text(tmp_path):
    text = mutate(VALID_SOP, "judul: Permintaan Barang Persediaan", 'judul: "Barang & Jasa <b>\\"x\\"</b> #1"')
    html = page_html(tmp_path, text, report_issue_url=TRACKER)
    links = re.findall(r'<a class="(sop-report-link|sop-report-step)" href="([^"]*)"[^>]*>([^<]*)</a>', html)
    page = [(h, label) for kind, h, label in links if kind == "sop-report-link"]
    steps = [(h, label) for kind, h, label in links if kind == "sop-report-step"]
    assert len(page) == 1 and page[0][1] == "Laporkan masalah pada SOP ini"
    title = "Barang%20%26%20Jasa%20%3Cb%3E%22x%22%3C%2Fb%3E%20%231"  # every special character encoded
    assert page[0][0] == ("https://git.example.ac.id/sop/issues/new?title=Masalah%20SOP-UMUM-004%20v2"
                          f"&amp;body=Langkah%20%3A%20{title}")
    assert [h for h, _ in steps] == [page[0][0].replace("Langkah%20%3A", f"Langkah%20{n}%3A") for n in (1, 2, 3, 4)]
    assert all(label == "Laporkan masalah pada langkah ini" for _, label in steps)


def test_report_link_by_mail_in_english(tmp_path):
    html = page_html(tmp_path, report_issue_url="mailto:sop@example.ac.id?subject={id}%20v{version}%20step%20{step}",
                     lang="en")
    assert 'href="mailto:sop@example.ac.id?subject=SOP-UMUM-004%20v2%20step%20"' in html
    assert 'href="mailto:sop@example.ac.id?subject=SOP-UMUM-004%20v2%20step%203"' in html
    assert "Report a problem with this SOP" in html and "Laporkan" not in html


@pytest.mark.parametrize("bad", ["javascript:alert({id})", "https://x/{nomor}", "https://x/{id!r}", "ftp://x/{id}",
                                 "https://x/{id:>9}", "https://x/{0}", "https://x/{"])
def test_report_url_template_is_checked(bad):
    with pytest.raises(SettingsError, match="report_issue_url"):
        Settings.from_options({"report_issue_url": bad})


def test_completion_scripts(capsys):
    assert main(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    for word in ("lint", "export", "pages", "--docx", "--strict", "completion"):
        assert word in script
    if shutil.which("bash"):
        res = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
        assert res.returncode == 0, res.stderr
    assert main(["completion", "zsh"]) == 0
    assert "#compdef sop" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["completion", "cmd.exe"])
