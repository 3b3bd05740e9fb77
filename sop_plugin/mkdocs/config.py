"""Options of the ``sop`` MkDocs plugin (``plugins: - sop: {...}`` in mkdocs.yml)."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class SopPluginConfig(base.Config):
    sops_dir = c.Type(str, default="sops")
    """Folder of the SOP files and ``units.yml``, relative to mkdocs.yml."""

    lang = c.Choice(("id", "en"), default="id")
    """Language of the texts the plugin writes: ``id`` (Indonesian) or ``en``."""

    include_drafts = c.Type(bool, default=False)
    """Publish draft and review SOPs (a preview build). Off: a production build shows what is in force,
    approved and retired."""

    public = c.Type(bool, default=False)
    """A public build: confidential SOPs get no page, no listing, no search entry and no export."""

    require_signed = c.Type(bool, default=False)
    """An approval without a content digest is an error instead of a warning."""

    id_pattern = c.Type(str, default=r"^[A-Za-z][A-Za-z0-9]*(?:[-./_][A-Za-z0-9]+)+$")
    """Regular expression every SOP id must match."""

    procedure_headings = c.ListOfItems(c.Type(str), default=["Prosedur", "Procedure", "Uraian Prosedur"])
    """Headings that mark the procedure section (case-insensitive)."""

    hours_per_day = c.Type((int, float), default=8)
    """Working hours in a day: how ``1 hari`` converts to hours."""

    days_per_week = c.Type((int, float), default=5)
    """Working days in a week: how ``1 minggu`` converts to days."""

    review_due_days = c.Type(int, default=30)
    """Reviews due within this many days are listed as upcoming."""

    today = c.Optional(c.Type(str))
    """Pin "today" (YYYY-MM-DD) for review dates, for reproducible builds. Default: the build date."""

    url_prefix = c.Type(str, default="sop")
    """Folder of the generated SOP pages in the site."""

    institution = c.Type(dict, default={})
    """The institution shown in the SOP-AP identity block: ``name``, ``logo`` (a path in docs/ or a URL)."""

    simulate = c.Type(dict, default={})
    """Build-time simulation on SOP pages: ``enabled`` (true), ``cases`` (500), ``seed`` (1)."""

    disabled_blocks = c.ListOfItems(c.Type(str), default=[])
    """Names of SOP page blocks to leave out (e.g. ``analysis``, ``walkthrough``)."""
