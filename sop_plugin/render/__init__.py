"""Renderers: every view is a query over the corpus.  Importing this package registers all blocks."""

from . import page  # noqa: F401  (SOP page: header, step table, Mermaid)
from . import analysis  # noqa: F401  (footer: process time analysis and simulated histogram)
from . import audit  # noqa: F401  (footer: audit trail with revisions, signatures and git history)
from . import walkthrough  # noqa: F401  (footer: interactive walkthrough, assets/sop-walkthrough.js)
