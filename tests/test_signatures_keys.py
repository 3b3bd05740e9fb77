"""Key-based signatures verified offline: registry, anchor, the approval states, ``sop verify``.

Keys are generated in temp dirs for every test; the bundled samples' keys live in tests/fixtures/keys/.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import shutil
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conftest import VALID_SOP, lint, mutate
from sop_plugin.cli import main
from sop_plugin.corpus import load_corpus
from sop_plugin.model import Role, Severity
from sop_plugin.settings import Settings
from sop_plugin.signing import ApprovalState, Reason, keys, store, trust_for, verdicts

TODAY = "2026-06-01"
PEOPLE = {  # name, nip as in VALID_SOP
    "maker": ("Rina Lestari", "198703152010122001"),
    "reviewer": ("Dewi Anggraini", None),
    "leader": ("Prof. Ahmad Fauzi", None),
}


def new_key(folder, name):
    key = Ed25519PrivateKey.generate()
    path = folder / name
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                       serialization.NoEncryption()))
    path.chmod(0o600)
    path.with_name(name + ".pub").write_text(keys.openssh_public(key) + f" {name}\n")
    return path, keys.openssh_public(key), keys.fingerprint(keys.openssh_public(key))


class Tree:
    def __init__(self, root, keydir):
        self.root = root
        self.sop = root / "biro-umum" / "a.md"
        self.keydir = keydir
        self.keys = {}
        self.root_key, _, self.anchor = new_key(keydir, "root")
        for role in PEOPLE:
            self.keys[role] = new_key(keydir, role)

    def registry(self, entries=None, *, sign=True, extra=""):
        """Write signers.yml: ``entries`` maps a person's name to (nip, public key, extra key lines)."""
        if entries is None:
            entries = {PEOPLE[r][0]: (PEOPLE[r][1], self.keys[r][1], "") for r in PEOPLE}
        lines = ["penandatangan:"]
        for name, (nip, pub, more) in entries.items():
            lines.append(f"  - nama: {name}")
            if nip:
                lines.append(f'    nip: "{nip}"')
            lines += ["    jabatan: [Pegawai]", "    kunci:", f"      - publik: {pub}",
                      "        berlaku_mulai: 2025-01-01", "        berlaku_sampai: 2027-12-31"]
            if more:
                lines.append(more)
        text = "\n".join(lines) + "\n" + extra
        path = self.root / "signers.yml"
        path.write_text(text, encoding="utf-8")
        sig = path.with_name("signers.yml.sig")
        if sign:
            root_key = keys.load_private_key(self.root_key)
            sig.write_text(keys.sign_with_key(root_key, text.encode("utf-8"), keys.REGISTRY_NAMESPACE))
        elif sig.exists():
            sig.unlink()

    def sign(self, role, key=None, *extra):
        key = key if key is not None else self.keys[role][0]
        return main(["sign", str(self.sop), "--role", role, "--today", TODAY, "--key", str(key), *extra])

    def sign_all(self):
        for role in PEOPLE:
            assert self.sign(role) == 0

    def states(self, anchor="default"):
        anchor = self.anchor if anchor == "default" else anchor
        corpus = load_corpus(self.root, Settings(), display_base=self.root)
        return verdicts(corpus.sops[0], trust_for(self.root, anchor))

    def lint(self, anchor="default", **kw):
        return lint(self.root, signers_anchor=self.anchor if anchor == "default" else anchor, **kw)


@pytest.fixture
def tree(sop_tree, tmp_path, monkeypatch):
    monkeypatch.delenv("SOP_SIGNERS_ANCHOR", raising=False)
    keydir = tmp_path / "keys"
    keydir.mkdir()
    t = Tree(sop_tree({"biro-umum/a.md": VALID_SOP}), keydir)
    t.registry()
    return t


def codes(diags, *wanted):
    return [(d.code, d.severity, d.message) for d in diags if d.code in wanted]


