"""Renderers: every view is a query over the analysed portal (:mod:`sop_plugin.pipeline`).

:mod:`.blocks` is the registry: it lists the modules that contribute page
blocks, directives and generated pages.  Importing this package registers nothing.
"""
