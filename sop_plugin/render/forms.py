"""Printable Monev forms per SOP: Formulir Monitoring and Formulir Evaluasi.

Every SOP with an id gets a page ``sop/<slug>-monev.md`` whose content is
``::: sop-monev-form <slug>`` (the safe key, never the author's id text); the SOP page links to it from its footer.
"""

from __future__ import annotations

import html

from ..model import Sop
from .blocks import GeneratedPage, block, directive, page_source, pages
from .context import RenderContext, sop_slug
from .identity import institution, unit_names
from .templating import render

QUESTIONS = ("performance", "understood", "doable", "roles", "problems", "needs", "synergy")


def forms_page(sop_id: str, ctx: RenderContext) -> str:
    """Markdown source path of an SOP's Monev forms page."""
    prefix = ctx.links.sop_prefix
    return f"{prefix}/{sop_slug(sop_id)}-monev.md"


@pages("monev-forms")
def monev_pages(ctx: RenderContext) -> list[GeneratedPage]:
    out = []
    for sop in ctx.published.values():  # drafts (production) and confidential SOPs (public) get no forms page
        if not sop.id or not sop.id.strip():
            continue
        title = ctx.t("forms.page_title", id=sop.id)
        out.append(GeneratedPage(
            src_path=forms_page(sop.id, ctx),
            content=page_source(title, f"::: sop-monev-form {sop_slug(sop.id)}", searchable=False),
            title=title,
            nav=None,
            depends=sop.path,
            searchable=False,
        ))
    return out


def _form_depends(arg: str, ctx: RenderContext) -> list[Sop]:
    sop = ctx.sop_by_key((arg or "").strip())
    return [sop] if sop is not None else []


@directive("sop-monev-form", depends=_form_depends)
def monev_form(arg: str, ctx: RenderContext) -> str:
    sop_id = (arg or "").strip()
    sop = ctx.sop_by_key(sop_id)
    if sop is None:
        return f'<p class="sop-note">{html.escape(ctx.t("forms.unknown", id=sop_id or "?"))}</p>'
    return render_forms(sop, ctx)


def render_forms(sop: Sop, ctx: RenderContext) -> str:
    return render(
        "forms.html",
        t=ctx.t,
        sop=sop,
        inst=institution(ctx),
        units=unit_names(sop, ctx),
        steps=sop.steps,
        questions=[ctx.t(f"forms.q.{q}") for q in QUESTIONS],
        sop_href=ctx.sop_href(sop.id) if sop.id else None,
    )


@block("monev-link", slot="footer", order=80)
def monev_link(sop: Sop, ctx: RenderContext) -> str | None:
    if not sop.id:
        return None
    href = ctx.links.href(forms_page(sop.id, ctx))
    return (f'<p class="sop-monev-link"><a href="{html.escape(href)}" title="{html.escape(ctx.t("forms.link_hint"))}">'
            f'{html.escape(ctx.t("forms.link"))}</a></p>')