SIG_CODES = ("SOP406", "SOP407", "SOP408", "SOP409", "SOP411", "SOP412", "SOP413", "SOP414")


def test_all_three_roles_signed_with_registered_keys_are_verified(tree, capsys):
    tree.sign_all()
    states = tree.states()
    assert {r: v.state for r, v in states.items()} == {r: ApprovalState.VERIFIED for r in Role}
    assert states[Role.MAKER].fingerprint == tree.keys["maker"][2]
    assert states[Role.MAKER].label("id") == "Ditandatangani secara elektronik oleh Rina Lestari — terverifikasi"
    assert codes(tree.lint(require_verified_signatures=True), *SIG_CODES) == []
    # the SOP stays readable: no added line over 120 characters; signatures are in the sidecar
    assert max(len(line) for line in tree.sop.read_text().splitlines()) <= 120
    sidecar = store.signatures_path(tree.root, "SOP-UMUM-004", 2)
    assert sidecar.is_file() and sidecar.read_text().count("BEGIN SSH SIGNATURE") == 3


def test_key_registered_to_another_person_is_invalid(tree, capsys, monkeypatch):
    monkeypatch.setenv("SOP_SIGNERS_ANCHOR", tree.anchor)  # (what `sop sign` trusts the registry by)
    assert tree.sign("maker") == 0
    capsys.readouterr()
    assert tree.sign("reviewer", tree.keys["leader"][0], "--lang", "en") == 0  # signs, with a warning
    warned = capsys.readouterr().err
    v = tree.states()[Role.REVIEWER]
    assert (v.state, v.reason, v.owner) == (ApprovalState.INVALID, Reason.OTHER_PERSON, "Prof. Ahmad Fauzi")
    assert "kunci milik Prof. Ahmad Fauzi" in v.label("id")
    found = codes(tree.lint(), "SOP411")
    assert len(found) == 1 and found[0][1] is Severity.ERROR and "registered to Prof. Ahmad Fauzi" in found[0][2]
    # the signer was told at once, in the words of the build's diagnostic
    assert warned.startswith("sop sign: warning: the key ") and warned.count("sop sign: warning: ") == 1
    said = warned.removeprefix("sop sign: warning: ").removesuffix(": the approval will show as invalid\n")
    assert said != warned and found[0][2].endswith(": " + said)


def test_unregistered_key_is_invalid(tree):
    stranger, _, fp = new_key(tree.keydir, "stranger")
    assert tree.sign("maker", stranger) == 0
    v = tree.states()[Role.MAKER]
    assert (v.state, v.reason, v.fingerprint) == (ApprovalState.INVALID, Reason.UNKNOWN_KEY, fp)


def test_edit_after_signing_is_invalid_naming_the_changed_parts(tree):
    tree.sign_all()
    text = tree.sop.read_text(encoding="utf-8")
    tree.sop.write_text(mutate(text, "waktu: 1-2 jam", "waktu: 2-3 jam"), encoding="utf-8")
    for v in tree.states().values():
        assert (v.state, v.reason) == (ApprovalState.INVALID, Reason.CONTENT_CHANGED)
        assert "step 2 duration" in v.changed
        assert "isi berubah sejak ditandatangani (langkah 2 waktu)" in v.label("id")  # no English on id pages
        assert "the content changed since signing (step 2 duration)" in v.label("en")
    assert [c for c, _, m in codes(tree.lint(), "SOP407") if "step 2 duration" in m] == ["SOP407"] * 3


def test_editing_the_signer_fields_breaks_the_signature(tree):
    tree.sign_all()
    text = tree.sop.read_text(encoding="utf-8")
    tree.sop.write_text(mutate(text, "tanggal: 2026-03-10", "tanggal: 2026-03-11"), encoding="utf-8")
    v = tree.states()[Role.LEADER]
    assert (v.state, v.reason) == (ApprovalState.INVALID, Reason.BAD_SIGNATURE)


