"""Settings: the one object every host hands to the pipeline.

The MkDocs plugin's options, the ``sop`` command's flags (and the ``sop``
options of a ``mkdocs.yml`` it reads) and the Markdown extension's config all
become a :class:`Settings` through :meth:`Settings.from_options`, the one
factory.  Defaults are declared here once; the plugin's config class reads
them from :data:`DEFAULTS`.
"""

from __future__ import annotations

import dataclasses
import string
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .i18n import normalize as normalize_lang
from .model import Calendar

DEFAULT_HEADINGS = ("Prosedur", "Procedure", "Uraian Prosedur")


class SettingsError(ValueError):
    """An option has a value of the wrong kind; the message names the option."""


@dataclass(frozen=True)
class Institution:
    """The institution shown in the SOP-AP identity block."""

    name: str = ""
    logo: str | None = None  # a path inside docs_dir, or an http(s) URL


@dataclass(frozen=True)
class SimulateOptions:
    """Build-time Monte Carlo simulation on SOP pages (the exact analysis is always shown)."""

    enabled: bool = True
    cases: int = 500
    seed: int = 1

    MAX_CASES = 20_000


@dataclass(frozen=True)
class Settings:
    # -- the corpus ---------------------------------------------------------------
    sops_dir: str = "sops"
    id_pattern: str = r"^[A-Za-z][A-Za-z0-9]*(?:[-./_][A-Za-z0-9]+)+$"
    procedure_headings: tuple[str, ...] = DEFAULT_HEADINGS
    calendar: Calendar = field(default_factory=Calendar)
    # -- judgement ----------------------------------------------------------------
    require_signed: bool = False
    require_verified_signatures: bool = False  # approvals of signed-off SOPs must be verified by a registered key
    signers_anchor: str | None = None  # fingerprint of the signers registry's root key (else $SOP_SIGNERS_ANCHOR)
    review_due_days: int = 30  # "due soon" window of the dashboard and `sop due`
    today: dt.date | None = None  # None: the real date; tests and CI can pin it
    # -- publication ----------------------------------------------------------------
    include_drafts: bool = False  # publish draft and review SOPs (a preview build)
    public: bool = False  # a public build leaves confidential SOPs out entirely
    # -- rendering ------------------------------------------------------------------
    lang: str = "id"
    url_prefix: str = "sop"
    use_directory_urls: bool = True
    site_name: str = ""
    institution: Institution = field(default_factory=Institution)
    simulate: SimulateOptions = field(default_factory=SimulateOptions)
    disabled_blocks: tuple[str, ...] = ()
    remote_images: bool = False  # author images from other hosts (docs/guide/security.md)
    audit_git: bool = True
    sopap_rows_per_page: int | None = None
    report_issue_url: str = ""  # "Laporkan masalah" link template ({id}, {version}, {title}, {step}); "": off
    # Pagefind indexes at most this many pages at a time (0: all at once); it holds ~0.12 MB per page
    search_pages_per_index: int = 600
    search_max_parts: int = 8  # past this many parts, each part holds more pages (0: no limit)
    # -- how the build runs (never changes its output) ---------------------------------
    cache_dir: str = ".cache/sop"  # relative to the project folder; "" turns the cache off
    workers: int = 0  # processes for per-SOP work; 0: one per core

    def output_key(self) -> Settings:
        """These settings without the ones no SOP's results depend on (cache keys): how fast the
        build runs, how the search index is divided."""
        return dataclasses.replace(self, cache_dir="", workers=0, search_pages_per_index=0, search_max_parts=0)

    def now(self) -> dt.date:
        return self.today or dt.date.today()

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_options(cls, options: Mapping[str, Any] | None = None, **overrides: Any) -> Settings:
        """Settings from plugin-style options (``mkdocs.yml``'s ``sop:`` mapping).

        ``overrides`` win over ``options`` (CLI flags); ``None`` means "not given".
        Unknown keys are ignored here (the MkDocs config class and ``sop``'s
        reader report them); a value of the wrong kind raises :class:`SettingsError`.
        """
        merged: dict[str, Any] = {k: v for k, v in dict(options or {}).items() if v is not None}
        merged.update({k: v for k, v in overrides.items() if v is not None})
        kw: dict[str, Any] = {}
        for name in ("sops_dir", "id_pattern", "url_prefix", "site_name", "cache_dir", "signers_anchor"):
            if name in merged:
                kw[name] = _str(merged[name], name)
        if "url_prefix" in kw:
            kw["url_prefix"] = kw["url_prefix"].strip("/") or DEFAULTS.url_prefix
        for name in ("require_signed", "require_verified_signatures", "include_drafts", "public", "use_directory_urls",
                     "audit_git", "remote_images"):
            if name in merged:
                kw[name] = _bool(merged[name], name)
        if "workers" in merged:
            kw["workers"] = _int(merged["workers"], "workers", low=0)
        for name in ("search_pages_per_index", "search_max_parts"):
            if name in merged:
                kw[name] = _int(merged[name], name, low=0)
        if "review_due_days" in merged:
            kw["review_due_days"] = _int(merged["review_due_days"], "review_due_days", low=0)
        if "sopap_rows_per_page" in merged:
            kw["sopap_rows_per_page"] = _int(merged["sopap_rows_per_page"], "sopap_rows_per_page", low=1)
        if "procedure_headings" in merged:
            kw["procedure_headings"] = tuple(_str(h, "procedure_headings") for h in _list(merged["procedure_headings"],
                                                                                          "procedure_headings"))
        if "disabled_blocks" in merged:
            kw["disabled_blocks"] = tuple(_str(h, "disabled_blocks") for h in _list(merged["disabled_blocks"],
                                                                                   "disabled_blocks"))
        if "lang" in merged:
            kw["lang"] = normalize_lang(_str(merged["lang"], "lang"))
        if "hours_per_day" in merged or "days_per_week" in merged:
            kw["calendar"] = Calendar(
                hours_per_day=_number(merged.get("hours_per_day", DEFAULTS.calendar.hours_per_day), "hours_per_day"),
                days_per_week=_number(merged.get("days_per_week", DEFAULTS.calendar.days_per_week), "days_per_week"))
        if "today" in merged:
            kw["today"] = _date(merged["today"], "today")
        if "report_issue_url" in merged:
            kw["report_issue_url"] = _report_url(merged["report_issue_url"])
        if "institution" in merged:
            raw = {k: v for k, v in _mapping(merged["institution"], "institution").items() if v is not None}
            logo = raw.get("logo")
            kw["institution"] = Institution(name=_str(raw.get("name") or "", "institution.name"),
                                            logo=_str(logo, "institution.logo") if logo else None)
        if "simulate" in merged:
            raw = {k: v for k, v in _mapping(merged["simulate"], "simulate").items() if v is not None}
            d = DEFAULTS.simulate
            kw["simulate"] = SimulateOptions(
                enabled=_bool(raw.get("enabled", d.enabled), "simulate.enabled"),
                cases=min(_int(raw.get("cases", d.cases), "simulate.cases", low=1), SimulateOptions.MAX_CASES),
                seed=_int(raw.get("seed", d.seed), "simulate.seed"))
        return cls(**kw)


