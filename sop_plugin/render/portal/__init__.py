"""The portal's site-level views (home, catalogue, units, roles, documents, relations, Monev).

Importing the package registers its directives and generated pages.
"""

from . import views  # noqa: F401
