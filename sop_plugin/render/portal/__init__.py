"""The portal's site-level views (home, catalogue, units, roles, documents, relations, Monev).

:mod:`.data` builds the index the views query; :mod:`.views` holds the directives and page generators.
"""
