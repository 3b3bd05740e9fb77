"""Printable Monev forms per SOP: Formulir Monitoring and Formulir Evaluasi.

Every SOP with an id gets a page ``sop/<slug>-monev.md`` whose content is
``::: sop-monev-form <ID>``; the SOP page links to it from its footer.
"""

from __future__ import annotations

import html

from .. import i18n
from ..model import Sop
from .blocks import GeneratedPage, block, directive, page_source, pages
from .context import RenderContext, sop_slug
from .identity import institution, unit_names
from .templating import render

i18n.register({
    "forms.link": {"id": "Formulir Monev", "en": "Monev forms"},
    "forms.link_hint": {"id": "Formulir monitoring dan evaluasi SOP ini, siap cetak",
                        "en": "Printable monitoring and evaluation forms for this SOP"},
    "forms.page_title": {"id": "Formulir Monev {id}", "en": "Monev forms {id}"},
    "forms.unknown": {"id": "SOP {id} tidak ditemukan.", "en": "SOP {id} not found."},
    "forms.monitoring": {"id": "Formulir Monitoring Pelaksanaan SOP", "en": "SOP implementation monitoring form"},
    "forms.evaluation": {"id": "Formulir Evaluasi Penerapan SOP", "en": "SOP evaluation form"},
    "forms.sop": {"id": "Nama / Nomor SOP", "en": "SOP title / number"},
    "forms.unit": {"id": "Unit Kerja", "en": "Work unit"},
    "forms.date": {"id": "Tanggal Monev", "en": "Date"},
    "forms.period": {"id": "Periode", "en": "Period"},
    "forms.col.no": {"id": "No", "en": "No"},
    "forms.col.activity": {"id": "Kegiatan", "en": "Activity"},
    "forms.col.actor": {"id": "Pelaksana", "en": "Actor"},
    "forms.col.done": {"id": "Dilaksanakan sesuai SOP?", "en": "Carried out as the SOP says?"},
    "forms.col.notes": {"id": "Catatan", "en": "Notes"},
    "forms.col.action": {"id": "Tindakan Korektif", "en": "Corrective action"},
    "forms.col.question": {"id": "Penilaian terhadap penerapan SOP", "en": "Assessment of the SOP"},
    "forms.col.answer": {"id": "Ya / Tidak", "en": "Yes / No"},
    "forms.col.recommendation": {"id": "Catatan / Rekomendasi", "en": "Notes / Recommendation"},
    "forms.yes": {"id": "Ya", "en": "Yes"},
    "forms.no": {"id": "Tidak", "en": "No"},
    "forms.q.performance": {"id": "Mampu mendorong peningkatan kinerja?", "en": "Does it drive better performance?"},
    "forms.q.understood": {"id": "Mudah dipahami?", "en": "Is it easy to understand?"},
    "forms.q.doable": {"id": "Mudah dilaksanakan?", "en": "Is it easy to carry out?"},
    "forms.q.roles": {"id": "Semua orang dapat menjalankan perannya masing-masing?",
                      "en": "Can everyone perform their own role?"},
    "forms.q.problems": {"id": "Mampu mengatasi permasalahan yang berkaitan dengan proses?",
                         "en": "Does it solve the problems related to the process?"},
    "forms.q.needs": {"id": "Mampu menjawab kebutuhan peningkatan kinerja organisasi?",
                      "en": "Does it meet the organisation's need for better performance?"},
    "forms.q.synergy": {"id": "Sinergi satu dengan lainnya?", "en": "Does it work in synergy with the others?"},
    "forms.conclusion": {"id": "Kesimpulan: SOP tetap dipakai / perlu direvisi", "en": "Conclusion: keep / revise the SOP"},
    "forms.monitor_by": {"id": "Pemantau", "en": "Monitored by"},
    "forms.known_by": {"id": "Mengetahui, Pimpinan Unit", "en": "Acknowledged by the head of unit"},
    "forms.evaluator": {"id": "Evaluator (Tim BPM)", "en": "Evaluator (quality assurance team)"},
    "forms.name_nip": {"id": "Nama / NIP", "en": "Name / NIP"},
})

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
            content=page_source(title, f"::: sop-monev-form {sop.id}", searchable=False),
            title=title,
            nav=None,
        ))
    return out


@directive("sop-monev-form")
def monev_form(arg: str, ctx: RenderContext) -> str:
    sop_id = (arg or "").strip()
    sop = ctx.published.get(sop_id)
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
