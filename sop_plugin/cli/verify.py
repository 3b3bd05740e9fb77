"""``sop verify [PATH ...]``: show who signed each approval, and whether it holds, for CI.

Prints each approval's state in the words the portal and the printed sheet use
("Ditandatangani secara elektronik oleh … — terverifikasi", with the key's
fingerprint and the date, or why not).  Exit status: 0 nothing invalid,
1 an approval is invalid (forged or damaged signature, unknown key, key of
another person, key not valid on the date or revoked, content changed since
signing, unreadable digest, registry not anchored) or, with
``--require-verified`` / ``require_verified_signatures``, an approved or
effective SOP has an approval that is not verified; 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..i18n import Translator
from ..model import ROLE_ORDER
from ..signing import ApprovalState, role_word, trust_for, verdicts
from .common import add_common, add_sops_dir, load_for_paths, load_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify", help="check every approval's signature against the signers registry (exit 1 if any is invalid)",
        description="Show each approval's state: verified, bound to the content only, unsigned, or invalid "
                    "with the reason. Exit status: 0 nothing invalid, 1 something invalid (or not verified "
                    "with --require-verified), 2 usage error.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="SOP files or folders (default: the sops folder)")
    p.add_argument("--anchor", metavar="SHA256:…", default=None,
                   help="fingerprint of the signers registry's root key (default: the 'signers_anchor' "
                        "option, else $SOP_SIGNERS_ANCHOR)")
    p.add_argument("--require-verified", "--require-verified-signatures", dest="require_verified",
                   action="store_true", default=None,
                   help="an approved or effective SOP whose approvals are not all verified fails too")
    add_sops_dir(p)
    add_common(p, formats=True)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    anchor = args.anchor or settings.signers_anchor
    require = bool(args.require_verified) or settings.require_verified_signatures
    lang = settings.lang
    t = Translator(lang)
    corpora, only = load_for_paths(args.paths, args, settings)
    rows: list[dict] = []
    registries = []
    for corpus in corpora:
        trust = trust_for(corpus.root, anchor)
        registries.append((corpus.root, trust.registry))
        for sop in corpus.sops:
            if only is not None and Path(sop.path).resolve().as_posix() not in only:
                continue
            if not sop.approvals:
                continue
            signed_off = sop.status is not None and sop.status.is_signed_off
            for role, v in verdicts(sop, trust).items():
                a = v.approval
                failing = v.is_invalid or (require and signed_off and not v.is_verified)
                rows.append({
                    "file": sop.path, "id": sop.id, "version": sop.version,
                    "status": sop.status.value if sop.status else None,
                    "role": role.value, "name": a.name if a else None,
                    "date": a.date.isoformat() if a and a.date else None,
                    "state": v.value, "reason": v.reason.value if v.reason else None,
                    "text": v.label(lang), "detail": v.detail.text(lang) if v.detail else "",
                    "fingerprint": v.fingerprint,
                    "owner": v.owner, "fails": failing,
                })
    failed = sum(r["fails"] for r in rows)
    if args.format == "json":
        json.dump({"approvals": rows, "failed": failed,
                   "registries": [{"root": str(root), "path": r.path, "present": r.present, "anchored": r.anchored,
                                   "problem": r.anchor_problem.text(lang) if r.anchor_problem else None}
                                  for root, r in registries]},
                  sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 1 if failed else 0
    for root, reg in registries:
        if not reg.present:
            print(t("cli.verify.no_registry", root=root))
        elif reg.anchored:
            print(t("cli.verify.anchored", path=reg.path, fingerprint=reg.anchor_fingerprint))
        else:
            print(t("cli.verify.not_anchored", path=reg.path,
                    problem=reg.anchor_problem.text(lang) if reg.anchor_problem else ""))
    current = None
    for r in rows:
        if r["file"] != current:
            current = r["file"]
            print(f"{r['file']}: {r['id'] or '?'} v{r['version'] if r['version'] is not None else '?'} "
                  f"({t('status.' + r['status']).lower() if r['status'] else '?'})")
        if r["state"] == ApprovalState.MISSING.value:
            continue
        extra = ", ".join(x for x in (r["fingerprint"], r["date"]) if x)
        mark = t("cli.verify.fail") if r["fails"] else t("cli.verify.ok")
        role = role_word(next(x for x in ROLE_ORDER if x.value == r["role"])).text(lang)
        print(f"  {mark:5} {role:22} {r['text']}" + (f" ({extra})" if extra else ""))
    counts: dict[str, int] = {}
    for r in rows:
        if r["state"] != ApprovalState.MISSING.value:
            counts[r["state"]] = counts.get(r["state"], 0) + 1
    summary = ", ".join(f"{n} {t('cli.verify.state.' + s)}" for s, n in sorted(counts.items()))
    print(t("cli.verify.summary", n=sum(counts.values()), states=summary or t("cli.verify.none"), failed=failed))
    return 1 if failed else 0
