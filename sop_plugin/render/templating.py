"""The Jinja2 environment for HTML fragments (autoescaping on)."""

from __future__ import annotations

import re
from functools import lru_cache

import jinja2
from markdown_it import MarkdownIt

from .. import sanitize
from ..fmt import hyphenate
from ..memo import memo

_inline_md = MarkdownIt("commonmark", {"html": False, "linkify": False})


# Text without a character inline Markdown, HTML escaping or the cleaner would act on renders as itself
# (most step texts, names and document titles): no parse, no clean.
_PLAIN = re.compile(r"[^`*_\[\]<>&!\\\"\x00-\x1f\x7f\xa0~=:|]*")


def inline_markdown(text: str | None) -> str:
    """Render author text as inline Markdown (emphasis, code, links); raw HTML is escaped, the output cleaned."""
    if not text:
        return ""
    if _PLAIN.fullmatch(text) and text == text.strip():
        return text
    return _inline(text, sanitize.remote_images_allowed())


@memo(16384)  # a portal shows the same step texts on the SOP page, the SOP-AP table and the views
def _inline(text: str, remote_images: bool) -> str:
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
    e.filters["hyphenate"] = hyphenate
    return e


def render(template: str, **context: object) -> str:
    return env().get_template(template).render(**context)