DEFAULTS = Settings()


def _fail(name: str, want: str, value: Any) -> SettingsError:
    return SettingsError(f"option '{name}' must be {want}, not {value!r}")


def _str(value: Any, name: str) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise _fail(name, "a text", value)


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    raise _fail(name, "true or false", value)


def _int(value: Any, name: str, low: int | None = None) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and (low is None or value >= low):
        return value
    raise _fail(name, "a whole number" + (f" ≥ {low}" if low is not None else ""), value)


def _number(value: Any, name: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 10_000:
        return float(value)
    raise _fail(name, "a positive number", value)


def _list(value: Any, name: str) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    raise _fail(name, "a list", value)


def _mapping(value: Any, name: str) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    raise _fail(name, "a mapping", value)


def _date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _fail(name, "a date (YYYY-MM-DD)", value) from None


REPORT_FIELDS = ("id", "version", "title", "step")


def _report_url(value: Any) -> str:
    """An http(s) or mailto: URL template whose only fields are :data:`REPORT_FIELDS` ("": no report link)."""
    text = _str(value, "report_issue_url").strip()
    if not text:
        return ""
    if not text.lower().startswith(("http://", "https://", "mailto:")):
        raise _fail("report_issue_url", "an http(s):// or mailto: address", value)
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        raise _fail("report_issue_url", "a template with balanced {braces}", value) from None
    for _, name, spec, conversion in fields:
        if name is not None and (name not in REPORT_FIELDS or spec or conversion):
            raise _fail("report_issue_url", "a template with the fields {id}, {version}, {title}, {step}", value)
    return text
