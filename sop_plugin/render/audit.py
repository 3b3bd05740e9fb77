"""The audit-trail block at the foot of every SOP page.

Lists the ``revisions`` entries, the signatures (who, position, date, what the
signature means, and whether it is bound to the current content) and the
file's git commits, newest first.  Site option ``audit_git: false`` leaves git
out (e.g. for a build outside the repository).
"""

from __future__ import annotations

from .. import fmt
from ..model import Sop
from .blocks import block
from .context import RenderContext
from .templating import render

@block("audit", slot="footer", order=90)
def audit_block(sop: Sop, ctx: RenderContext) -> str | None:
    use_git = ctx.settings.audit_git
    entries = ctx.derived(sop).audit
    if not entries:
        return None
    rows = []
    for e in entries:
        row = {"kind": e.kind, "date": e.date.isoformat() if e.date else None,
               "date_text": fmt.date(e.date, ctx.lang), "by": e.author,
               "position": e.position, "detail": e.summary, "state": None, "state_class": "", "commit": e.commit}
        if e.kind == "revision":
            row["event"] = ctx.t("audit.revision", v=e.version) if e.version is not None else ctx.t("audit.revision_nov")
        elif e.kind == "signature":
            row["event"] = ctx.t("audit.signature", role=ctx.t(f"role.{e.role.value}"))
            row["detail"] = ctx.t(f"role.{e.role.value}.meaning")
            row["state"] = ctx.t(e.state.i18n_key)
            row["state_class"] = e.state.value
        else:
            row["event"] = ctx.t("audit.commit")
        rows.append(row)
    git = any(e.kind == "commit" for e in entries) or not use_git
    return render("audit.html", t=ctx.t, rows=rows, git=git)
