"""Renderers: every view is a query over the corpus.  Importing this package registers all blocks."""

from . import page  # noqa: F401  (SOP page: header, step table, Mermaid)
