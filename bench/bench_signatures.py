"""Benchmark: what key signatures add to ``sop lint`` (verification runs in-process).

Run:  python bench/bench_signatures.py [--sops 300] [--repeat 3]

Builds a tree of N copies of a bundled SOP (distinct ids), signs every approval
with a generated Ed25519 key registered in an anchored signers registry, then
times, best of ``--repeat``:

* ``verify``: one SSHSIG verification (sshsig + cryptography);
* ``check``: the signature check over the whole tree (``sop_plugin.checks.signatures``),
  warm (signatures files cached) and cold (caches cleared);
* ``lint``: the whole validation of the tree, with and without the registry.

Target: the signature check costs well under the rest of ``sop lint``
(a few milliseconds per SOP, cold).
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sop_plugin.checks import signatures, validate
from sop_plugin.corpus import load_corpus
from sop_plugin.model import ROLE_ORDER
from sop_plugin.settings import Settings
from sop_plugin.signing import approval_message, content_digest, content_fingerprint, keys, registry, store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sops" / "biro-umum" / "peminjaman-ruang.md"


def best(fn, repeat: int) -> float:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return min(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sops", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    try:
        root = tmp / "sops"
        (root / "umum").mkdir(parents=True)
        shutil.copy(ROOT / "sops" / "units.yml", root / "units.yml")
        text = SAMPLE.read_text(encoding="utf-8")
        for i in range(args.sops):
            (root / "umum" / f"s{i}.md").write_text(
                re.sub(r"(?m)^(nomor|id): .*$", f"nomor: SOP-BENCH-{i:04d}", text, count=1), encoding="utf-8")
        corpus = load_corpus(root, Settings())
        people: dict[str, Ed25519PrivateKey] = {}
        for sop in corpus.sops:
            entries = {}
            for role in ROLE_ORDER:
                a = sop.approval(role)
                key = people.setdefault(a.name, Ed25519PrivateKey.generate())
                digest = content_digest(sop)
                signed = a.__class__(**{**a.__dict__, "digest": digest})
                sig = keys.sign_with_key(key, approval_message(sop, signed, digest), keys.APPROVAL_NAMESPACE)
                entries[role.value] = store.Entry(digest, content_fingerprint(sop), None, sig)
            store.atomic_write(store.signatures_path(root, sop.id, sop.version),
                               store.render_entries(sop.id, sop.version, entries))
            path = Path(sop.path)
            body = path.read_text(encoding="utf-8")
            for role in ROLE_ORDER:  # every approval's digest line (the sample's are already v2)
                body = re.sub(r"digest: sha256:[0-9a-f]{64};v2;version=\d+", f"digest: {content_digest(sop)}", body)
            path.write_text(body, encoding="utf-8")
        root_key = Ed25519PrivateKey.generate()
        lines = ["penandatangan:"]
        for name, key in people.items():
            lines += [f"  - nama: \"{name}\"", "    kunci:", f"      - publik: {keys.openssh_public(key)}"]
        reg_text = "\n".join(lines) + "\n"
        (root / "signers.yml").write_text(reg_text, encoding="utf-8")
        (root / "signers.yml.sig").write_text(
            keys.sign_with_key(root_key, reg_text.encode(), keys.REGISTRY_NAMESPACE))
        anchor = keys.fingerprint(keys.openssh_public(root_key))
        settings = Settings(signers_anchor=anchor)
        corpus = load_corpus(root, settings)
        found = [d for d in signatures.check(corpus, settings) if d.code.startswith("SOP41")]
        assert not found, found[:3]

        sop = corpus.sops[0]
        a = sop.approvals[0]
        sig = store.read_entries(store.signatures_path(root, sop.id, sop.version))["maker"].signature
        msg = approval_message(sop, a, a.digest)
        n_sig = 3 * len(corpus.sops)
        t_verify = best(lambda: [keys.verify(msg, sig, keys.APPROVAL_NAMESPACE) for _ in range(200)],
                        args.repeat) / 200

        def cold():
            store._read_cache.clear()
            registry._cache.clear()
            signatures.check(corpus, settings)

        t_cold = best(cold, args.repeat)
        t_warm = best(lambda: signatures.check(corpus, settings), args.repeat)
        t_lint = best(lambda: validate(corpus, settings), args.repeat)
        (root / "signers.yml").unlink()
        t_lint_noreg = best(lambda: validate(corpus, settings), args.repeat)
        print(f"{len(corpus.sops)} SOPs, {n_sig} key signatures")
        print(f"  one verification          {t_verify * 1e3:8.3f} ms")
        print(f"  signature check, cold     {t_cold * 1e3:8.1f} ms ({t_cold / len(corpus.sops) * 1e3:.2f} ms per SOP)")
        print(f"  signature check, warm     {t_warm * 1e3:8.1f} ms")
        print(f"  validate (whole lint)     {t_lint * 1e3:8.1f} ms with registry, "
              f"{t_lint_noreg * 1e3:.1f} ms without")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
