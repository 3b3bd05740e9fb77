"""Options of the ``sop`` MkDocs plugin (``plugins: - sop: {...}`` in mkdocs.yml).

Defaults come from :data:`sop_plugin.settings.DEFAULTS` (declared once);
:meth:`sop_plugin.settings.Settings.from_options` turns the validated
options into the pipeline's settings.
"""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

from ..settings import DEFAULTS

_d = DEFAULTS


class InstitutionConfig(base.Config):
    name = c.Type(str, default=_d.institution.name)
    """Name of the institution, printed in the SOP-AP identity block."""

    logo = c.Optional(c.Type(str))
    """Logo: a path inside ``docs_dir`` (or an http(s) URL when remote resources are allowed)."""


class SimulateConfig(base.Config):
    enabled = c.Type(bool, default=_d.simulate.enabled)
    """Run the bounded Monte Carlo simulation at build time and show its histogram."""

    cases = c.Type(int, default=_d.simulate.cases)
    """Simulated cases per SOP (at most 20,000)."""

    seed = c.Type(int, default=_d.simulate.seed)
    """Random seed: the same seed gives the same histogram in every build."""


class SopPluginConfig(base.Config):
    sops_dir = c.Type(str, default=_d.sops_dir)
    """Folder of the SOP files and ``units.yml``, relative to mkdocs.yml."""

    lang = c.Optional(c.Choice(("id", "en")))
    """Language of the texts the plugin writes: ``id`` (Indonesian) or ``en``. Default: the theme's
    ``language``, else ``id``."""

    include_drafts = c.Type(bool, default=_d.include_drafts)
    """Publish draft and review SOPs (a preview build). Off: a production build shows what is in force,
    approved and retired."""

    public = c.Type(bool, default=_d.public)
    """A public build: confidential SOPs get no page, no listing, no search entry and no export."""

    require_signed = c.Type(bool, default=_d.require_signed)
    """An approval without a content digest is an error instead of a warning."""

    require_verified_signatures = c.Type(bool, default=_d.require_verified_signatures)
    """Approvals of approved and effective SOPs must be verified by a registered key (anything less is an error)."""

    signers_anchor = c.Optional(c.Type(str))
    """Fingerprint (``SHA256:…``) of the root key that signs the signers registry; keep it outside the repository,
    e.g. ``!ENV SOP_SIGNERS_ANCHOR``. Default: the ``SOP_SIGNERS_ANCHOR`` environment variable."""

    id_pattern = c.Type(str, default=_d.id_pattern)
    """Regular expression every SOP id must match."""

    procedure_headings = c.ListOfItems(c.Type(str), default=list(_d.procedure_headings))
    """Headings that mark the procedure section (case-insensitive)."""

    hours_per_day = c.Type((int, float), default=_d.calendar.hours_per_day)
    """Working hours in a day: how ``1 hari`` converts to hours."""

    days_per_week = c.Type((int, float), default=_d.calendar.days_per_week)
    """Working days in a week: how ``1 minggu`` converts to days."""

    review_due_days = c.Type(int, default=_d.review_due_days)
    """Reviews due within this many days are listed as upcoming."""

    today = c.Optional(c.Type(str))
    """Pin "today" (YYYY-MM-DD) for review dates, for reproducible builds. Default: the build date."""

    url_prefix = c.Type(str, default=_d.url_prefix)
    """Folder of the generated SOP pages in the site."""

    institution = c.SubConfig(InstitutionConfig)
    """The institution shown in the SOP-AP identity block: ``name``, ``logo``."""

    simulate = c.SubConfig(SimulateConfig)
    """Build-time simulation on SOP pages: ``enabled``, ``cases``, ``seed``."""

    remote_images = c.Type(bool, default=_d.remote_images)
    """Let author text on SOP pages show images from other hosts (``![](https://...)``). Off: only images
    of the site itself load; the portal works offline and tells no third party who reads what."""

    disabled_blocks = c.ListOfItems(c.Type(str), default=list(_d.disabled_blocks))
    """Names of SOP page blocks to leave out (e.g. ``analysis``, ``walkthrough``)."""

    audit_git = c.Type(bool, default=_d.audit_git)
    """Read each SOP's commits from git for the audit trail (off for a build outside the repository)."""

    report_issue_url = c.Optional(c.Type(str))
    """"Laporkan masalah pada SOP ini" link on every SOP page and step: an issue tracker's new-issue URL or a
    ``mailto:`` with the fields ``{id}``, ``{version}``, ``{title}``, ``{step}`` (URL-encoded). Default: no link."""

    sopap_rows_per_page = c.Optional(c.Type(int))
    """Rows of the SOP-AP table per printed page. Default: as many as fit on A4 landscape."""

    search_pages_per_index = c.Type(int, default=_d.search_pages_per_index)
    """Pages Pagefind indexes in one run: a larger portal is indexed in parts, one after another, which the
    search box merges (Pagefind holds about 0.12 MB per SOP page while it runs); more than half of it makes two
    parts. ``0``: one index."""

    search_max_parts = c.Type(int, default=_d.search_max_parts)
    """The most parts the search index is divided into: past it, each part holds more pages than
    ``search_pages_per_index`` (a reader's first query fetches a chunk of every part). ``0``: no limit."""

    cache_dir = c.Type(str, default=_d.cache_dir)
    """Folder of the persistent build cache, relative to mkdocs.yml (``""``: no cache). Safe to delete."""

    workers = c.Type(int, default=_d.workers)
    """Processes for per-SOP work (parse, analyse, simulate, render); ``0``: one per core."""
