"""SSH signatures (the SSHSIG format of ``ssh-keygen -Y sign`` and git) made and checked in-process.

Verification uses the ``sshsig`` library (which verifies with ``cryptography``),
never a subprocess, so ``sop lint`` checks every approval of a tree in
milliseconds.  Signing uses ``cryptography``'s Ed25519 with an unencrypted
OpenSSH private key file; for a passphrase-protected key or a key held by
``ssh-agent`` (``--key`` naming the ``.pub`` file) it hands over to OpenSSH's
``ssh-keygen -Y sign``, which produces the same format.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..i18n import Said, msg

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# ``sshsig`` and ``cryptography`` are imported by the functions that use them: a portal without
# signatures never loads them (8 MB of every build process, and of each process it forks)

APPROVAL_NAMESPACE = "sop-approval"
REGISTRY_NAMESPACE = "sop-signers"
_HASH = "sha512"


class SigningKeyError(Said, ValueError):
    """A key that cannot be used for signing; ``said`` says why."""


def fingerprint(openssh_public: str) -> str:
    """``SHA256:<base64>`` of a public key line (``ssh-ed25519 AAAA… comment``), as ``ssh-keygen -l`` shows it."""
    parts = str(openssh_public).split()
    if len(parts) < 2:
        raise ValueError("not an OpenSSH public key line")
    blob = base64.b64decode(parts[1], validate=True)
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


def public_key_line(openssh_public: str) -> str:
    """The key line without its comment, checked to be a key ``sshsig`` can verify with."""
    import sshsig

    key = sshsig.PublicKey.from_openssh_str(str(openssh_public).strip())
    return key.openssh_str()


@dataclass(frozen=True)
class Checked:
    """A signature whose bytes verify: the key that made it."""

    public_key: str  # "ssh-ed25519 AAAA…"
    fingerprint: str


class BadSignature(Exception):
    """The signature does not verify (forged, damaged, another message or namespace)."""


def verify(message: bytes, armored: str, namespace: str) -> Checked:
    """Check that ``armored`` is a signature of ``message`` in ``namespace``; return its key.

    Raises :class:`BadSignature` for anything that is not a valid signature.
    """
    import sshsig
    from cryptography.exceptions import UnsupportedAlgorithm

    try:
        key = sshsig.check_signature(message, armored, namespace=namespace)
        line = key.openssh_str()
    except (sshsig.InvalidSignature, NotImplementedError, ValueError, AssertionError, struct.error,
            EOFError, UnsupportedAlgorithm, TypeError) as exc:
        raise BadSignature(str(exc) or type(exc).__name__) from None
    return Checked(line, fingerprint(line))


def load_private_key(path: Path) -> Ed25519PrivateKey | None:
    """The Ed25519 key in an unencrypted OpenSSH private key file, or ``None`` when OpenSSH must sign
    (a ``.pub`` file for ssh-agent, or a passphrase-protected key)."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningKeyError(msg("cli.sign.key.unreadable", path=path, error=exc.strerror or exc)) from None
    if data.lstrip().startswith(b"ssh-"):
        return None  # a public key: the private half is in ssh-agent
    try:
        key = serialization.load_ssh_private_key(data, password=None)
    except TypeError:
        return None  # encrypted: ssh-keygen asks for the passphrase
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError(msg("cli.sign.key.not_openssh", path=path, error=exc)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(msg("cli.sign.key.not_ed25519", path=path))
    return key


def openssh_public(key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives import serialization

    return key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                         serialization.PublicFormat.OpenSSH).decode("ascii")


def sign_with_key(key: Ed25519PrivateKey, message: bytes, namespace: str) -> str:
    """An armored SSHSIG signature of ``message``, as ``ssh-keygen -Y sign -n NAMESPACE`` makes it."""
    from sshsig.binary_io import SshWriter
    from sshsig.sshsig import SshsigSignature, SshsigWrapper

    digest = hashlib.new(_HASH, message).digest()
    to_sign = SshsigWrapper(namespace=namespace.encode("ascii"), hash_algo=_HASH.encode("ascii"),
                            hash=digest).to_bytes()
    raw_sig = key.sign(to_sign)
    pub_blob = base64.b64decode(openssh_public(key).split()[1])
    sig_blob = io.BytesIO()
    w = SshWriter(sig_blob)
    w.write_string(b"ssh-ed25519")
    w.write_string(raw_sig)
    out = io.BytesIO()
    w = SshWriter(out)
    w.write(b"SSHSIG")
    w.write_uint32(SshsigSignature.VERSION)
    w.write_string(pub_blob)
    w.write_string(namespace.encode("ascii"))
    w.write_string(b"")
    w.write_string(_HASH.encode("ascii"))
    w.write_string(sig_blob.getvalue())
    return SshsigSignature(out.getvalue()).to_armored()


def sign_file_key(path: Path, message: bytes, namespace: str) -> str:
    """Sign with the key file ``path``: in-process for an unencrypted Ed25519 key, else with
    ``ssh-keygen -Y sign`` (passphrase prompt, or ssh-agent for a ``.pub`` file)."""
    key = load_private_key(path)
    if key is not None:
        return sign_with_key(key, message, namespace)
    exe = shutil.which("ssh-keygen")
    if exe is None:
        raise SigningKeyError(msg("cli.sign.key.no_ssh_keygen"))
    proc = subprocess.run([exe, "-q", "-Y", "sign", "-n", namespace, "-f", str(path)], input=message,
                          capture_output=True, check=False, timeout=300)
    if proc.returncode != 0 or b"BEGIN SSH SIGNATURE" not in proc.stdout:
        why = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SigningKeyError(msg("cli.sign.key.ssh_keygen_failed", path=path,
                                  error=why[-1] if why else msg("cli.sign.key.no_output")))
    return proc.stdout.decode("ascii")
