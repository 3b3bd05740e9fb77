"""The Jinja2 environment for HTML fragments (autoescaping on)."""

from __future__ import annotations

from functools import lru_cache

import jinja2
from markdown_it import MarkdownIt

from .. import sanitize

_inline_md = MarkdownIt("commonmark", {"html": False, "linkify": False})


def inline_markdown(text: str | None) -> str:
    """Render author text as inline Markdown (emphasis, code, links); raw HTML is escaped, the output cleaned."""
    if not text:
        return ""
    return sanitize.clean(_inline_md.renderInline(text))


def block_markdown(text: str | None) -> str:
    if not text:
        return ""
    return sanitize.clean(_inline_md.render(text))


@lru_cache(maxsize=1)
def env() -> jinja2.Environment:
    e = jinja2.Environment(
        loader=jinja2.PackageLoader("sop_plugin", "render/templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    e.filters["md"] = lambda s: jinja2.utils.markupsafe.Markup(inline_markdown(s))
    e.filters["mdblock"] = lambda s: jinja2.utils.markupsafe.Markup(block_markdown(s))
    return e


def render(template: str, **context: object) -> str:
    return env().get_template(template).render(**context)
