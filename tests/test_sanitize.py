"""The allow-list for author HTML (sop_plugin.sanitize) and its use on SOP pages."""

from __future__ import annotations

import markdown
import pytest

from sop_plugin import sanitize
from sop_plugin.render.templating import block_markdown, inline_markdown

VECTORS = [
    # (author HTML as Markdown may produce it, text that must not survive)
    ('<a href="java&#115;cript:alert(1)">a</a>', "href"),
    ('<a href="javascript&colon;alert(1)">a</a>', "href"),
    ('<a href="&#106;avascript:alert(1)">a</a>', "href"),
    ('<a href=" \tjavascript:alert(1)">a</a>', "href"),
    ('<a href="vbscript:x">a</a>', "href"),
    ('<a href="data:text/html,<script>alert(1)</script>">a</a>', "href"),
    ('<img src="data:image/png;base64,AAAA">', "src"),
    ('<img src="http://host/pixel.png">', "src"),
    ('<img src="//host/pixel.png">', "src"),
    ('<img src="/\\host/pixel.png">', "src"),
    ('<img src=x onerror=alert(1)>', "onerror"),
    ('<p style="position:fixed;background:url(http://evil/)">x</p>', "style"),
    ('<div onclick="alert(1)">x</div>', "onclick"),
    ('<script>alert(1)</script>', "alert"),
    ('<style>body{display:none}</style>', "display"),
    ('<iframe src="http://evil/"></iframe>', "iframe"),
    ('<svg><image href="http://evil/x.png"/></svg>', "evil"),
    ('<form action="http://evil/"><button>x</button></form>', "evil"),
    ('<base href="http://evil/">', "evil"),
    ('<meta http-equiv="refresh" content="0;url=http://evil/">', "evil"),
    ('<a href="http://x/" target="_top" ping="http://evil/">a</a>', "evil"),
    ('<h2 id="step-1">x</h2>', "step-1"),
    ('<h2 id="__search">x</h2>', "__search"),
    ('<h2 id="sop-title">x</h2>', "sop-title"),
    ('<div class="md-header sop-banner">x</div>', "md-header"),
]


@pytest.mark.parametrize("fragment,needle", VECTORS)
def test_vectors_are_removed(fragment: str, needle: str) -> None:
    assert needle not in sanitize.clean(fragment)


def test_ordinary_content_survives() -> None:
    html = ('<h2 id="tujuan">Tujuan</h2><p><a href="https://jdih.go.id/x" title="t">JDIH</a> '
            '<a href="mailto:a@b.id">surel</a> <a href="../sop-umum-001/#step-2">langkah</a> '
            '<img src="../img/bagan.png" alt="bagan"></p><table><tr><td colspan="2">x</td></tr></table>'
            '<div class="admonition note"><p class="admonition-title">Catatan</p></div>')
    out = sanitize.clean(html)
    for kept in ('id="tujuan"', 'href="https://jdih.go.id/x"', 'href="mailto:a@b.id"',
                 'href="../sop-umum-001/#step-2"', 'src="../img/bagan.png"', 'colspan="2"',
                 'class="admonition note"', 'class="admonition-title"'):
        assert kept in out


def test_remote_images_only_when_the_site_opts_in() -> None:
    assert "src" not in sanitize.clean('<img src="https://host/p.png">')
    with sanitize.remote_images(True):
        assert 'src="https://host/p.png"' in sanitize.clean('<img src="https://host/p.png">')
    assert "src" not in sanitize.clean('<img src="https://host/p.png">')


def test_step_text_filters_clean_their_output() -> None:
    assert "src" not in inline_markdown("![i](http://host/p.png)")
    assert "href" not in block_markdown("[a](javascript:alert(1)) [b](java&#115;cript:alert(1))")


def test_page_is_cleaned_outside_trusted_fragments() -> None:
    from markdown.preprocessors import Preprocessor

    from sop_plugin.markdown import CleanPostprocessor

    class Stash(Preprocessor):  # what the SOP directive does: the portal's fragments go to the stash
        def run(self, lines: list[str]) -> list[str]:
            own = self.md.htmlStash.store(sanitize.trusted('<div class="sop-own" style="width:5%" onclick="go()">x</div>'))
            mark = self.md.htmlStash.store(sanitize.PAGE_MARK)
            return [mark if x == "MARK" else own if x == "OWN" else x for x in lines]

    md = markdown.Markdown(extensions=["attr_list", "footnotes"])
    md.preprocessors.register(Stash(md), "stash", 29)
    md.postprocessors.register(CleanPostprocessor(md), "sop-clean", 1)
    src = ("MARK\n\nTeks[^1] <b onclick=\"alert(1)\">b</b>\n\n[^1]: <a href=\"javascript:alert(2)\">c</a>\n\n"
           "OWN\n\n<div title=\"\n\nlalu")
    out = md.convert(src)
    assert 'class="sop-own" style="width:5%" onclick="go()"' in out  # the portal's own fragment is kept
    assert "alert" not in out and "sop-trusted" not in out and "sop-clean-page" not in out


def test_forged_marker_does_not_open_a_trusted_region() -> None:
    forged = "<!--sop-trusted-0000-->" + "<img src=x onerror=alert(1)>" + "<!--/sop-trusted-0000-->"
    assert "onerror" not in sanitize.clean_page(sanitize.PAGE_MARK + forged)


def test_page_parts_carry_no_marker(tmp_path) -> None:
    """The build caches an SOP's parts across builds: the per-process markers are added when a page is
    converted, so a cached page cannot carry a stale marker past the cleaner."""
    from conftest import VALID_SOP, write_tree
    from sop_plugin.pipeline import load
    from sop_plugin.render.context import RenderContext
    from sop_plugin.render.page import render_sop_page
    from sop_plugin.settings import Settings

    root = write_tree(tmp_path / "sops", {"a.md": VALID_SOP.replace("Menjamin", "Menjamin <b onclick=x()>b</b>")})
    portal = load(Settings(audit_git=False), tmp_path, root=root)
    sop = portal.corpus.sops[0]
    parts = render_sop_page(sop, RenderContext.of(portal))
    assert any(p.kind == "markdown" and "onclick" in p.text for p in parts)  # cleaned on output, not here
    assert not any("sop-trusted" in p.text or "sop-clean-page" in p.text for p in parts)


def test_plain_text_skips_the_inline_parser_with_the_same_result():
    """Text with nothing Markdown, escaping or the cleaner acts on is returned as is (no parse):
    for every such string the parser plus the cleaner give exactly the same output."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from sop_plugin.render import templating

    alphabet = st.sampled_from(list("aZ09 .,;-()/%?'#$+@é–—\u00a0\u2028\u200b\u0085\t\n<>&*_`[]!\\\"~=:|") + ["\x00", "\x7f"])

    @settings(max_examples=3000, deadline=None)
    @given(st.text(alphabet=alphabet, max_size=20) | st.text(max_size=20))
    def check(text: str) -> None:
        slow = sanitize.clean(templating._inline_md.renderInline(text)) if text else ""
        assert inline_markdown(text) == slow

    check()
    assert inline_markdown("Menerima berkas permohonan (rangkap 2).") == "Menerima berkas permohonan (rangkap 2)."
    assert inline_markdown("a *b*") == "a <em>b</em>"
