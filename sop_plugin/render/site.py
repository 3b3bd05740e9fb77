"""The pages a site build generates, for every host.

:func:`generated_pages` is the one list: one page per published SOP
(``::: sop ID``) and the pages of every registered page generator (portal
views, Monev forms).  The MkDocs plugin adds them as ``File.generated``;
``sop pages --out DIR`` writes them as files for hosts that run the Markdown
extension but not MkDocs plugins (Zensical).

Every generated page starts with ``::: sop-page <its source path>``: it tells
the extension which page it is rendering, so that relative links are right
in hosts that do not tell (under MkDocs the plugin sets the same value).
"""

from __future__ import annotations

from dataclasses import replace
from importlib import resources
from pathlib import Path

from .blocks import GeneratedPage, directive, page_generators, page_source
from .context import RenderContext, sop_slug

HERE = "sop-page"
ASSET_DIR = "assets/sop"  # where the packaged CSS/JS go in the site


def generated_pages(ctx: RenderContext) -> list[GeneratedPage]:
    """Every page the site build adds: per-SOP pages first, then the generators' pages, in registry order."""
    out = []
    for sop in ctx.published.values():
        src = ctx.links.sop_page(sop.id)
        title = sop.title or sop.id
        # the directive names the SOP by its safe key (sop_slug), never by the author's id text
        out.append(GeneratedPage(src, page_source(title, f"::: sop {sop_slug(sop.id)}"), title, nav=None,
                                 depends=sop.path))
    for generate in page_generators().values():
        out.extend(generate(ctx))
    return [replace(p, content=_located(p.content, p.src_path)) for p in out]


def _located(content: str, src_path: str) -> str:
    """``content`` with ``::: sop-page <src_path>`` as the first line after its front matter."""
    line = f"::: {HERE} {src_path}\n\n"
    if content.startswith("---\n"):
        end = content.find("\n---\n", 4)
        if end >= 0:
            cut = end + len("\n---\n")
            return content[:cut] + "\n" + line + content[cut:].lstrip("\n")
    return line + content


@directive(HERE)
def here(arg: str, ctx: RenderContext) -> str:
    """``::: sop-page path/of/page.md``: links on the rest of this page are relative to that page."""
    src = arg.strip()
    if src.endswith(".md") and ".." not in src.split("/") and not src.startswith("/"):
        ctx.links.locate(src)
    return ""


# -- packaged assets -------------------------------------------------------------

def _asset_root() -> Path:
    return Path(str(resources.files("sop_plugin") / "assets"))


def asset_files() -> list[tuple[str, Path]]:
    """Every packaged asset: (path below :data:`ASSET_DIR`, file)."""
    root = _asset_root()
    return [(p.relative_to(root).as_posix(), p) for p in sorted(root.rglob("*")) if p.is_file()]


def asset_urls() -> tuple[list[str], list[str]]:
    """Site paths of the stylesheets and scripts every page loads, in order (sop.js first).

    ``vendor/mermaid/mermaid.min.js`` is copied but not listed: sop.js loads it on pages that show a diagram."""
    def names(suffix: str) -> list[str]:
        found = sorted(p.name for p in _asset_root().glob(f"*{suffix}"))
        return sorted(found, key=lambda n: (n != f"sop{suffix}", n))  # the others build on sop.css / sop.js

    css = [f"{ASSET_DIR}/{n}" for n in names(".css")]
    js = [f"{ASSET_DIR}/{n}" for n in names(".js")]
    return css, js
