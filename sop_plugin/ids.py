"""The one grammar of SOP ids, and the slug (the safe key) every page path, link and directive uses.

An id is author text.  Before it becomes a page path (``sop/<slug>.md``), a
URL, an anchor or a directive argument (``::: sop <slug>``) it must match
:data:`TOKEN`: ASCII letters and digits in groups joined by one of ``- . _ /``
(``SOP-UMUM-004``, ``SOP/UMUM/004``, ``UN.01.2``), at most :data:`MAX_LENGTH`
characters.  No spaces, newlines, quotes, brackets, ``..`` or leading
separators can pass.  The organisation's own numbering (``id_pattern``)
is checked on top of this.

The slug is the id in lower case with ``/`` as ``-``; two ids with the same
slug would share a page, so that is an error (see ``checks/references.py``).
"""

from __future__ import annotations

import re

MAX_LENGTH = 64
TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-._/][A-Za-z0-9]+)*")

# Page paths and anchors the portal generates next to SOP pages: an SOP whose slug is one of them
# (or ends like a Monev forms page) would take that page or anchor over.
MONEV_SUFFIX = "-monev"
RESERVED_SLUGS = frozenset({"index", "sop-title", "sop-audit-trail", "sop-home-q", "berlaku", "tidak-berlaku",
                            "terlambat", "jatuh-tempo", "temuan", "sosialisasi", "masalah", "peta", "sop",
                            "langkah-lain", "prosedur", "procedure"})
_RESERVED_ANCHOR = re.compile(r"^(?:step-\d+|sopap-step-\d+|doc-.*|serah-terima-.*|sop-flow-.*)$")


def is_valid(sop_id: str | None) -> bool:
    """True when ``sop_id`` matches the token grammar (and may become a slug, path or argument)."""
    return bool(sop_id) and len(sop_id) <= MAX_LENGTH and TOKEN.fullmatch(sop_id) is not None


def slug(sop_id: str) -> str:
    """The safe key of a valid id: lower case, ``/`` as ``-`` (``SOP/UMUM/004`` -> ``sop-umum-004``).

    An id outside the grammar never gets a page; it still gets a key that is safe
    in a path (only ``[a-z0-9-]``), so code that asks anyway cannot build a bad one.
    """
    if is_valid(sop_id):
        return sop_id.lower().replace("/", "-")
    cleaned = re.sub(r"[^a-z0-9]+", "-", sop_id.lower()).strip("-")[:MAX_LENGTH]
    return f"invalid-{cleaned or 'x'}"


def reserved(slug_: str) -> bool:
    """True for a slug that names a page or anchor the portal generates itself."""
    return slug_ in RESERVED_SLUGS or _RESERVED_ANCHOR.match(slug_) is not None
