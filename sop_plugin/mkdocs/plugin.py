"""The ``sop`` MkDocs plugin: a thin wrapper around the pipeline.

It loads and validates the SOP folder once per build, logs every finding
through the plugin logger (so ``mkdocs build --strict`` fails on any
warning), registers the Markdown extension that renders the pages, and adds
the generated pages and the packaged assets.
"""

from __future__ import annotations

import atexit
import gc
import time
from pathlib import Path
from typing import Any, Callable

import jinja2
from mkdocs.config import base as base_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from .. import audit, i18n, parallel, search
from ..cache import KEEP_DAYS, NO_CACHE, Cache
from ..export import write_export
from ..corpus import check_sops_dir
from ..markdown import SopExtension
from ..model import Severity
from ..pipeline import build, forget
from ..render import blocks as registry
from ..render.context import RenderContext
from ..render.deferred import Spool
from ..render.prerender import prerender
from ..render.page import page_parts
from ..render.portal.views import CATALOGUE
from ..render.site import ASSET_DIR, asset_files, asset_urls, generated_pages
from ..settings import Settings, SettingsError
from .config import SopPluginConfig

log = get_plugin_logger(__name__)

# plugins that read page.content after conversion: with them, pages keep their fragments in memory
_READS_CONTENT = {"search", "material/search"}

_WRITTEN: dict[Path, str] = {}  # generated page files this process wrote or found up to date



