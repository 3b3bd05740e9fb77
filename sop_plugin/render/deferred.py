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
from array import array
from collections.abc import Callable

MIN_SIZE = 2048  # smaller fragments stay in the page: a token and a file read would cost more


class Spool:
    """One build's deferred fragments (a temporary file, deleted when closed)."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        # where fragment N ends in the file (it starts where N - 1 ends): no Python object per
        # fragment, which would stay, scattered among the pages' conversions, until the last is written
        self._ends = array("q")
        nonce = secrets.token_hex(12)
        self._prefix = f"<!--sop-deferred-{nonce}-"
        self._token = re.compile(re.escape(self._prefix) + r"(\d{1,18})-->")

    def put(self, fragment: str) -> str:
        """A token standing for ``fragment`` (returned as is when it is small)."""
        if len(fragment) < MIN_SIZE:
            return fragment
        self._file.seek(0, 2)
        self._file.write(fragment.encode("utf-8"))
        self._ends.append(self._file.tell())
        return f"{self._prefix}{len(self._ends) - 1}-->"

    def fill(self, page_html: str, transform: Callable[[str], str] | None = None) -> str:
        """``page_html`` with every token replaced by its fragment (through ``transform``, if given)."""
        if self._prefix not in page_html:
            return page_html

        def fragment(m: re.Match[str]) -> str:
            n = int(m.group(1))
            if n >= len(self._ends):  # not this build's: leave it (it is an HTML comment)
                return m.group(0)
            start = self._ends[n - 1] if n else 0
            self._file.seek(start)
            text = self._file.read(self._ends[n] - start).decode("utf-8")
            return transform(text) if transform is not None else text

        return self._token.sub(fragment, page_html)

    def close(self) -> None:
        self._file.close()
        self._ends = array("q")
