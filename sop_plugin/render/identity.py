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
from typing import Any

from .. import fmt
from ..model import ROLE_ORDER, Role, Sop
from ..signing import signature_status
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


@block("identity", slot="header", order=20)
def identity_block(sop: Sop, ctx: RenderContext) -> str | None:
    leader = sop.approval(Role.LEADER)
    related = []
    for rid in _texts(sop.related):
        ref = ctx.sop_ref(rid)
        related.append({"id": ref.label, "title": ref.title, "href": ref.href})
    return render(
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
    )


@block("approvals", slot="header", order=30)
def approvals_block(sop: Sop, ctx: RenderContext) -> str | None:
    states = signature_status(sop, ctx.corpus.root, ctx.settings.signers_anchor)
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
