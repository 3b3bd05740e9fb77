"""Renderers: every view is a query over the corpus.  Importing this package registers all blocks."""

from . import page  # noqa: F401  (SOP page: header, step table, Mermaid)
from . import analysis  # noqa: F401  (footer: process time analysis and simulated histogram)
from . import audit  # noqa: F401  (footer: audit trail with revisions, signatures and git history)
from . import walkthrough  # noqa: F401  (footer: interactive walkthrough, assets/sop-walkthrough.js)
from . import portal  # noqa: F401,E402  (site-level views: catalogue, units, roles, documents, Monev)
from . import sopap  # noqa: F401,E402  (flowchart tab: SOP-AP table; print layout)
from . import identity  # noqa: F401,E402  (header: SOP-AP identity page and lembar pengesahan)
from . import forms  # noqa: F401,E402  (Monev forms pages and the footer link to them)
from . import changes  # noqa: F401,E402  (header: "Perubahan sejak versi N" on draft and review pages)