def test_revoked_key_is_invalid_even_for_earlier_signatures(tree):
    tree.sign_all()
    pubs = {PEOPLE[r][0]: (PEOPLE[r][1], tree.keys[r][1], "") for r in PEOPLE}
    pubs["Dewi Anggraini"] = (None, tree.keys["reviewer"][1], "        dicabut: 2026-05-01")
    tree.registry(pubs)
    v = tree.states()[Role.REVIEWER]
    assert (v.state, v.reason) == (ApprovalState.INVALID, Reason.KEY_REVOKED)
    assert "dicabut pada 1 Mei 2026; perlu ditandatangani ulang" in v.label("id")
    assert tree.states()[Role.MAKER].is_verified


def test_key_not_valid_on_the_signing_date_is_invalid(tree):
    tree.sign_all()
    text = (tree.root / "signers.yml").read_text(encoding="utf-8")  # narrow the leader's key to 2027
    start = text.index("Prof. Ahmad Fauzi")
    late = text[:start] + text[start:].replace("berlaku_mulai: 2025-01-01", "berlaku_mulai: 2027-01-01", 1)
    (tree.root / "signers.yml").write_text(late, encoding="utf-8")
    (tree.root / "signers.yml.sig").write_text(
        keys.sign_with_key(keys.load_private_key(tree.root_key), late.encode(), keys.REGISTRY_NAMESPACE))
    v = tree.states()[Role.LEADER]
    assert (v.state, v.reason) == (ApprovalState.INVALID, Reason.KEY_NOT_VALID)


def test_registry_not_signed_by_the_anchor_is_not_anchored(tree):
    tree.sign_all()
    # an author adds their own key to the registry: the root signature no longer matches
    path = tree.root / "signers.yml"
    path.write_text(path.read_text() + "  - nama: Penyusup\n    kunci: [{publik: " + tree.keys["maker"][1] + "}]\n")
    v = tree.states()[Role.MAKER]
    assert (v.state, v.reason) == (ApprovalState.INVALID, Reason.NOT_ANCHORED)
    assert "belum terjangkar" in v.label("id")
    # a registry signed by some other key, and a build without any anchor
    tree.registry()
    other, _, other_fp = new_key(tree.keydir, "other-root")
    assert tree.states(anchor=other_fp)[Role.MAKER].reason is Reason.NOT_ANCHORED
    assert tree.states(anchor=None)[Role.MAKER].reason is Reason.NOT_ANCHORED
    found = codes(tree.lint(anchor=None), "SOP414")
    assert len(found) == 1 and "no trust anchor is configured" in found[0][2]
    assert codes(tree.lint(anchor=None, require_verified_signatures=True), "SOP412")


def test_anchor_from_the_environment(tree, monkeypatch):
    tree.sign_all()
    monkeypatch.setenv("SOP_SIGNERS_ANCHOR", tree.anchor)
    assert tree.states(anchor=None)[Role.LEADER].is_verified


def test_forged_signature_bytes_are_invalid(tree):
    tree.sign_all()
    sidecar = store.signatures_path(tree.root, "SOP-UMUM-004", 2)
    entries = store.read_entries(sidecar)
    armored = entries["leader"].signature.splitlines()
    blob = bytearray(base64.b64decode("".join(armored[1:-1])))
    blob[-7] ^= 0x01  # one bit of the Ed25519 signature
    forged = "\n".join([armored[0], base64.b64encode(bytes(blob)).decode(), armored[-1]])
    entries["leader"] = dataclasses.replace(entries["leader"], signature=forged)
    sidecar.write_text(store.render_entries("SOP-UMUM-004", 2, entries))
    states = tree.states()
    assert (states[Role.LEADER].state, states[Role.LEADER].reason) == (ApprovalState.INVALID, Reason.BAD_SIGNATURE)
    assert states[Role.MAKER].is_verified
    assert codes(tree.lint(), "SOP411")[0][1] is Severity.ERROR


