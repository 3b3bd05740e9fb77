#!/usr/bin/env python3
"""Re-sign the bundled sample SOPs with the SAMPLE keys (never by hand).

Run it after any change to what a signature covers (a new digest format in
``sop_plugin/signing/digest.py`` or a new approval message in
``sop_plugin/signing/state.py``) and after editing a bundled SOP::

    python scripts/resign_samples.py            # re-sign sops/ with tests/fixtures/keys/
    python scripts/resign_samples.py --check    # exit 1 if anything would change

It

1. writes ``sops/signers.yml``, the sample signers registry: every person who signs a bundled SOP,
   with the public half of their sample key (``tests/fixtures/keys/signers/<NIP or name>``, created on
   first use) valid 2024-01-01 to 2028-12-31;
2. signs the registry with the sample root key ``tests/fixtures/keys/root`` (``signers.yml.sig``);
3. signs, in order and on the date already recorded, each approval that carries a digest, with its
   signer's sample key, through ``sop sign``'s own code (locked, atomic, the same checks).

The private halves live only under ``tests/fixtures/keys/``: they are published with the repository and
prove nothing outside it.  A real portal keeps its own registry, signed by its quality office's root key,
whose fingerprint it passes in ``SOP_SIGNERS_ANCHOR`` (see docs/guide/signing.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sop_plugin.cli.sign import Refused, sign  # noqa: E402
from sop_plugin.corpus import load_corpus  # noqa: E402
from sop_plugin.model import ROLE_ORDER  # noqa: E402
from sop_plugin.settings import Settings  # noqa: E402
from sop_plugin.signing import keys, store  # noqa: E402

SOPS = ROOT / "sops"
KEYS = ROOT / "tests" / "fixtures" / "keys"
REGISTRY = SOPS / "signers.yml"
VALID = (dt.date(2024, 1, 1), dt.date(2028, 12, 31))


def key_file(name: str, nip: str | None) -> Path:
    stem = nip or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return KEYS / "signers" / stem


def ensure_key(path: Path, comment: str) -> Ed25519PrivateKey:
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                           serialization.NoEncryption()))
        path.chmod(0o600)
        path.with_name(path.name + ".pub").write_text(f"{keys.openssh_public(key)} {comment}\n", encoding="ascii")
    loaded = keys.load_private_key(path)
    assert loaded is not None, path
    return loaded


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def registry_text(people: dict[tuple[str, str | None], set[str]]) -> str:
    out = [
        "# CONTOH (SAMPLE) - daftar penanda tangan portal contoh. Kunci privatnya ada di tests/fixtures/keys/",
        "# dan dipublikasikan bersama repositori: jangan dipakai untuk SOP sungguhan.",
        "# Written by scripts/resign_samples.py; signed by the sample root key (signers.yml.sig).",
        "penandatangan:",
    ]
    for (name, nip), positions in sorted(people.items(), key=lambda p: p[0][0].casefold()):
        key = ensure_key(key_file(name, nip), name)
        out.append(f"  - nama: {_q(name)}")
        if nip:
            out.append(f"    nip: {_q(nip)}")
        out.append("    jabatan: [" + ", ".join(_q(p) for p in sorted(positions)) + "]")
        out.append("    kunci:")
        out.append(f"      - publik: {keys.openssh_public(key)}")
        out.append(f"        berlaku_mulai: {VALID[0].isoformat()}")
        out.append(f"        berlaku_sampai: {VALID[1].isoformat()}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything would change")
    args = parser.parse_args(argv)

    before = {p: p.read_bytes() for p in SOPS.rglob("*") if p.is_file()}
    corpus = load_corpus(SOPS, Settings(), display_base=ROOT)
    people: dict[tuple[str, str | None], set[str]] = {}
    for sop in corpus.sops:
        for a in sop.approvals:
            if a.name:
                people.setdefault((a.name, a.nip), set()).add(a.position)
    root_key = ensure_key(KEYS / "root", "sample quality office root key")
    anchor = keys.fingerprint(keys.openssh_public(root_key))
    text = registry_text(people)
    store.atomic_write(REGISTRY, text)
    store.atomic_write(REGISTRY.with_name(REGISTRY.name + ".sig"),
                       keys.sign_with_key(root_key, text.encode("utf-8"), keys.REGISTRY_NAMESPACE))

    signed = 0
    for sop in corpus.sops:
        path = ROOT / sop.path
        dates = [a.date for a in sop.approvals if a.date]
        settings = Settings(today=max(dates) if dates else None, signers_anchor=anchor)
        for role in ROLE_ORDER:
            a = sop.approval(role)
            if a is None or not a.digest:
                continue
            try:
                sign(path, role, settings, date=a.date, key=key_file(a.name, a.nip))
            except Refused as exc:
                print(f"{sop.path}: {role.value}: {exc}", file=sys.stderr)
                return 1
            signed += 1
    after = {p: p.read_bytes() for p in SOPS.rglob("*") if p.is_file()}
    changed = sorted(str(p.relative_to(ROOT)) for p in set(before) | set(after) if before.get(p) != after.get(p))
    print(f"sample anchor (SOP_SIGNERS_ANCHOR): {anchor}")
    print(f"{len(people)} signers registered, {signed} approvals signed, {len(changed)} files changed")
    if args.check:
        for p in set(before) | set(after):  # put everything back
            if p not in before:
                p.unlink()
            elif before[p] != after.get(p):
                p.write_bytes(before[p])
        for c in changed:
            print(f"  would change {c}")
        return 1 if changed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
