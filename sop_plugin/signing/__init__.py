"""Approvals bound to content and to people.

* :mod:`.digest` - what a signature covers, the digest line, naming what changed;
* :mod:`.keys` - SSH signatures (SSHSIG) made and verified in-process;
* :mod:`.registry` - the signers registry and its trust anchor;
* :mod:`.store` - signatures files, locked atomic writes;
* :mod:`.state` - the one model of approval states that pages, paper, ``sop lint`` and ``sop verify`` show.
"""

from __future__ import annotations

from pathlib import Path

from ..model import Role, Sop
from .digest import (
    FORMAT,
    Comparison,
    DigestError,
    StoredDigest,
    compare,
    content_digest,
    content_fingerprint,
    content_parts,
    parse_digest,
)
from .state import (
    role_word,
    ApprovalState,
    Reason,
    Trust,
    Verdict,
    approval_message,
    key_problems,
    signed_fingerprint,
    trust_for,
    verdict,
    verdicts,
)

__all__ = [
    "FORMAT", "role_word", "ApprovalState", "Comparison", "DigestError", "Reason", "StoredDigest", "Trust",
    "Verdict", "approval_message", "compare", "content_digest", "content_fingerprint", "content_parts",
    "approval_key", "key_problems", "parse_digest", "signature_status", "signed_fingerprint", "trust_for", "verdict",
    "verdicts",
]


def signature_status(sop: Sop, root: str | Path | None = None, anchor: str | None = None) -> dict[Role, Verdict]:
    """The state of each role's approval in the tree at ``root`` (``None``: content binding only).

    ``anchor``: the ``signers_anchor`` option (else ``SOP_SIGNERS_ANCHOR``).  Use
    ``verdict.label(lang)`` for the reader's sentence, ``ctx.t(verdict.i18n_key)``
    for a short badge and ``verdict.value`` for a CSS class.
    """
    return verdicts(sop, trust_for(root, anchor))


def approval_key(sop: Sop, root: str | Path | None, anchor: str | None) -> tuple:
    """What pages and the audit trail show about ``sop``'s approvals, for cache keys: it depends on the
    signatures file, the registry and the anchor, not only on the SOP's text."""
    return tuple((v.value, v.reason.value if v.reason else None, v.fingerprint, v.owner, repr(v.key_date),
                  tuple(c.words("en") for c in v.changes)) for v in signature_status(sop, root, anchor).values())
