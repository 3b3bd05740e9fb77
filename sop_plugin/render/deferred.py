"""Large HTML fragments kept on disk between a page's conversion and its writing.

MkDocs converts every page first and writes them all afterwards, so the HTML
of every page is in memory at once.  In a portal of a thousand SOPs most of
it is the portal's own fragments (the step table, the SOP-AP table, the
flowcharts, the role and unit listings).  With a :class:`Spool`, the
Markdown extension puts each large fragment in a temporary file and leaves a
short token in the page (:meth:`Spool.put`); the host puts the fragments back
into the finished page just before writing it (:meth:`Spool.fill`).

Tokens carry a random per-build nonce, like the sanitiser's markers: author
text cannot forge one.
"""

from __future__ import annotations

import re
import secrets
import tempfile
from collections.abc import Callable

MIN_SIZE = 2048  # smaller fragments stay in the page: a token and a file read would cost more


class Spool:
    """One build's deferred fragments (a temporary file, deleted when closed)."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._where: dict[str, tuple[int, int]] = {}
        nonce = secrets.token_hex(12)
        self._prefix = f"<!--sop-deferred-{nonce}-"
        self._token = re.compile(re.escape(self._prefix) + r"\d+-->")

    def put(self, fragment: str) -> str:
        """A token standing for ``fragment`` (returned as is when it is small)."""
        if len(fragment) < MIN_SIZE:
            return fragment
        data = fragment.encode("utf-8")
        offset = self._file.seek(0, 2)
        self._file.write(data)
        token = f"{self._prefix}{len(self._where)}-->"
        self._where[token] = (offset, len(data))
        return token

    def fill(self, page_html: str, transform: Callable[[str], str] | None = None) -> str:
        """``page_html`` with every token replaced by its fragment (through ``transform``, if given)."""
        if self._prefix not in page_html:
            return page_html

        def fragment(m: re.Match[str]) -> str:
            found = self._where.get(m.group(0))
            if found is None:  # not this build's: leave it (it is an HTML comment)
                return m.group(0)
            self._file.seek(found[0])
            text = self._file.read(found[1]).decode("utf-8")
            return transform(text) if transform is not None else text

        return self._token.sub(fragment, page_html)

    def close(self) -> None:
        self._file.close()
        self._where.clear()