def test_digest_only_approvals_with_a_registry_need_a_key(tree):
    for role in PEOPLE:
        assert main(["sign", str(tree.sop), "--role", role, "--today", TODAY]) == 0
    v = tree.states()[Role.MAKER]
    assert (v.state, v.reason) == (ApprovalState.INVALID, Reason.NO_SIGNATURE)
    assert [s for _, s, _ in codes(tree.lint(), "SOP412")] == [Severity.WARNING] * 3
    assert [s for _, s, _ in codes(tree.lint(require_verified_signatures=True), "SOP412")] == [Severity.ERROR] * 3


def test_without_a_registry_digest_only_stays_content_bound(tree):
    (tree.root / "signers.yml").unlink()
    for role in PEOPLE:
        assert main(["sign", str(tree.sop), "--role", role, "--today", TODAY]) == 0
    v = tree.states()[Role.MAKER]
    assert v.state is ApprovalState.CONTENT_BOUND and "belum terverifikasi" in v.label("id")
    assert codes(tree.lint(), *SIG_CODES) == []
    assert [s for _, s, _ in codes(tree.lint(require_verified_signatures=True), "SOP412")] == [Severity.ERROR] * 3


def test_sop_verify_exit_codes_and_output(tree, capsys):
    tree.sign_all()
    args = ["verify", str(tree.root), "--anchor", tree.anchor]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.count("— terverifikasi") == 3 and tree.keys["leader"][2] in out and "2026-03-10" in out
    assert "3 pengesahan: 3 terverifikasi; 0 gagal" in out  # in the site's language, Indonesian by default
    assert main(args + ["--require-verified"]) == 0
    capsys.readouterr()
    assert main(["verify", str(tree.root)]) == 1  # no anchor: not anchored is invalid
    assert "TIDAK terjangkar" in capsys.readouterr().out
    assert main(["verify", str(tree.root), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "NOT anchored" in out and "3 approvals: 3 invalid; 3 failing" in out and "FAIL  leader (pimpinan)" in out
    # a wrong person's key: exit 1, and JSON says which approval
    assert tree.sign("reviewer", tree.keys["maker"][0]) == 0
    capsys.readouterr()
    assert main(args + ["--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    failing = [(r["role"], r["reason"]) for r in data["approvals"] if r["fails"]]
    assert failing == [("reviewer", "other_person")]
    with pytest.raises(SystemExit) as exc:
        main(["verify", str(tree.root / "nope.md")])
    assert exc.value.code == 2


def test_registry_errors_are_located(tree):
    path = tree.root / "signers.yml"
    path.write_text("penandatangan:\n  - nama: A\n    kunci:\n      - publik: ssh-ed25519 bukan-kunci\n")
    found = [d for d in tree.lint() if d.code == "SOP413"]
    assert found and found[0].line == 4 and found[0].file.endswith("signers.yml")
    path.write_text("penandatangan: [\n")
    assert [d.code for d in tree.lint() if d.code == "SOP413"] == ["SOP413"]


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="OpenSSH's ssh-keygen is not installed")
def test_openssh_verifies_our_signatures_and_we_verify_openssh(tree, tmp_path):
    tree.sign_all()
    entries = store.read_entries(store.signatures_path(tree.root, "SOP-UMUM-004", 2))
    corpus = load_corpus(tree.root, Settings(), display_base=tree.root)
    sop = corpus.sops[0]
    from sop_plugin.signing import approval_message

    a = sop.approval(Role.MAKER)
    msg = approval_message(sop, a, a.digest)
    (tmp_path / "msg").write_bytes(msg)
    (tmp_path / "msg.sig").write_text(entries["maker"].signature)
    (tmp_path / "allowed").write_text(f"rina namespaces=\"sop-approval\" {tree.keys['maker'][1]}\n")
    ok = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(tmp_path / "allowed"), "-I", "rina",
                         "-n", "sop-approval", "-s", str(tmp_path / "msg.sig")], input=msg, capture_output=True)
    assert ok.returncode == 0, ok.stderr
    # and a signature made by ssh-keygen (the path for ssh-agent and passphrase keys) verifies in-process
    made = subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", "sop-approval", "-f", str(tree.keys["maker"][0])],
                          input=msg, capture_output=True, check=True).stdout.decode()
    assert keys.verify(msg, made, "sop-approval").fingerprint == tree.keys["maker"][2]
    with pytest.raises(keys.BadSignature):
        keys.verify(msg + b"x", made, "sop-approval")


