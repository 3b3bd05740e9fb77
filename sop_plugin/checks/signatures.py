"""Signatures bound to content and to people (SOP407-SOP409, SOP411-SOP414).

Every approval's state comes from :mod:`sop_plugin.signing.state` (the one
model pages and ``sop verify`` show too); this check words it as findings:

* SOP409: a digest that cannot be read (any status).
* SOP407: the digest no longer matches the content; the message names what
  changed since signing.  Informational in draft and review.
* SOP408: content of an approved/effective SOP changed while ``version``
  stayed what it was at signing; and a version above 1 without a
  ``revisions`` entry for it.
* SOP411: a key signature that does not prove the approval: forged or
  damaged, unknown key, key of another person, key not valid on the date,
  revoked key.  An error for approved and effective SOPs, a warning before.
* SOP412: an approval that is content-bound but not verified (no key
  signature, or a registry that is not anchored) where a signers registry
  exists, or anywhere with ``require_verified_signatures``.  An error for
  approved and effective SOPs with ``require_verified_signatures``.
* SOP413 / SOP414: the signers registry cannot be read / is not anchored.

A missing digest (SOP406) is reported by :mod:`.approvals`.
"""

from __future__ import annotations

from pathlib import Path

from .. import codes
from ..i18n import Msg, msg
from ..model import Corpus, Diagnostic, Severity, Sop
from ..settings import Settings
from ..signing import ApprovalState, Reason, Trust, parse_digest, role_word, trust_for, verdicts
from ..signing.digest import changes_said
from ..signing.registry import registry_diagnostics


def check(corpus: Corpus, settings: Settings) -> list[Diagnostic]:
    trust = trust_for(corpus.root, settings.signers_anchor)
    out: list[Diagnostic] = []
    for sop in corpus.sops:
        out.extend(check_sop(sop, settings, trust))
    if trust.registry.present:
        needed = any(a.digest for s in corpus.sops for a in s.approvals)
        strict = settings.require_verified_signatures and any(
            s.status is not None and s.status.is_signed_off for s in corpus.sops)
        name = Path(trust.registry.path or "signers.yml").name
        # shown beside units.yml, the way the loader shows paths
        shown = (Path(corpus.units_path).parent / name).as_posix() if corpus.units_path else trust.registry.path
        out.extend(registry_diagnostics(trust.registry, shown, needed, strict))
    return out


def check_sop(sop: Sop, settings: Settings, trust: Trust | None = None) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    signed_off = sop.status is not None and sop.status.is_signed_off
    require = settings.require_verified_signatures and signed_off
    registry = trust.registry if trust else None
    version_line = sop.line_of("version", sop.line_of("status"))
    unbumped = False
    for role, v in verdicts(sop, trust).items():
        a = v.approval
        if a is None or not a.digest:
            continue
        line = sop.line_of(f"approvals.{v.index}.digest", a.line)
        who = msg("diag.signatures.who", role=role_word(role), name=a.name or "?")
        if v.reason is Reason.MALFORMED:
            out.append(codes.BAD_DIGEST.at(sop.path, line, msg("diag.signatures.problem", who=who,
                                                                 detail=v.detail or "")))
        elif v.reason is Reason.CONTENT_CHANGED:
            changes = changes_said(v.changes)
            out.append(codes.DIGEST_MISMATCH.at(
                sop.path, line,
                msg("diag.signatures.content_changed", who=who, changes=changes) if changes
                else msg("diag.signatures.content_changed_unnamed", who=who),
                msg("diag.signatures.content_changed_hint", path=sop.path, role=role.value),
                severity=None if signed_off else Severity.INFO))
            stored = parse_digest(a.digest)
            if (signed_off and stored.has_version and sop.version is not None and stored.version is not None
                    and sop.version <= stored.version):
                unbumped = True
        elif v.reason is not None and v.reason.forged_or_wrong:
            out.append(codes.SIGNATURE_INVALID.at(sop.path, line,
                                                  msg("diag.signatures.problem", who=who, detail=v.detail or ""),
                                                  severity=None if signed_off else Severity.WARNING))
        elif v.state is not ApprovalState.VERIFIED:
            # content-bound only: no registry, no key signature, or a registry that is not anchored
            if require:
                sev = Severity.ERROR
            elif v.reason is Reason.NO_SIGNATURE:
                sev = Severity.WARNING if signed_off else Severity.INFO
            else:
                continue  # no registry (digest-only behaviour), or not anchored (SOP414 says it once)
            out.append(codes.NOT_VERIFIED.at(sop.path, line, msg("diag.signatures.not_verified", who=who,
                                                                 detail=v.detail or _why(registry)),
                                             severity=sev))
    if unbumped:
        out.append(codes.VERSION_NOT_BUMPED.at(
            sop.path, version_line,
            msg("diag.signatures.version_not_raised", version=sop.version),
            msg("diag.signatures.version_not_raised_hint", next=sop.version + 1)))
    if signed_off and sop.version is not None and sop.version > 1:
        if not any(r.version == sop.version for r in sop.revisions):
            out.append(codes.VERSION_NOT_BUMPED.at(
                sop.path, version_line,
                msg("diag.signatures.no_revision", version=sop.version),
                msg("diag.signatures.no_revision_hint", version=sop.version)))
    return out


def _why(registry) -> Msg:
    if registry is None or not registry.present:
        return msg("diag.signatures.no_registry")
    return msg("diag.signatures.content_only")

