"""One model of approval states, shown the same way on pages, on paper, in ``sop lint`` and ``sop verify``.

Each approval (the first one per role) is in one state:

``missing``
    no approval entry for the role;
``unsigned``
    an entry without a digest;
``content_bound``
    its digest matches the content, and the tree has no signers registry
    (labelled "belum terverifikasi": nobody checked *who* signed);
``verified``
    digest matches, and the signature in the signatures file verifies with a
    key that the anchored registry assigns to the named person, valid on the
    stated date and not revoked;
``invalid``
    with a :class:`Reason`: no key signature (while a registry exists),
    a signature that does not verify (forged or damaged), a key the registry
    does not know, a key of another person, a key not valid on the stated
    date, a revoked key (SSH signatures carry no trusted time, so every
    signature by a revoked key needs re-signing), content changed since
    signing (naming the parts), an unreadable digest, or a registry that is
    not anchored.

What a key signature covers is :func:`approval_message`: the SOP id and
version, the role, the signer's name, NIP and position as written in the
approval, the stated date and the content digest.  Changing any of them
breaks the signature.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from pathlib import Path

from .. import fmt, i18n
from ..i18n import Msg, msg
from ..model import ROLE_ORDER, Approval, Role, Sop
from . import keys
from .digest import Change, DigestError, compare, parse_digest
from .registry import Registry, configured_anchor, load_registry
from .store import Entry, read_entries, signatures_path

def role_word(role: Role) -> Msg:
    """A signer's role as messages name it: "maker (pembuat)" in English, "pembuat" in Indonesian
    (pages and paper use the catalogue's titles, ``role.maker`` ...)."""
    return msg(f"role.word.{role.value}")

MESSAGE_FORMAT = "sop-approval/1"


class ApprovalState(str, enum.Enum):
    MISSING = "missing"
    UNSIGNED = "unsigned"
    CONTENT_BOUND = "content_bound"
    VERIFIED = "verified"
    INVALID = "invalid"

    @property
    def i18n_key(self) -> str:
        return f"approval.state.{self.value}"


class Reason(str, enum.Enum):
    NO_SIGNATURE = "no_signature"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_KEY = "unknown_key"
    OTHER_PERSON = "other_person"
    KEY_NOT_VALID = "key_not_valid"
    KEY_REVOKED = "key_revoked"
    CONTENT_CHANGED = "content_changed"
    MALFORMED = "malformed"
    NOT_ANCHORED = "not_anchored"

    @property
    def forged_or_wrong(self) -> bool:
        """A signature is present but does not prove this approval (an error for signed-off SOPs)."""
        return self in (Reason.BAD_SIGNATURE, Reason.UNKNOWN_KEY, Reason.OTHER_PERSON, Reason.KEY_NOT_VALID,
                        Reason.KEY_REVOKED)


@dataclass(frozen=True)
class Verdict:
    """The state of one role's approval, with what a reader needs to see."""

    role: Role
    state: ApprovalState
    approval: Approval | None = None
    index: int | None = None  # position in sop.approvals
    reason: Reason | None = None
    detail: Msg | None = None  # why, for diagnostics and the CLI (``detail.text(lang)``)
    changes: tuple[Change, ...] = ()  # parts changed since signing (CONTENT_CHANGED), worded in any language
    fingerprint: str | None = None  # key that made the signature
    owner: str | None = None  # the registered person the key belongs to
    key_date: dt.date | None = None  # revocation date (KEY_REVOKED)

    @property
    def changed(self) -> tuple[str, ...]:
        """The changed parts in plain English words (CONTENT_CHANGED)."""
        return tuple(c.words("en") for c in self.changes)

    @property
    def is_bound(self) -> bool:
        """The digest matches the current content (whatever the key signature says)."""
        return self.state in (ApprovalState.CONTENT_BOUND, ApprovalState.VERIFIED) or (
            self.state is ApprovalState.INVALID
            and self.reason not in (Reason.CONTENT_CHANGED, Reason.MALFORMED))

    @property
    def is_verified(self) -> bool:
        return self.state is ApprovalState.VERIFIED

    @property
    def is_invalid(self) -> bool:
        return self.state is ApprovalState.INVALID

    @property
    def i18n_key(self) -> str:
        """Key of the short badge text (no fields)."""
        return self.state.i18n_key

    @property
    def value(self) -> str:
        """The state's name, for CSS classes and data attributes."""
        return self.state.value

    def label(self, lang: str) -> str:
        """The worded state for readers, e.g. "Ditandatangani secara elektronik oleh … — terverifikasi"."""
        a = self.approval
        name = a.name if a and a.name else "?"
        return i18n.t(lang, f"approval.line.{self.state.value}", name=name, reason=self.reason_text(lang))

    def reason_text(self, lang: str) -> str:
        if self.reason is None:
            return ""
        fields = {"owner": self.owner or "?", "date": fmt.date(self.approval.date if self.approval else None, lang) or "?",
                  "revoked": fmt.date(self.key_date, lang) or "?", "parts": ", ".join(c.words(lang) for c in self.changes[:8]) or "?"}
        key = f"approval.reason.{self.reason.value}"
        if self.reason is Reason.CONTENT_CHANGED and not self.changes:
            key += ".unnamed"
        return i18n.t(lang, key, **fields)


def _day(d: dt.date | None) -> str:
    return d.isoformat() if isinstance(d, dt.date) else "?"


def approval_message(sop: Sop, approval: Approval, digest: str) -> bytes:
    """The exact bytes a key signature of ``approval`` signs."""
    def norm(v: object) -> str:
        return " ".join(str(v).split()) if v not in (None, "") else "-"

    lines = [
        MESSAGE_FORMAT,
        f"sop: {norm(sop.id)}",
        f"version: {norm(sop.version)}",
        f"role: {approval.role.value if approval.role else '-'}",
        f"name: {norm(approval.name)}",
        f"nip: {norm(approval.nip)}",
        f"position: {norm(approval.position)}",
        f"date: {_day(approval.date) if approval.date else '-'}",
        f"digest: {norm(digest)}",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass
class Trust:
    """What approvals of one SOP tree are checked against: its root and registry."""

    root: Path | None = None
    registry: Registry = field(default_factory=Registry)


def trust_for(root: str | Path | None, anchor_option: str | None = None) -> Trust:
    """The trust of the tree at ``root`` (registry cached on file size and mtime)."""
    if root is None:
        return Trust()
    return Trust(Path(root), load_registry(root, configured_anchor(anchor_option)))


def signature_entries(sop: Sop, root: Path | None, version: int | None) -> dict[str, Entry]:
    if root is None or not sop.id:
        return {}
    return read_entries(signatures_path(root, sop.id, version))


def signed_fingerprint(root: str | Path | None, sop_id: str | None, digest: str) -> str | None:
    """The parts fingerprint the signatures file keeps for ``digest`` (v2), or ``None``."""
    if root is None or not sop_id:
        return None
    try:
        stored = parse_digest(digest)
    except DigestError:
        return None
    version = stored.version if stored.has_version else None
    for entry in read_entries(signatures_path(root, sop_id, version)).values():
        if entry.digest == digest.strip() and entry.parts:
            return entry.parts
    return None


def verdict(sop: Sop, role: Role, trust: Trust | None = None) -> Verdict:
    """The state of ``role``'s (first) approval of ``sop``."""
    trust = trust or Trust()
    index, a = next(((i, x) for i, x in enumerate(sop.approvals) if x.role is role), (None, None))
    if a is None:
        return Verdict(role, ApprovalState.MISSING)
    base = {"role": role, "approval": a, "index": index}
    if not a.digest:
        return Verdict(state=ApprovalState.UNSIGNED, **base)
    try:
        stored = parse_digest(a.digest)
    except DigestError as exc:
        return Verdict(state=ApprovalState.INVALID, reason=Reason.MALFORMED, detail=exc.said, **base)
    entry = signature_entries(sop, trust.root, stored.version if stored.has_version else sop.version).get(role.value)
    if entry is not None and entry.digest != a.digest.strip():
        entry = None  # a stale entry for an earlier digest
    result = compare(sop, stored, entry.parts if entry else None)
    if not result.matches:
        return Verdict(state=ApprovalState.INVALID, reason=Reason.CONTENT_CHANGED,
                       detail=msg("diag.signing.content_changed", changes=result.said()),
                       changes=tuple(result.parts), **base)
    reg = trust.registry
    if not reg.present:
        return Verdict(state=ApprovalState.CONTENT_BOUND, **base)
    if entry is None or not entry.signature:
        return Verdict(state=ApprovalState.INVALID, reason=Reason.NO_SIGNATURE,
                       detail=msg("diag.signing.no_signature"), **base)
    try:
        checked = keys.verify(approval_message(sop, a, a.digest.strip()), entry.signature, keys.APPROVAL_NAMESPACE)
    except keys.BadSignature:
        return Verdict(state=ApprovalState.INVALID, reason=Reason.BAD_SIGNATURE,
                       detail=msg("diag.signing.bad_signature"), **base)
    fp = checked.fingerprint
    base["fingerprint"] = fp
    problems = key_problems(reg, fp, a)
    found = reg.key(fp) if reg.anchored else None
    if found is not None:
        base["owner"] = found[0].name
    if problems:
        first = problems[0]
        return Verdict(state=ApprovalState.INVALID, reason=first.reason, detail=first.detail,
                       key_date=found[1].revoked if found and first.reason is Reason.KEY_REVOKED else None, **base)
    return Verdict(state=ApprovalState.VERIFIED, **base)


@dataclass(frozen=True)
class KeyProblem:
    reason: Reason
    detail: Msg  # as the build's diagnostic says it


def key_problems(reg: Registry, fp: str, approval: Approval) -> list[KeyProblem]:
    """What the signers registry holds against ``approval`` signed with the key ``fp``, in the
    order a :func:`verdict` weighs it (it reports the first; ``sop sign`` warns of each): the
    registry not anchored, the key not in it, registered to another person, revoked, not valid on
    the approval's date.  Empty: the registry vouches for the signature."""
    out = []
    if not reg.anchored:
        out.append(KeyProblem(Reason.NOT_ANCHORED, msg("diag.registry.not_anchored", problem=reg.anchor_problem or "")))
    found = reg.key(fp)
    if found is None:
        return out + [KeyProblem(Reason.UNKNOWN_KEY, msg("diag.signing.unknown_key", key=fp))]
    person, key = found
    if not person.is_named(approval.name, approval.nip):
        out.append(KeyProblem(Reason.OTHER_PERSON, msg("diag.signing.other_person", key=fp, owner=person.name,
                                                       name=approval.name or "?")))
    if key.revoked is not None:
        out.append(KeyProblem(Reason.KEY_REVOKED, msg("diag.signing.key_revoked", key=fp, revoked=_day(key.revoked))))
    elif approval.date is None or not key.valid_on(approval.date):
        out.append(KeyProblem(Reason.KEY_NOT_VALID, msg(
            "diag.signing.key_not_valid", key=fp, start=_day(key.valid_from) if key.valid_from else "…",
            end=_day(key.valid_until) if key.valid_until else "…", date=_day(approval.date))))
    return out


def verdicts(sop: Sop, trust: Trust | None = None) -> dict[Role, Verdict]:
    """The state of each role's (first) approval; every role is a key."""
    return {role: verdict(sop, role, trust) for role in ROLE_ORDER}
