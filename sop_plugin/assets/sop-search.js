/* SOP portal search: the header's search box over a Pagefind index
 * (<site>/pagefind/, built after the site by the sop plugin with Snowball's
 * Indonesian stemmer, so "pinjam", "meminjam" and "peminjaman" meet).
 *
 * - No network beyond the site: pagefind.js and its index chunks are loaded
 *   from the site itself, only when the search is first opened.
 * - A query that looks like an SOP number (letters and digits, any case,
 *   any separators: "sop umum 001", "SOP/UMUM/001") is also searched in its
 *   compact form ("sopumum001"), which only the SOP's own page carries; those
 *   hits come first.
 * - Facets (unit, status, actor, document) narrow the results.
 * - Keyboard: "/" or "s" opens, Esc closes, arrow keys move through results.
 * - Works with mkdocs-material's instant navigation (the header stays; the
 *   overlay closes on every new page).
 * Results are built with DOM calls; excerpts keep only text and <mark>. */
(function () {
  "use strict";

  var PAGE = 10;
  var DEBOUNCE = 250; /* ms */
  var MIN_CHARS = 2; /* a single letter would fetch every chunk of words starting with it */
  var state = { exactCount: 0, pf: null, loading: null, strings: null, base: null, seq: 0, shown: PAGE, results: [] };

  function baseUrl() {
    if (state.base) return state.base;
    var base = ".";
    var cfg = document.getElementById("__config");
    if (cfg) {
      try { base = JSON.parse(cfg.textContent).base || "."; } catch (e) { /* keep "." */ }
    }
    state.base = new URL(base.replace(/\/?$/, "/"), window.location.href);
    return state.base;
  }

  function t(key, n) {
    var s = state.strings && state.strings.t && state.strings.t[key];
    if (!s) return "";
    /* a count as the page's language writes it: 1.234 in Indonesian, 1,234 in English */
    return n === undefined ? s : s.replace("{n}", new Intl.NumberFormat(document.documentElement.lang || undefined).format(n));
  }

  function load() {
    if (state.loading) return state.loading;
    var root = new URL("pagefind/", baseUrl());
    state.loading = fetch(new URL("sop-search.json", root).href)
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (strings) {
        state.strings = strings;
        return import(new URL("pagefind.js", root).href);
      })
      .then(function (pf) {
        function options() {
          return {
            baseUrl: baseUrl().pathname,
            excerptLength: 26,
            /* long SOP pages should not lose to a short role page that names the word once */
            ranking: { pageLength: 0.3 }
          };
        }
        /* a large portal is indexed in parts (pagefind/part-N/): one search over all of them */
        var parts = state.strings.parts || [];
        return Promise.resolve(pf.options(options()))
          .then(function () { return pf.init ? pf.init() : null; })
          .then(function () {
            return Promise.all(parts.map(function (part) {
              return pf.mergeIndex(new URL(part, root).pathname, options());
            }));
          })
          .then(function () { state.pf = pf; return pf; });
      });
    return state.loading;
  }

  /* "SOP/UMUM/001" -> "sopumum001"; null when the query does not look like a number */
  function compact(query) {
    var q = query.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
    if (!/[a-z]/.test(q) || !/[0-9]/.test(q)) return null;
    var words = q.split(/[^a-z0-9]+/).filter(Boolean);
    if (words.length < 1 || words.length > 5) return null;
    var joined = words.join("");
    return joined.length >= 3 ? joined : null;
  }

  function elements() {
    var root = document.querySelector("[data-sop-search]");
    if (!root) return null;
    return {
      root: root,
      toggle: document.getElementById("__search"),
      form: root.querySelector("form"),
      input: root.querySelector("[data-sop-search-input]"),
      meta: root.querySelector("[data-sop-search-meta]"),
      list: root.querySelector("[data-sop-search-results]"),
      facets: root.querySelector("[data-sop-search-facets]")
    };
  }

  function selectedFilters(el) {
    var out = {};
    Array.prototype.forEach.call(el.facets.querySelectorAll("select[data-facet]"), function (sel) {
      if (sel.value) out[sel.getAttribute("data-facet")] = sel.value;
    });
    return out;
  }

  function buildFacets(el, pf) {
    if (el.facets.getAttribute("data-ready")) return Promise.resolve();
    el.facets.setAttribute("data-ready", "1");
    return Promise.resolve(pf.filters()).then(function (all) {
      var order = (state.strings && state.strings.facets) || [];
      el.facets.textContent = "";
      var title = document.createElement("span");
      title.className = "sop-search-facets__title";
      title.textContent = t("search.filters");
      el.facets.appendChild(title);
      order.forEach(function (key) {
        var values = all && all[key];
        if (!values || !Object.keys(values).length) return;
        var sel = document.createElement("select");
        sel.setAttribute("data-facet", key);
        sel.setAttribute("aria-label", t("search.facet." + key));
        var first = document.createElement("option");
        first.value = "";
        first.textContent = t("search.facet." + key) + ": " + t("search.all");
        sel.appendChild(first);
        Object.keys(values).sort(function (a, b) {
          return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
        }).forEach(function (v) {
          var o = document.createElement("option");
          o.value = v;
          o.textContent = v + " (" + values[v] + ")";
          sel.appendChild(o);
        });
        sel.addEventListener("change", function () { run(el); });
        el.facets.appendChild(sel);
      });
      el.facets.hidden = false;
    }, function () { el.facets.removeAttribute("data-ready"); });
  }

  /* text and <mark> only: Pagefind's excerpt parsed inertly, everything else dropped */
  function excerptNodes(excerpt) {
    var doc = new DOMParser().parseFromString("<p>" + (excerpt || "") + "</p>", "text/html");
    var out = document.createDocumentFragment();
    (function walk(node, into) {
      Array.prototype.forEach.call(node.childNodes, function (child) {
        if (child.nodeType === 3) {
          into.appendChild(document.createTextNode(child.nodeValue));
        } else if (child.nodeType === 1) {
          if (child.nodeName === "MARK") {
            var m = document.createElement("mark");
            walk(child, m);
            into.appendChild(m);
          } else {
            walk(child, into);
          }
        }
      });
    })(doc.body.firstChild || doc.body, out);
    return out;
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = data.url;
    a.tabIndex = -1;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var h = document.createElement("h1");
    h.textContent = (data.meta && data.meta.title) || data.url;
    var p = document.createElement("p");
    p.className = "md-search-result__teaser";
    if (data.excerpt) p.appendChild(excerptNodes(data.excerpt));
    else if (data.unit) p.textContent = data.unit;
    article.appendChild(h);
    article.appendChild(p);
    a.appendChild(article);
    li.appendChild(a);
    return li;
  }

  /* every word of the query (3+ letters) in the title: "pengadaan barang persediaan" */
  function titleMatch(data, words) {
    var title = ((data.meta && data.meta.title) || "").toLowerCase();
    return words.length > 0 && words.every(function (w) { return title.indexOf(w) !== -1; });
  }

  function show(el, seq, first) {
    var results = state.results;
    var slice = results.slice(0, state.shown);
    return Promise.all(slice.map(function (r) { return r.data(); })).then(function (datas) {
      if (seq !== state.seq) return;
      if (first) {
        /* the first page: after the typed SOP number, pages whose title holds every word come first */
        var words = el.input.value.toLowerCase().split(/[^0-9a-z\u00c0-\u024f]+/).filter(function (w) {
          return w.length >= 3;
        });
        var pairs = slice.map(function (r, i) {
          return { r: r, d: datas[i], rank: i < state.exactCount ? 0 : titleMatch(datas[i], words) ? 1 : 2, i: i };
        });
        pairs.sort(function (a, b) { return a.rank - b.rank || a.i - b.i; });
        pairs.forEach(function (p, i) { results[i] = p.r; datas[i] = p.d; });
      }
      el.list.textContent = "";
      var urls = {};
      datas.forEach(function (d) {
        if (urls[d.url]) return; /* a typed number's page, found again by the text search */
        urls[d.url] = true;
        el.list.appendChild(item(d));
      });
      el.meta.textContent = results.length === 0 ? t("search.none")
        : results.length === 1 ? t("search.one") : t("search.other", results.length);
      if (results.length > state.shown || state.more) {
        var li = document.createElement("li");
        li.className = "md-search-result__item sop-search-more";
        var b = document.createElement("button");
        b.type = "button";
        b.className = "md-button";
        b.textContent = t("search.more");
        b.addEventListener("click", function () {
          var at = state.seq;
          if (results.length > state.shown) {
            state.shown += PAGE;
            show(el, at, false);
          } else {
            var more = state.more;
            state.more = null;
            more().then(function (all) {
              if (at !== state.seq) return;
              state.results = all;
              show(el, at, false);
            });
          }
        });
        li.appendChild(b);
        el.list.appendChild(li);
      }
      el.root.setAttribute("data-sop-search-state", "done");
    });
  }

  /* A typed SOP number: one small file (sop-numbers/<last 2 chars>.json) names its page.
   * The hits look like Pagefind results (id, data()) so the list shows them the same way. */
  function lookupNumber(number) {
    var dir = (state.strings && state.strings.numbers) || "sop-numbers";
    var url = new URL("pagefind/" + dir + "/" + number.slice(-2) + ".json", baseUrl()).href;
    state.shards = state.shards || {};
    if (!state.shards[url]) {
      state.shards[url] = fetch(url).then(function (r) { return r.ok ? r.json() : {}; }, function () { return {}; });
    }
    return state.shards[url].then(function (forms) {
      return (forms[number] || []).map(function (entry) {
        var href = new URL(entry[0], baseUrl()).pathname;
        var data = { url: href, meta: { title: entry[1] }, excerpt: "", unit: entry[2] || "" };
        return { id: href, exactUnit: data.unit, data: function () { return Promise.resolve(data); } };
      });
    });
  }

  /* a number hit under the chosen facets: only the unit is known without loading the page */
  function matchesFilters(hit, filters) {
    return !filters.unit || filters.unit === hit.exactUnit;
  }

  /* exact hits, then phrase hits, then the rest; each page once (a page of two lists keeps the text hit's excerpt) */
  function merge(exact, together, main) {
    var byId = {};
    main.forEach(function (r) { byId[r.id] = r; });
    var seen = {};
    /* an index in parts: each part's page of every word is no result */
    ((state.strings && state.strings.hidden) || []).forEach(function (id) { seen[id] = true; });
    return exact.concat(together).map(function (r) { return byId[r.id] || r; }).concat(main).filter(function (r) {
      if (seen[r.id]) return false;
      seen[r.id] = true;
      return true;
    });
  }

  function run(el) {
    var seq = ++state.seq;
    var query = el.input.value.trim();
    var filters = selectedFilters(el);
    var filtered = Object.keys(filters).length > 0;
    el.root.setAttribute("data-sop-search-state", "busy");
    if (query.length < MIN_CHARS && !filtered) {
      state.results = [];
      el.list.textContent = "";
      el.meta.textContent = "";
      el.root.setAttribute("data-sop-search-state", "idle");
      return Promise.resolve();
    }
    return load().then(function (pf) {
      var number = compact(query);
      var facetsBeyondUnit = Object.keys(filters).some(function (k) { return k !== "unit"; });
      var exact = number && !facetsBeyondUnit ? lookupNumber(number) : null;
      return Promise.resolve(exact).then(function (hits) {
        if (seq !== state.seq) return;
        hits = (hits || []).filter(function (h) { return matchesFilters(h, filters); });
        function textSearch() {
          /* the words as a phrase too: pages with "berita acara serah terima" together come first */
          var phrase = !number && query.indexOf('"') === -1 && query.split(/\s+/).length > 1;
          return Promise.all([pf.search(query || null, { filters: filters }),
                              phrase ? pf.search('"' + query + '"', { filters: filters }) : null]);
        }
        state.more = null;
        if (hits.length) {
          /* a typed SOP number: its page only (one small lookup, no word chunks); the text search on demand */
          state.results = hits;
          state.exactCount = hits.length;
          state.more = function () {
            return textSearch().then(function (more) { return merge(hits, [], (more[0] && more[0].results) || []); });
          };
          return finish();
        }
        return textSearch().then(function (more) {
          if (seq !== state.seq) return;
          state.results = merge([], (more[1] && more[1].results) || [], (more[0] && more[0].results) || []);
          state.exactCount = 0;
          return finish();
        });
      });

      function finish() {
        state.shown = PAGE;
        el.root.setAttribute("data-sop-search-query", query);
        return show(el, seq, true);
      }
    }, function () {
      if (seq !== state.seq) return;
      el.meta.textContent = t("search.unavailable") || "…";
      el.root.setAttribute("data-sop-search-state", "unavailable");
    });
  }

  function links(el) {
    return Array.prototype.slice.call(el.list.querySelectorAll(".md-search-result__link, .sop-search-more button"));
  }

  function open(el) {
    if (!el.toggle.checked) {
      el.toggle.checked = true;
      el.toggle.dispatchEvent(new Event("change"));
    }
  }

  function close(el) {
    if (el.toggle.checked) {
      el.toggle.checked = false;
      el.toggle.dispatchEvent(new Event("change"));
    }
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function setup() {
    var el = elements();
    if (!el || !el.toggle) return;
    if (el.root.getAttribute("data-sop-ready")) {
      close(el); /* a new page (instant navigation): the overlay does not follow */
      return;
    }
    el.root.setAttribute("data-sop-ready", "1");
    var timer = null;

    el.toggle.addEventListener("change", function () {
      if (el.toggle.checked) {
        el.input.focus();
        load().then(function (pf) {
          if (!el.meta.textContent.trim() || el.root.getAttribute("data-sop-search-state") !== "done") {
            el.meta.textContent = "";
          }
          el.input.placeholder = t("search.placeholder") || el.input.placeholder;
          return buildFacets(el, pf);
        }, function () {
          el.meta.textContent = t("search.unavailable") || "…";
          el.root.setAttribute("data-sop-search-state", "unavailable");
        });
      } else {
        el.input.blur();
      }
    });
    el.input.addEventListener("focus", function () { open(el); });
    el.input.addEventListener("input", function () {
      clearTimeout(timer);
      /* wait for a pause in typing: every query fetches the index chunks of its words */
      timer = setTimeout(function () { run(el); }, DEBOUNCE);
    });
    el.form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var first = el.list.querySelector(".md-search-result__link");
      if (first) first.click();
    });
    el.form.addEventListener("reset", function () {
      setTimeout(function () { run(el); el.input.focus(); }, 0);
    });

    document.addEventListener("keydown", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (!el.toggle.checked) {
        if ((ev.key === "/" || ev.key === "s" || ev.key === "S") && !typing(ev.target)) {
          ev.preventDefault();
          open(el);
        }
        return;
      }
      if (ev.key === "Escape") {
        ev.preventDefault();
        close(el);
        return;
      }
      if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
      var all = links(el);
      if (!all.length) return;
      ev.preventDefault();
      var at = all.indexOf(document.activeElement);
      var next = ev.key === "ArrowDown" ? at + 1 : at - 1;
      if (next < 0) { el.input.focus(); return; }
      all[Math.min(next, all.length - 1)].focus();
    }, true);
  }

  window.sopPortal.onPage(setup);
})();
