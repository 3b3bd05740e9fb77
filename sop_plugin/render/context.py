"""What every renderer receives: the analysed portal, links and the language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .. import i18n, publish
from ..links import Links, sop_slug
from ..model import Corpus, Diagnostic, Sop
from ..pipeline import Derived, Portal
from ..settings import Settings

__all__ = ["Links", "RenderContext", "sop_slug"]


@dataclass
class RenderContext:
    """A :class:`~sop_plugin.pipeline.Portal` seen from the page being rendered."""

    portal: Portal
    links: Links = field(default_factory=Links)
    lang: str = ""  # the page's language; default: the settings' language
    memo: dict[str, Any] = field(default_factory=dict, repr=False)  # views computed once per build
    # views rendered ahead of the pages (the MkDocs plugin; see sop_plugin.render.prerender)
    prerendered: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.lang = self.lang or self.portal.settings.lang

    @classmethod
    def of(cls, portal: Portal, current: str = "") -> RenderContext:
        s = portal.settings
        return cls(portal, Links(sop_prefix=s.url_prefix, current=current, use_directory_urls=s.use_directory_urls))

    @property
    def corpus(self) -> Corpus:
        return self.portal.corpus

    @property
    def settings(self) -> Settings:
        return self.portal.settings

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.portal.diagnostics

    @property
    def published(self) -> dict[str, Sop]:
        return self.portal.published

    def t(self, key: str, /, **fields: object) -> str:
        return i18n.t(self.lang, key, **fields)

    def derived(self, sop: Sop) -> Derived:
        return self.portal.derived(sop)

    def diagnostics_for(self, sop: Sop) -> list[Diagnostic]:
        return self.portal.diagnostics_for(sop)

    def sop_href(self, sop_id: str, anchor: str = "") -> str | None:
        """Link to a published SOP's page, ``None`` when it has none in this build."""
        if sop_id not in self.published:
            return None
        return self.links.sop_href(sop_id, anchor)

    def sop_by_key(self, key: str) -> Sop | None:
        """The published SOP a directive argument names: its safe key (slug) or its id."""
        found = self.published.get(key)
        if found is None:
            if "by_slug" not in self.memo:
                self.memo["by_slug"] = {sop_slug(i): s for i, s in self.published.items()}
            found = self.memo["by_slug"].get(key)
        return found

    @property
    def restricted(self) -> frozenset[str]:
        """Ids no view may show in this build (confidential SOPs of a public build)."""
        if "restricted" not in self.memo:
            self.memo["restricted"] = publish.restricted_keys(self.corpus, self.settings)
        return self.memo["restricted"]

    def sop_ref(self, sop_id: str) -> publish.SopRef:
        """How a view names another SOP (related, handover, successor): :func:`publish.reference`."""
        return publish.reference(sop_id, corpus=self.corpus, keys=self.restricted,
                                 placeholder=self.t(publish.RESTRICTED_KEY), href=self.sop_href)

    def redact(self, text: str) -> str:
        """``text`` without the ids and titles of SOPs this build must not name (:func:`publish.redact`)."""
        return self.redactor()(text)

    def redactor(self) -> Callable[[str], str]:
        """:meth:`redact` as a function that does not hold the portal (:func:`publish.redactor`)."""
        if "redactor" not in self.memo:
            self.memo["redactor"] = publish.redactor(self.corpus, self.restricted, self.t(publish.RESTRICTED_KEY))
        return self.memo["redactor"]
