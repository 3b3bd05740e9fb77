"""Signatures bound to content (SOP407, SOP408, SOP409).

* SOP409: a digest that cannot be read (any status).
* SOP407: an approved or effective SOP whose approval digest no longer matches
  the content; the message names what changed since signing.  In draft and
  review the same finding is informational (signing is still in progress).
* SOP408: content of an approved/effective SOP changed while ``version``
  stayed what it was at signing; and a version above 1 without a
  ``revisions`` entry for it.

A missing digest (SOP406) is reported by :mod:`.approvals`.
"""

from __future__ import annotations

from .. import codes
from ..model import Corpus, Diagnostic, Severity, Sop
from ..settings import Settings
from ..signing import DigestError, compare
from .approvals import ROLE_WORDS


def check(corpus: Corpus, settings: Settings) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for sop in corpus.sops:
        out.extend(check_sop(sop, settings))
    return out


def _first_per_role(sop: Sop):
    seen = set()
    for i, a in enumerate(sop.approvals):
        if a.role is not None and a.role not in seen:
            seen.add(a.role)
            yield i, a


def check_sop(sop: Sop, settings: Settings) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    signed_off = sop.status is not None and sop.status.is_signed_off
    version_line = sop.line_of("version", sop.line_of("status"))
    unbumped = False
    for i, a in _first_per_role(sop):
        if not a.digest:
            continue
        line = sop.line_of(f"approvals.{i}.digest", a.line)
        who = f"the {ROLE_WORDS[a.role]} signature of {a.name or '?'}"
        try:
            result = compare(sop, a.digest)
        except DigestError as exc:
            out.append(codes.BAD_DIGEST.at(sop.path, line, f"{who}: {exc}"))
            continue
        if result.matches:
            continue
        role = a.role.value
        out.append(codes.DIGEST_MISMATCH.at(
            sop.path, line,
            f"{who} no longer matches the content; changed since signing: {result.describe()}",
            f"if the change is intended, raise the version, add a revisions entry and re-sign: "
            f"'sop sign {sop.path} --role {role}'",
            severity=None if signed_off else Severity.INFO))
        if (signed_off and result.version_known and sop.version is not None
                and result.signed_version is not None and sop.version <= result.signed_version):
            unbumped = True
    if unbumped:
        out.append(codes.VERSION_NOT_BUMPED.at(
            sop.path, version_line,
            f"the content changed after signing but the version is still {sop.version}",
            f"raise version to {sop.version + 1}, add a revisions entry for version {sop.version + 1}, "
            "and re-sign as maker, reviewer and leader"))
    if signed_off and sop.version is not None and sop.version > 1:
        if not any(r.version == sop.version for r in sop.revisions):
            out.append(codes.VERSION_NOT_BUMPED.at(
                sop.path, version_line,
                f"version {sop.version} has no entry under 'revisions'",
                f"add '- {{version: {sop.version}, date: YYYY-MM-DD, summary: what changed}}' "
                "under 'riwayat_revisi' / 'revisions'"))
    return out