class SopPlugin(BasePlugin[SopPluginConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.ctx: RenderContext | None = None
        self.root: Path | None = None
        self.hidden: set[str] = set()
        self.nav_groups: dict[str, list[registry.GeneratedPage]] = {}
        self.serving = False
        self.dirty = False
        self.spool: Spool | None = None  # large fragments between conversion and writing (render.deferred)
        self.search: search.SearchCopies | None = None  # the pages Pagefind will index, as they are written
        self.unsearched: set[str] = set()  # generated pages kept out of search (printable forms)
        self.last_searched: str | None = None  # after this page is written, Pagefind can start
        self.indexing = False  # Pagefind is running
        self.command: str | None = None
        # what the build still needs once it has let go of the portal (_let_go)
        self.redact: Callable[[str], str] | None = None  # set by on_config
        self.cache: Cache = NO_CACHE

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command
        self.serving = command == "serve"  # the search index is not rebuilt on every edit
        self.dirty = dirty or self.serving  # rebuilds only what changed: generated pages backed by files
        if command == "build":
            _freeze_at_exit()
        parallel.map_large_blocks()  # big page strings go back to the system as soon as they are written

    # -- configuration -----------------------------------------------------
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        theme_lang = config.theme.get("language") if config.theme else None
        options = {k: (dict(v) if isinstance(v, base_config.Config) else v) for k, v in self.config.items()}
        try:
            settings = Settings.from_options(options, lang=self.config.lang or theme_lang,
                                             use_directory_urls=config.use_directory_urls,
                                             site_name=config.site_name)
        except SettingsError as exc:
            raise PluginError(f"sop: {exc}") from None
        self.root = (base / settings.sops_dir).resolve()
        if not self.root.is_dir():
            raise PluginError(f"sop: the SOP folder '{settings.sops_dir}' does not exist "
                              f"(looked in {self.root}); set 'sops_dir' in the plugin options")
        problem = check_sops_dir(self.root, base, Path(config.docs_dir))
        if problem:
            raise PluginError(f"sop: 'sops_dir: {self.config.sops_dir}': {problem}")
        audit.clear_cache()  # git history is read once per file and build
        portal = build(settings, base, root=self.root, extra=page_parts)
        if not portal.corpus.sops:
            raise PluginError(f"sop: the SOP folder '{settings.sops_dir}' has no SOP files (*.md) "
                              f"(looked in {self.root}); add SOPs or set 'sops_dir' in the plugin options")
        self.ctx = RenderContext.of(portal)
        self.redact = self.ctx.redactor()
        self.cache = portal.cache if portal.cache.persistent else NO_CACHE  # a scratch one goes with the portal
        parallel.settle()  # the portal lives until the build ends
        log.info(f"{len(portal.published)} SOPs published: {portal.analyses} analysed and rendered, "
                 f"{len(portal.published) - portal.analyses} from the cache")
        for d in portal.diagnostics:
            if d.severity is Severity.ERROR:
                log.error(d.format(settings.lang))
            elif d.severity is Severity.WARNING:
                log.warning(d.format(settings.lang))
            else:
                log.debug(d.format(settings.lang))
        self._close_spool()
        # a plugin that reads page.content (a search index built from it) must see whole pages
        self.spool = None if _READS_CONTENT & set(config.plugins) else Spool()
        config.markdown_extensions.append(SopExtension(context=self.context, report=lambda d: log.error(d.format(settings.lang)),
                                                       defer=self.spool.put if self.spool else None))
        css, scripts = asset_urls()
        config.extra_css[:0] = css
        config.extra_javascript[:0] = [s for s in scripts if s not in config.extra_javascript]
        return config

    def context(self) -> RenderContext:
        assert self.ctx is not None, "on_config has not run"
        return self.ctx

    # -- files ----------------------------------------------------------------
    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        ctx = self.context()
        for rel, path in asset_files():
            files.append(File.generated(config, f"{ASSET_DIR}/{rel}", abs_src_path=str(path)))
        self.hidden = set()
        self.nav_groups = {}
        portal = ctx.portal
        everything = portal.stamp()
        by_path = portal.corpus.by_path()
        pages = []
        for page in generated_pages(ctx):
            if files.get_file_from_path(page.src_path) is not None:
                log.info(f"{page.src_path} exists in docs/; the generated page is not added")
            else:
                pages.append(page)
        if self.dirty:
            _rebuild_pages_with_views(files)
        ctx.prerendered = prerender(ctx, pages, portal.settings.workers)
        parallel.settle()  # the views too
        self._close_search()
        if self._indexes(config):
            self.search = search.SearchCopies(ctx, listings=[page.src_path for page in pages],
                                              workers=portal.settings.workers,
                                              pages_per_index=portal.settings.search_pages_per_index,
                                              max_parts=portal.settings.search_max_parts)
        self.unsearched = {page.src_path for page in pages if not page.searchable}
        # pages kept out of search go last: Pagefind can start while MkDocs writes them
        for page in sorted(pages, key=lambda p: not p.searchable):
            if page.depends:
                stamp = portal.stamp(by_path[page.depends])
            else:
                stamp = ctx.prerendered.stamps.get(page.src_path, everything)
            files.append(self._generated(config, page.src_path, page.content, stamp))
            if page.nav is None:
                self.hidden.add(page.src_path)
            else:
                self.nav_groups.setdefault(page.nav, []).append(page)
        return files

    def _generated(self, config: MkDocsConfig, src: str, content: str, stamp: str) -> File:
        """A generated page; with the build cache on and ``serve`` or ``--dirty``, backed by a file
        under the cache folder.

        The file is rewritten only when the page or what it shows changed (``stamp``), so
        ``mkdocs serve --dirty`` rebuilds just the pages an edit touched (MkDocs treats a
        page given as a string as always modified).
        """
        folder = self.cache.folder
        if folder is None or not stamp or not self.dirty:
            return File.generated(config, src, content=content)
        path = folder / "pages" / src
        text = content.replace("---\n", f"---\nsop_build: {stamp}\n", 1)
        try:
            # what this process wrote last (`serve` rebuilds in one process): no read when unchanged
            if _WRITTEN.get(path) != text or not path.is_file():
                if not path.is_file() or path.read_text(encoding="utf-8") != text:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(text, encoding="utf-8")
                _WRITTEN[path] = text
        except OSError:
            return File.generated(config, src, content=content)
        return File.generated(config, src, abs_src_path=str(path))

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        """Keep generated SOP pages out of the navigation: thousands of entries on every page is O(N²).

        Generated pages with a nav group are arranged (see :func:`_arrange`); the pages
        list, parents and previous/next links are recomputed for the final tree.
        """
        nav.items = _prune(nav.items, self.hidden)
        if config.nav is None:
            _name_sections(nav.items, self.context().lang)
        nav.items = _arrange(nav.items, self.nav_groups, files, auto=config.nav is None)
        _relink(nav)
        return nav

    def on_env(self, env: Any, config: MkDocsConfig, files: Files) -> Any:
        """Give the theme's templates the portal's words (``overrides/404.html``), and find the last
        page the search index needs: after it, MkDocs writes only printable forms."""
        lang = self.context().lang
        catalogue = files.get_file_from_path(CATALOGUE)
        env.globals.update(sop_t=i18n.Translator(lang),
                           sop_catalogue_url=catalogue.url if catalogue else None)
        if self.cache.folder is not None and env.bytecode_cache is None:
            env.bytecode_cache = _ThemeBytecode.at(self.cache.folder / THEME_BYTECODE)
        parallel.settle()  # every page is converted: the pages live until written
        self.last_searched = None
        if self.search is not None and not self.dirty:  # --dirty: unchanged pages are read back at the end
            written = [f for f in files.documentation_pages() if f.inclusion.is_included()]
            while written and written[-1].src_uri in self.unsearched:
                written.pop()
            if written:
                self.last_searched = written[-1].dest_uri
        if not self.serving:
            # every page is converted, and writing them needs nothing of the portal: drop it now, so
            # that the memory of the SOPs serves the theme's templates instead of adding to them
            self._export(config)
            if self.search is not None:
                self.search.detach()
            self._let_go()
            parallel.settle()  # what is left (MkDocs' pages and navigation) lives until written
        return env

    @event_priority(100)  # first: other plugins' on_post_page see the whole page
    def _fill(self, output: str, page: Page, config: MkDocsConfig) -> str:
        if self.spool is None:
            return output
        return self.spool.fill(output, self.redact)

    @event_priority(-100)  # last: the page as it is written
    def _copy_for_search(self, output: str, page: Page, config: MkDocsConfig) -> str:
        if self.search is not None and not self.indexing:
            self.search.add(page.file.dest_uri, output)
            if page.file.dest_uri == self.last_searched:
                self._launch_search(config)
        return output

    on_post_page = CombinedEvent(_fill, _copy_for_search)

    def on_build_error(self, error: Exception) -> None:
        self._close_spool()
        self._close_search()
        parallel.unsettle()

    def _close_spool(self) -> None:
        if self.spool is not None:
            self.spool.close()
            self.spool = None

    def _indexes(self, config: MkDocsConfig) -> bool:
        """Does this build make the portal's search index? Not while serving (it is not rebuilt on
        every edit), nor beside material's own search."""
        return not self.serving and "material/search" not in config.plugins

    def _close_search(self) -> None:
        self.indexing = False
        if self.search is not None:
            self.search.close()
            self.search = None

    def on_post_build(self, config: MkDocsConfig) -> None:
        """Write ``sops.json`` and the search index."""
        self._close_spool()  # every page is written
        if not self.indexing:
            self._launch_search(config)
        self._export(config)
        if self.command == "build" and not self.dirty:
            self._prune_cache()
        if self.indexing:
            self._wait_search()
        self._close_search()
        parallel.unsettle()

    def _export(self, config: MkDocsConfig) -> None:
        """Write ``sops.json`` (every published SOP, schema in sop_plugin/schemas/), unless the build
        wrote it already and let go of the portal (:meth:`on_env`)."""
        if self.ctx is None:
            return
        try:
            path = write_export(self.ctx.portal, Path(config.site_dir) / "sops.json", remember=self.serving)
        except OSError as exc:  # the site itself is built; report, do not crash
            log.error(f"could not write sops.json: {exc.strerror or exc}")
        else:
            log.debug(f"wrote {path}")

    def _prune_cache(self) -> None:
        """A full ``mkdocs build`` deletes the cache entries no build has used for ``KEEP_DAYS``."""
        deleted = self.cache.prune(time.time() - KEEP_DAYS * 86400)
        if deleted:
            log.info(f"deleted {deleted} cache entries unused for {KEEP_DAYS} days from {self.cache.folder}")

    def _launch_search(self, config: MkDocsConfig) -> None:
        """Start Pagefind (its own process: it runs while the build writes the rest).

        Every page Pagefind reads is written by then, and every page still to come is
        converted.  The build has written ``sops.json`` and let go of its SOPs already
        (:meth:`on_env`); it gives the memory of the pages written so far back to the system
        (:meth:`_let_go`), so that its memory and Pagefind's do not add up.
        """
        if self.search is None:
            return
        try:
            self.search.seal(Path(config.site_dir), read_back=self.dirty)
            self._let_go()
            self.indexing = self.search.launch(Path(config.site_dir))
        except search.SearchUnavailable as exc:
            log.warning(f"no search index: {exc}")
            self._close_search()

    def _let_go(self) -> None:
        """Drop the portal (again: the memory of what was dropped since goes back to the system too):
        what is left to do needs only the redaction, the cache folder and the spooled fragments of
        converted pages (:func:`pipeline.forget`)."""
        self.ctx = None
        self.nav_groups = {}
        forget()

    def _wait_search(self) -> None:
        assert self.search is not None
        try:
            report = self.search.wait()
        except search.SearchUnavailable as exc:
            log.warning(f"no search index: {exc}")
        else:
            parts = f" ({report.parts} parts)" if report.parts > 1 else ""
            log.info(f"search index of {report.pages} pages{parts} in {report.seconds:.1f} s")
            if report.unordered:
                log.info(f"the search index is as Pagefind wrote it, in no stable order ({report.unordered})")

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        links = self.context().links
        links.current, links.source = page.url, page.file.src_uri
        return markdown

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        if self.root is not None:
            server.watch(str(self.root))
        return server


THEME_BYTECODE = "theme"  # below the cache folder: the theme's templates, compiled (_ThemeBytecode)


class _ThemeBytecode(jinja2.FileSystemBytecodeCache):
    """The theme's templates as Jinja compiled them, kept in the build cache's folder.

    MkDocs makes a new Jinja environment for every build, and compiling the theme's
    templates took a few tenths of a second of every ``mkdocs serve`` rebuild (all of
    material's pages and partials: 1.4 s, 0.1 s from this folder).  Jinja
    checks each file against its template's source and Python version (a changed theme
    or ``overrides/`` is compiled again); a damaged file is compiled again too.
    """

    @classmethod
    def at(cls, folder: Path) -> _ThemeBytecode | None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:  # a read-only cache folder: compiled as MkDocs does
            return None
        return cls(str(folder))

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - cut short, unreadable: compiled again and written again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a full disk or a read-only folder: the template stays compiled for this build
            pass


def _freeze_at_exit() -> None:
    """When the process ends (after ``mkdocs build``), leave its objects out of the interpreter's last
    garbage collections: at 1,000 SOPs they walked some 600,000 objects for 1.8 s after the site was
    written.  The memory goes back to the system with the process either way.  Nothing changes while
    the process lives (``serve``, builds run in-process by tests or scripts)."""
    atexit.unregister(gc.freeze)  # once, however many builds this process runs
    atexit.register(gc.freeze)


def _rebuild_pages_with_views(files: Files) -> None:
    """Under ``--dirty``, MkDocs rebuilds a page of ``docs/`` only when its file changed; a page
    that holds a portal view (the home page's ``::: sop-home``) shows the SOPs, so it is rebuilt
    on every build, like the generated views."""
    for f in files.documentation_pages():
        if f.generated_by is not None:
            continue
        try:
            text = f.content_string
        except (OSError, UnicodeDecodeError):
            continue
        if any(registry.DIRECTIVE_LINE.match(line) for line in text.splitlines() if line.startswith(":::")):
            f.is_modified = lambda: True  # type: ignore[method-assign]


def _name_sections(items: list, lang: str) -> None:
    """Folder sections of an automatic nav (``guide/`` -> "Guide") in the portal's language (``nav.section.*``)."""
    for item in items:
        if isinstance(item, Section):
            key = f"nav.section.{(item.title or '').strip().lower().replace(' ', '_')}"
            if i18n.has(key):
                item.title = i18n.t(lang, key)
            _name_sections(item.children, lang)


def _prune(items: list, hidden: set[str]) -> list:
    """``items`` without the pages whose source is in ``hidden``, and without sections left empty."""
    out = []
    for item in items:
        if isinstance(item, Page) and item.file.src_uri in hidden:
            continue
        if isinstance(item, Section):
            item.children = _prune(item.children, hidden)
            if not item.children:
                continue
        out.append(item)
    return out


def _arrange(items: list, groups: dict[str, list[registry.GeneratedPage]], files: Files, auto: bool) -> list:
    """Place the generated pages that have a nav group.

    Group ``views``: each page is a top-level entry.  Any other group (``units``)
    becomes one section titled by its first page (lowest ``order``) holding all
    its pages.  With an automatic nav (no ``nav:`` in mkdocs.yml) the entries go
    after the home page in ``order``; with an explicit nav the author's entries stay
    where they are and only a group's first page is expanded into its section.
    """
    def page_of(gp: registry.GeneratedPage) -> Page | None:
        f = files.get_file_from_path(gp.src_path)
        return f.page if f is not None and isinstance(f.page, Page) else None

    entries: list[tuple[int, Any]] = []
    first_pages: dict[str, Section] = {}
    grouped: set[str] = set()
    for name, gps in groups.items():
        gps = sorted(gps, key=lambda g: (g.order, g.src_path))
        found = [(g, page_of(g)) for g in gps]
        found = [(g, p) for g, p in found if p is not None]
        if not found:
            continue
        if name == "views":
            for g, p in found:
                entries.append((g.order, p))
                grouped.add(g.src_path)
            continue
        head, head_page = found[0]
        section = Section(head.title, [p for _, p in found])
        first_pages[head.src_path] = section
        entries.append((_group_order(name, head.order), section))
        grouped.update(g.src_path for g, _ in found)
    if not entries:
        return items
    if auto:
        rest = _prune(items, grouped)
        home = [i for i in rest if isinstance(i, Page) and i.file.src_uri == "index.md"]
        others = [i for i in rest if not (isinstance(i, Page) and i.file.src_uri == "index.md")]
        return home + [e for _, e in sorted(entries, key=lambda e: e[0])] + others
    return _expand(items, first_pages, grouped)


def _group_order(name: str, order: int) -> int:
    return {"units": 20}.get(name, 100 + order)


def _expand(items: list, sections: dict[str, Section], grouped: set[str]) -> list:
    """Explicit nav: a group's first page becomes its section; the group's other pages move into it."""
    members = {c.file.src_uri for s in sections.values() for c in s.children}
    out = []
    for item in items:
        if isinstance(item, Page) and item.file.src_uri in sections:
            section = sections[item.file.src_uri]
            section.title = item.title or section.title  # the author's title for the entry
            out.append(section)
            continue
        if isinstance(item, Page) and item.file.src_uri in members:
            continue
        if isinstance(item, Section):
            item.children = _expand(item.children, sections, grouped)
            if not item.children:
                continue
        out.append(item)
    return out


def _relink(nav: Navigation) -> None:
    """Recompute nav.pages, parents and previous/next links after the tree changed."""
    pages: list[Page] = []

    def walk(items: list, parent: Section | None) -> None:
        for item in items:
            item.parent = parent
            if isinstance(item, Page):
                pages.append(item)
            elif isinstance(item, Section):
                walk(item.children, item)

    walk(nav.items, None)
    for a in nav.pages:
        a.previous_page = a.next_page = None
    bookended = [None, *pages, None]
    for before, page, after in zip(bookended[:-2], pages, bookended[2:]):
        page.previous_page, page.next_page = before, after
    nav.pages = pages

