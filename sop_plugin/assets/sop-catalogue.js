/* SOP portal catalogue: sort by clicking a column heading, filter by unit,
 * status and text.  Plain DOM, no network.  Without JavaScript the full
 * table is shown (the filter form stays hidden).  Works with
 * mkdocs-material's instant navigation (re-runs on every document$ emission).
 * The URL query (?q=...&unit=...&status=...) pre-fills the filters, so the
 * home page's search form lands on a filtered catalogue. */
(function () {
  "use strict";

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

  function setupFilter(root) {
    var form = root.querySelector(".sop-filter");
    var table = root.querySelector("table[data-sop-sortable]");
    if (!form || !table) return;
    var text = form.querySelector("[data-filter=text]");
    var unit = form.querySelector("[data-filter=unit]");
    var status = form.querySelector("[data-filter=status]");
    var count = form.querySelector(".sop-filter-count");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var template = count ? count.getAttribute("data-template-id") || "{n} / {total}" : "";

    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) text.value = params.get("q");
    [[unit, "unit"], [status, "status"]].forEach(function (pair) {
      var want = params.get(pair[1]);
      if (want && pair[0].querySelector('option[value="' + CSS.escape(want) + '"]')) pair[0].value = want;
    });

    function apply() {
      var words = norm(text.value).split(" ").filter(Boolean);
      var u = unit.value, s = status.value, shown = 0;
      rows.forEach(function (row) {
        var hay = norm(row.getAttribute("data-text"));
        var ok = (!u || row.getAttribute("data-unit") === u) &&
                 (!s || row.getAttribute("data-status") === s) &&
                 words.every(function (w) { return hay.indexOf(w) !== -1; });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = template.replace("{n}", shown).replace("{total}", rows.length);
    }

    text.addEventListener("input", apply);
    unit.addEventListener("change", apply);
    status.addEventListener("change", apply);
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
