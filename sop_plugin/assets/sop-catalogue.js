/* SOP portal catalogue: sort by clicking a column heading, filter by text,
 * unit, status, actor and document.  Plain DOM, no network.  Without
 * JavaScript the full table is shown (the filter form stays hidden).  Works
 * with mkdocs-material's instant navigation (sopPortal.onPage).
 * Every filter is in the address (?q=...&unit=...&status=...&actor=...&doc=...):
 * the home page's search form lands on a filtered catalogue, a filtered view
 * can be shared, and going back to the catalogue shows it as it was left. */
(function () {
  "use strict";

  var FILTERS = ["unit", "status", "actor", "doc"];

  function norm(text) {
    return (text || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim();
  }

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var v = cell.getAttribute("data-value");
    return v !== null ? v : cell.textContent.trim();
  }

  function setupSort(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, index) {
      var kind = th.getAttribute("data-sort");
      if (!kind) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sop-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (other) {
          if (other.hasAttribute("aria-sort")) other.setAttribute("aria-sort", "none");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index), r;
          if (kind === "number") {
            var nx = parseFloat(x), ny = parseFloat(y);
            if (isNaN(nx)) nx = -Infinity;
            if (isNaN(ny)) ny = -Infinity;
            r = nx - ny;
          } else {
            r = x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
          }
          return ascending ? r : -r;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function list(row, name) {
    try { return JSON.parse(row.getAttribute("data-" + name) || "[]"); } catch (e) { return []; }
  }

  function setupFilter(root) {
    var form = root.querySelector(".sop-filter");
    var table = root.querySelector("table[data-sop-sortable]");
    if (!form || !table) return;
    var text = form.querySelector("[data-filter=text]");
    var selects = {};
    FILTERS.forEach(function (name) { selects[name] = form.querySelector("[data-filter=" + name + "]"); });
    var count = form.querySelector(".sop-filter-count");
    /* the text filter also matches actors and documents, which each row lists once (data-actors, data-docs) */
    var rows = Array.prototype.slice.call(table.tBodies[0].rows).map(function (row) {
      var actor = list(row, "actors"), doc = list(row, "docs");
      return { row: row, text: norm([row.getAttribute("data-text")].concat(actor, doc).join(" ")),
               unit: row.getAttribute("data-unit"), status: row.getAttribute("data-status"), actor: actor, doc: doc };
    });
    var template = count ? count.getAttribute("data-template-id") || "{n} / {total}" : "";
    var number = new Intl.NumberFormat(document.documentElement.lang || undefined);  /* 1.234 in Indonesian */

    function fromAddress() {
      var params = new URLSearchParams(window.location.search);
      text.value = params.get("q") || "";
      FILTERS.forEach(function (name) {
        var sel = selects[name], want = params.get(name) || "";
        if (!sel) return;
        sel.value = want && sel.querySelector('option[value="' + CSS.escape(want) + '"]') ? want : "";
      });
    }

    function toAddress() {
      var params = new URLSearchParams(window.location.search);
      if (text.value.trim()) params.set("q", text.value.trim()); else params.delete("q");
      FILTERS.forEach(function (name) {
        if (selects[name] && selects[name].value) params.set(name, selects[name].value); else params.delete(name);
      });
      var query = params.toString();
      var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
      if (url !== window.location.pathname + window.location.search + window.location.hash) {
        window.history.replaceState(window.history.state, "", url);
      }
    }

    function apply() {
      var words = norm(text.value).split(" ").filter(Boolean);
      var want = {};
      FILTERS.forEach(function (name) { want[name] = selects[name] ? selects[name].value : ""; });
      var shown = 0;
      rows.forEach(function (r) {
        var ok = (!want.unit || r.unit === want.unit) &&
                 (!want.status || r.status === want.status) &&
                 (!want.actor || r.actor.indexOf(want.actor) !== -1) &&
                 (!want.doc || r.doc.indexOf(want.doc) !== -1) &&
                 words.every(function (w) { return r.text.indexOf(w) !== -1; });
        r.row.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = template.replace("{n}", number.format(shown)).replace("{total}", number.format(rows.length));
    }

    function changed() {
      apply();
      toAddress();
    }

    fromAddress();
    text.addEventListener("input", changed);
    FILTERS.forEach(function (name) { if (selects[name]) selects[name].addEventListener("change", changed); });
    window.addEventListener("popstate", function () {
      if (!document.body.contains(form)) return;
      fromAddress();
      apply();
    });
    form.hidden = false;
    apply();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-sop-catalogue]"), function (root) {
      if (root.getAttribute("data-sop-ready")) return;
      root.setAttribute("data-sop-ready", "1");
      Array.prototype.forEach.call(root.querySelectorAll("table[data-sop-sortable]"), setupSort);
      var hint = root.querySelector(".sop-sort-hint");
      if (hint) hint.hidden = false;
      setupFilter(root);
    });
  }

  window.sopPortal.onPage(start);
})();