# -- locked, atomic signing ------------------------------------------------------------------------

def _sign_process(barrier, args):
    """A forked ``sop sign``: waits until every signer is ready, then runs the command; exits with its status."""
    import contextlib
    import io
    import os

    barrier.wait()
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exc:
            code = exc.code
    if code == 1 and "refused" not in err.getvalue():
        code = 9  # exit 1 must be a refusal, never a crash
    os._exit(int(code or 0))


def _race(tree, jobs):
    """Run every ``sop sign`` of ``jobs`` (role, date) as separate processes released at the same instant;
    return [(role, date, exit status)]."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")  # each child has imported everything: they start together
    barrier = ctx.Barrier(len(jobs))
    procs = [(role, date, ctx.Process(target=_sign_process, args=(barrier, [
        "sign", str(tree.sop), "--role", role, "--date", date, "--today", TODAY,
        "--key", str(tree.keys[role][0]), "--lang", "en"]))) for role, date in jobs]
    for _, _, p in procs:
        p.start()
    out = []
    for role, date, p in procs:
        p.join(120)
        assert p.exitcode in (0, 1), (role, p.exitcode)  # 1: refused (e.g. the leader before the reviewer)
        out.append((role, date, p.exitcode))
    return out


@pytest.mark.parametrize("correction", [False, True], ids=["signers-only", "with-date-correction"])
def test_concurrent_signers_never_lose_an_update(sop_tree, tmp_path, correction):
    keydir = tmp_path / "keys"
    keydir.mkdir()
    for rnd in range(4):
        t = Tree(sop_tree({"biro-umum/a.md": VALID_SOP}, name=f"sops{rnd}"), keydir)
        t.registry()
        if correction:  # the maker has signed; reviewer and leader sign while the maker corrects the date
            assert t.sign("maker") == 0
            jobs = [("reviewer", "2026-03-07"), ("leader", "2026-03-10"), ("maker", "2026-03-06")]
        else:
            jobs = [("maker", "2026-03-05"), ("reviewer", "2026-03-07"), ("leader", "2026-03-10")]
        results = _race(t, jobs)
        states = t.states()
        corpus = load_corpus(t.root, Settings(), display_base=t.root)
        sop = corpus.sops[0]
        assert not [d for d in sop.diagnostics if d.severity is Severity.ERROR]
        for role, date, rc in results:
            if rc == 0:  # every reported success is in the final file, verified
                v = states[Role(role)]
                assert v.is_verified and v.approval.date.isoformat() == date, (role, v)
        assert any(rc == 0 for _, _, rc in results)
        leftovers = [p.name for p in t.sop.parent.iterdir() if p.name.endswith(".tmp")]
        assert leftovers == []


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_signing_keeps_line_endings_and_permissions(tree, eol):
    tree.sop.write_bytes(VALID_SOP.replace("\n", eol).encode("utf-8"))
    tree.sop.chmod(0o640)
    tree.sign_all()
    raw = tree.sop.read_bytes().decode("utf-8")
    assert raw.count(eol) == VALID_SOP.count("\n") + 3  # three digest lines added, same line ending
    if eol != "\r\n":
        assert "\r\n" not in raw
    assert (tree.sop.stat().st_mode & 0o777) == 0o640
    assert all(v.is_verified for v in tree.states().values())
    assert store.lock_path(tree.sop).exists()  # the stable lock file, not the SOP, is what is locked


def test_cached_pages_follow_the_registry_and_anchor(tree, tmp_path):
    """The page cache is keyed on the approval states: revoking a key or losing the anchor shows at once."""
    import os
    import sys

    tree.sign_all()
    project = tree.root.parent
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# Beranda\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: Uji\ntheme:\n  name: material\n  language: id\n  font: false\nplugins:\n  - sop:\n"
        "      signers_anchor: !ENV [SOP_SIGNERS_ANCHOR, '" + tree.anchor + "']\n"
        "      simulate: {enabled: false}\n", encoding="utf-8")

    def page(**env):
        site = project / "site"
        res = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(site)], cwd=project,
                             env=dict(os.environ, NO_MKDOCS_2_WARNING="1", **env), capture_output=True, text=True,
                             timeout=300)
        assert res.returncode == 0, res.stderr[-2000:]
        return (site / "sop" / "sop-umum-004" / "index.html").read_text(encoding="utf-8")

    assert page().count("— terverifikasi") == 3
    assert page(SOP_SIGNERS_ANCHOR="SHA256:" + "B" * 43).count("belum terjangkar") == 3  # same text, other anchor
    pubs = {PEOPLE[r][0]: (PEOPLE[r][1], tree.keys[r][1], "") for r in PEOPLE}
    pubs["Dewi Anggraini"] = (None, tree.keys["reviewer"][1], "        dicabut: 2026-05-01")
    tree.registry(pubs)
    html = page()
    assert html.count("— terverifikasi") == 2 and "perlu ditandatangani ulang" in html
    (tree.root / "signers.yml").unlink()  # no registry: bound to the content, nobody checked who (no finding)
    assert page().count("terikat pada isi — belum terverifikasi") == 3


def test_damaged_registry_and_signatures_files_never_raise(tree):
    """Truncations, byte flips and junk in signers.yml, its .sig and the signatures file: findings, no crash."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    tree.sign_all()
    files = [tree.root / "signers.yml", tree.root / "signers.yml.sig",
             store.signatures_path(tree.root, "SOP-UMUM-004", 2)]
    originals = {p: p.read_bytes() for p in files}

    @settings(max_examples=25, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(which=st.sampled_from(files), at=st.floats(0, 1), cut=st.integers(0, 40),
           junk=st.binary(max_size=12) | st.sampled_from([b"\x00", b": [", b"\xff\xfe", b"-----", b"!!python/x"]))
    def run(which, at, cut, junk):
        for p, data in originals.items():
            p.write_bytes(data)
        data = originals[which]
        i = int(at * len(data))
        which.write_bytes(data[:i] + junk + data[i + cut:])
        states = tree.states()
        assert set(states) == set(Role)
        for v in states.values():
            v.label("id"), v.label("en")
        for d in tree.lint():
            assert d.file and d.line >= 1 and d.code

    run()


_LOADED = ("import sys; from sop_plugin.cli import main; main(['lint', {root!r}]); "
           "print(sorted({{m.split('.')[0] for m in sys.modules}} & {{'cryptography', 'sshsig'}}))")


def test_the_signature_libraries_load_only_for_a_tree_that_signs(tree, sop_tree):
    """``cryptography`` and ``sshsig`` cost every build process 8 MB: a portal without signatures
    (nor a signers registry) never imports them; one with them does, and verifies."""
    unsigned = sop_tree({"biro-umum/a.md": VALID_SOP}, name="unsigned")
    loaded = {}
    for name, root in (("unsigned", unsigned), ("registry", tree.root)):
        run = subprocess.run([sys.executable, "-c", _LOADED.format(root=str(root))],
                             capture_output=True, text=True, timeout=120)
        assert "Traceback" not in run.stderr, run.stderr
        loaded[name] = run.stdout.strip().splitlines()[-1]
    assert loaded == {"unsigned": "[]", "registry": "['cryptography', 'sshsig']"}
