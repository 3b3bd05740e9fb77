"""The SOP-AP identity page and the lembar pengesahan (header slot).

The identity block follows the arrangement of Permenpan RB 35/2012: the
institution (logo, name, unit) on the left and the document's numbers,
dates and approver on the right, then two columns of Dasar Hukum /
Kualifikasi Pelaksana, Keterkaitan / Peralatan-Perlengkapan and
Peringatan / Pencatatan dan Pendataan.

The lembar pengesahan shows the three signature boxes (pembuat,
pemeriksa, pimpinan) with their meaning, name, position, NIP, date and
whether the signature is bound to the current content.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from markupsafe import Markup

from .. import fmt
from ..model import ROLE_ORDER, Role, Sop, Status
from .blocks import block
from .context import RenderContext
from .templating import render

def format_date(d: dt.date | None, lang: str) -> str:
    """``10 Februari 2026`` (see :func:`sop_plugin.fmt.date`)."""
    return fmt.date(d, lang)


def _safe_url(url: Any, ctx: RenderContext) -> str | None:
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    scheme = url.split(":", 1)[0].lower() if ":" in url.split("/", 1)[0] else ""
    if scheme in ("http", "https"):
        return url
    if scheme == "data":
        return url if url.lower().startswith("data:image/") and not url.lower().startswith("data:image/svg") else None
    if scheme:
        return None  # javascript:, vbscript:, ... never
    if url.startswith("/"):
        return url
    return ctx.links.href(url)


def institution(ctx: RenderContext) -> dict[str, str | None]:
    inst = ctx.settings.institution
    return {"name": inst.name or None, "logo": _safe_url(inst.logo, ctx)}


def unit_names(sop: Sop, ctx: RenderContext) -> list[str]:
    """The unit's name, preceded by its parent units (outermost first)."""
    names: list[str] = []
    key = sop.unit
    seen: set[str] = set()
    while key and key not in seen:
        seen.add(key)
        unit = ctx.corpus.units.get(key)
        if unit is None:
            if not names:
                names.append(key)
            break
        names.append(unit.name)
        key = unit.parent
    return list(reversed(names))


def _texts(values: Any) -> list[str]:
    if not isinstance(values, list):
        return []
    return [str(v) for v in values if v is not None and str(v).strip()]


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: everything but letters, digits and spaces hex-escaped (author text)."""
    return '"' + "".join(c if (c.isalnum() and c.isascii()) or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def _css_content(template: str) -> str:
    """A catalogue text with ``{page}`` / ``{pages}`` as a CSS ``content`` value with page counters."""
    out = []
    for piece in re.split(r"(\{pages?\})", template):
        if piece == "{page}":
            out.append("counter(page)")
        elif piece == "{pages}":
            out.append("counter(pages)")
        elif piece:
            out.append(css_string(piece))
    return " ".join(out)


def watermark(sop: Sop, ctx: RenderContext) -> str | None:
    """The watermark (catalogue key) of a printed SOP: ``None`` only for an SOP in force today."""
    if sop.status is Status.RETIRED:
        return "print.watermark.retired"
    in_force = sop.status is Status.EFFECTIVE and (sop.effective is None or sop.effective <= ctx.settings.now())
    return None if in_force else "print.watermark.draft"


def print_frame(sop: Sop, ctx: RenderContext, mark: str | None = None) -> Markup:
    """Page headers and footers of the printed document (``@page`` margin boxes) and its watermark.

    ``mark`` overrides the watermark (``sop export --force`` prints "contains errors").
    The margin boxes carry the SOP number and title (top left), the version (top right) and
    "Halaman x dari y" (bottom right) on every printed page.
    """
    head = " \u00b7 ".join(x for x in (sop.id or "", sop.title or "") if x)
    version = ctx.t("print.version", v=sop.version) if sop.version is not None else ""
    box = 'font: 8pt "Liberation Sans", "DejaVu Sans", sans-serif; color: #333;'
    style = (
        "@page {"
        f" @top-left {{ content: {css_string(head)}; {box} }}"
        f" @top-right {{ content: {css_string(version)}; {box} }}"
        f" @bottom-right {{ content: {_css_content(ctx.t('print.page', page='{page}', pages='{pages}'))}; {box} }}"
        " }"
    )
    out = f'<style data-sop-print-frame>{style}</style>'
    mark = mark or watermark(sop, ctx)
    if mark:
        out += (f'<div class="sop-watermark" data-watermark="{html.escape(mark.rsplit(".", 1)[-1])}" aria-hidden="true">'
                f"{html.escape(ctx.t(mark))}</div>")
    return Markup(out)


@block("identity", slot="header", order=20)
def identity_block(sop: Sop, ctx: RenderContext) -> str | None:
    return print_frame(sop, ctx) + identity_table(sop, ctx)


def identity_table(sop: Sop, ctx: RenderContext) -> Markup:
    """The SOP-AP identity page (without the print frame)."""
    leader = sop.approval(Role.LEADER)
    related = []
    for rid in _texts(sop.related):
        ref = ctx.sop_ref(rid)
        related.append({"id": ref.label, "title": ref.title, "href": ref.href})
    return Markup(render(
        "identity.html",
        t=ctx.t,
        sop=sop,
        inst=institution(ctx),
        units=unit_names(sop, ctx),
        created=format_date(sop.created, ctx.lang),
        revised=format_date(sop.revised, ctx.lang),
        effective=format_date(sop.effective, ctx.lang),
        leader=leader,
        related=related,
        legal_basis=_texts(sop.legal_basis),
        qualifications=_texts(sop.qualifications),
        equipment=_texts(sop.equipment),
        warnings=_texts(sop.warnings),
        records=_texts(sop.records),
    ))


@block("approvals", slot="header", order=30)
def approvals_block(sop: Sop, ctx: RenderContext) -> str | None:
    states = ctx.portal.approvals(sop)
    boxes = []
    for role in ROLE_ORDER:
        a = sop.approval(role)
        v = states[role]
        boxes.append({
            "role": role.value,
            "meaning": ctx.t(f"role.{role.value}.meaning"),
            "role_label": ctx.t(f"role.{role.value}"),
            "approval": a,
            "date": format_date(a.date, ctx.lang) if a else "",
            "state": v.value,
            "state_label": ctx.t(v.i18n_key),
            "line": v.label(ctx.lang) if a else "",
            "key": ctx.t("approval.key", fingerprint=v.fingerprint) if v.fingerprint else "",
        })
    return render("approvals.html", t=ctx.t, sop=sop, boxes=boxes)
