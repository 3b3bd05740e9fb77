/* The one paginator of the SOP-AP table, for the browser's Print and for `sop export --pdf`.
 *
 * The table arrives as one <table> whose rows carry `data-cross`: the flow lines (x in table
 * coordinates, edge index) that cross the boundary below the row.  Before printing (the
 * `beforeprint` event, and explicitly from `sop export` before page.pdf) this
 * script measures the rendered rows, cuts the table on row boundaries so that every printed page
 * fits (page height from the CSS variable --sop-print-page-h, the @page box of sop-print.css),
 * gives every page its own <table> with the header, and puts a lettered off-page connector
 * (segilima) at the bottom of one page and its partner at the top of the next for each line that
 * crosses a cut.  A page never holds only a header or only connectors: each holds at least one
 * step row (a single row taller than a page gets a page of its own).  The legend stays with the
 * last row.  On screen the repeated headers and connector rows are hidden (sop-sopap.css), so the
 * pages read as one table.  Paginating again first restores the single table: it is idempotent.
 */
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var SLACK = 6; /* px left free at the bottom of every page for rounding and borders */

  function letters(n) {
    var out = "";
    n += 1;
    while (n) {
      var r = (n - 1) % 26;
      out = String.fromCharCode(65 + r) + out;
      n = Math.floor((n - 1) / 26);
    }
    return out;
  }

  function pageHeight() {
    var probe = document.createElement("div");
    probe.style.cssText = "position:absolute;visibility:hidden;left:0;top:0;width:1px;" +
      "height:var(--sop-print-page-h,180mm)";
    document.body.appendChild(probe);
    var h = probe.getBoundingClientRect().height;
    probe.parentNode.removeChild(probe);
    return h;
  }

  function stepRows(table) {
    return Array.prototype.filter.call(table.tBodies[0].rows, function (r) {
      return r.classList.contains("sopap-row");
    });
  }

  /* Back to one table: every step row in the first table, no connector rows. */
  function restore(root) {
    var tables = root.querySelectorAll("table.sopap-table");
    if (!tables.length) return null;
    var first = tables[0];
    var body = first.tBodies[0];
    Array.prototype.forEach.call(root.querySelectorAll("tr.sopap-connector-row"), function (r) {
      r.parentNode.removeChild(r);
    });
    for (var i = 1; i < tables.length; i++) {
      stepRows(tables[i]).forEach(function (r) { body.appendChild(r); });
      tables[i].parentNode.removeChild(tables[i]);
    }
    first.classList.add("sopap-chunk-first", "sopap-chunk-last");
    first.setAttribute("data-chunk", "0");
    return first;
  }

  function svgEl(name, attrs) {
    var el = document.createElementNS(SVGNS, name);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    return el;
  }

  function f(v) { return String(Math.round(v * 10) / 10); }

  /* Centres for connectors 20 px wide at the lines' x positions, at least GAP apart, inside the lanes. */
  function spread(xs, width) {
    var GAP = 24;
    var order = xs.map(function (x, i) { return i; }).sort(function (a, b) { return xs[a] - xs[b]; });
    var out = new Array(xs.length);
    var last = -Infinity;
    order.forEach(function (i) {
      out[i] = Math.max(xs[i], last + GAP, 11);
      last = out[i];
    });
    var over = width ? last - (width - 11) : 0;
    if (over > 0) {  /* pushed past the right edge: shift the crowded tail back to the left */
      var next = Infinity;
      for (var k = order.length - 1; k >= 0; k--) {
        var i = order[k];
        out[i] = Math.min(out[i], next - GAP, width - 11);
        next = out[i];
      }
    }
    return out;
  }

  /* A connector row: "bottom" ends lines coming from above in a segilima; "top" starts them again. */
  function connectorRow(root, table, items, where, chunk) {
    var h = Number(root.getAttribute("data-connector-h")) || 40;
    var width = Number(root.getAttribute("data-lanes-width")) || 0;
    var lanes = table.tHead.querySelectorAll(".sopap-h-actor").length || 1;
    var tr = document.createElement("tr");
    tr.className = "sopap-connector-row sopap-connector-" + where;
    tr.style.height = h + "px";
    var note = document.createElement("td");
    note.colSpan = 2;
    note.className = "sopap-connector-note";
    var cell = document.createElement("td");
    cell.colSpan = lanes;
    cell.className = "sopap-lanes";
    var rest = document.createElement("td");
    rest.colSpan = 4;
    var svg = svgEl("svg", { "class": "sopap-svg", width: String(width), height: String(h),
                             "data-connectors": where, role: "presentation" });
    var bottom = where === "bottom";
    var template = root.getAttribute(bottom ? "data-t-goto" : "data-t-from") || "{label}";
    var xs = items.map(function (c) { return c.x; });
    var spots = spread(xs, width);
    var rank = xs.map(function (x, i) { return i; }).sort(function (a, b) { return xs[b] - xs[a]; });
    items.forEach(function (c, i) {
      var cy = bottom ? h - 14 : 14;
      var cx = spots[i];
      /* lines further right turn first, so no two jogs cross */
      var jog = Math.min(2 + rank.indexOf(i) * 3, 14);
      var x0 = cx - 10, x1 = cx + 10, y0 = cy - 10, y1 = cy + 10, shoulder = y0 + 12;
      var ref = root.querySelector('path[data-edge="' + c.edge + '"]');
      /* the line keeps its own x at the cut and jogs over to its connector when connectors had to make room */
      var d = Math.abs(cx - c.x) < 0.5
        ? (bottom ? "M" + f(c.x) + " 0 L" + f(c.x) + " " + f(y0) : "M" + f(c.x) + " " + f(y1) + " L" + f(c.x) + " " + h)
        : (bottom
          ? "M" + f(c.x) + " 0 L" + f(c.x) + " " + f(jog) + " L" + f(cx) + " " + f(jog) + " L" + f(cx) + " " + f(y0)
          : "M" + f(cx) + " " + f(y1) + " L" + f(cx) + " " + f(h - jog) + " L" + f(c.x) + " " + f(h - jog) +
            " L" + f(c.x) + " " + h);
      var line = svgEl("path", {
        "class": "sopap-line", "data-edge": String(c.edge), "data-pair": c.label,
        "data-from": ref ? ref.getAttribute("data-from") : "", "data-to": ref ? ref.getAttribute("data-to") : "",
        d: d
      });
      svg.appendChild(line);
      var g = svgEl("g", { "class": "sopap-sym sopap-connector", "data-kind": "connector", "data-pair": c.label,
                           "data-chunk": String(chunk), "data-ref": bottom ? "page-out" : "page-in",
                           "data-x": f(c.x), "data-cx": f(cx), "data-cy": f(cy), "data-w": "20", "data-h": "20" });
      var title = svgEl("title", {});
      title.textContent = template.replace("{label}", c.label);
      g.appendChild(title);
      g.appendChild(svgEl("polygon", { "class": "sopap-shape", points:
        f(x0) + "," + f(y0) + " " + f(x1) + "," + f(y0) + " " + f(x1) + "," + f(shoulder) + " " +
        f(cx) + "," + f(y1) + " " + f(x0) + "," + f(shoulder) }));
      var text = svgEl("text", { "class": "sopap-sym-text", x: f(cx), y: f(cy - 20 * 0.12),
                                 "text-anchor": "middle", "dominant-baseline": "middle" });
      text.textContent = c.label;
      g.appendChild(text);
      svg.appendChild(g);
    });
    cell.appendChild(svg);
    tr.appendChild(note);
    tr.appendChild(cell);
    tr.appendChild(rest);
    return tr;
  }

  /* A connector row as rendered (its cells' borders and padding included), not as drawn: a page
     holds up to two of them, so a few pixels each can push its last row onto a page of its own. */
  function connectorHeight(root, table) {
    var probe = connectorRow(root, table, [], "top", 0);
    table.tBodies[0].appendChild(probe);
    var h = probe.getBoundingClientRect().height;
    probe.parentNode.removeChild(probe);
    return Math.max(h, Number(root.getAttribute("data-connector-h")) || 40);
  }

  /* Lines that reach a row's bottom end exactly at the bottom of the rendered row (not beyond it). */
  function fitLines(row, height) {
    var y0 = Number(row.getAttribute("data-y")) || 0;
    Array.prototype.forEach.call(row.querySelectorAll("line.sopap-ext"), function (line) {
      line.setAttribute("y2", f(y0 + height));
    });
  }

  /* Decide the breaks from measured heights: a list of pages, each a list of row indexes. */
  function plan(heights, cross, opts) {
    var pages = [[]];
    var used = opts.offset + opts.head;
    var n = heights.length;
    for (var i = 0; i < n; i++) {
      var page = pages[pages.length - 1];
      var after = i < n - 1 && cross[i].length ? opts.conn : 0;
      var tail = i === n - 1 ? Math.max(after, opts.legend) : after;
      var full = used + heights[i] + tail > opts.avail || (opts.rpp > 0 && page.length >= opts.rpp);
      if (page.length && full) {
        page = [];
        pages.push(page);
        used = opts.head + (cross[i - 1].length ? opts.conn : 0);
      }
      page.push(i);
      used += heights[i];
    }
    return pages;
  }

  function paginate(root) {
    var table = restore(root);
    if (!table || !table.tHead) return 0;
    var html = document.documentElement;
    html.classList.add("sop-measuring");
    try {
      var rows = stepRows(table);
      if (!rows.length) return 0;
      var top = root.getBoundingClientRect().top;
      var legend = root.querySelector(".sopap-legend");
      var opts = {
        avail: pageHeight() - SLACK,
        head: table.tHead.getBoundingClientRect().height,
        offset: table.getBoundingClientRect().top - top,
        conn: connectorHeight(root, table),
        legend: legend ? legend.getBoundingClientRect().height + 8 : 0,
        rpp: Number(root.getAttribute("data-rows-per-page")) || 0
      };
      var heights = rows.map(function (r) { return r.getBoundingClientRect().height; });
      rows.forEach(function (r, i) { fitLines(r, heights[i]); });
      var cross = rows.map(function (r) {
        try { return JSON.parse(r.getAttribute("data-cross") || "[]"); } catch (e) { return []; }
      });
      /* a row taller than a page's room cannot stay whole: it may break, and its drawing keeps to
         the room on the row's first page (a drawing does not follow a row across a page break) */
      var room = opts.avail - opts.head - 2 * opts.conn;
      rows.forEach(function (r, i) {
        r.classList.toggle("sopap-row-tall", heights[i] > room);
        if (heights[i] > room) r.style.setProperty("--sopap-room", Math.floor(room) + "px");
      });
      var pages = plan(heights, cross, opts);
      var counter = 0;
      var previous = table;
      var incoming = null;
      pages.forEach(function (page, k) {
        var t = table;
        if (k > 0) {
          t = table.cloneNode(false);
          t.appendChild(table.querySelector("colgroup").cloneNode(true));
          t.appendChild(table.tHead.cloneNode(true));
          t.appendChild(document.createElement("tbody"));
          previous.parentNode.insertBefore(t, previous.nextSibling);
        }
        t.classList.toggle("sopap-chunk-first", k === 0);
        t.classList.toggle("sopap-chunk-last", k === pages.length - 1);
        t.setAttribute("data-chunk", String(k));
        var body = t.tBodies[0];
        if (incoming) body.appendChild(connectorRow(root, t, incoming, "top", k));
        page.forEach(function (i) { body.appendChild(rows[i]); });
        incoming = null;
        var last = page[page.length - 1];
        if (k < pages.length - 1 && cross[last].length) {
          incoming = cross[last].map(function (c) { return { x: c[0], edge: c[1], label: letters(counter++) }; });
          body.appendChild(connectorRow(root, t, incoming, "bottom", k));
        }
        previous = t;
      });
      root.setAttribute("data-sopap-pages", String(pages.length));
      return pages.length;
    } finally {
      html.classList.remove("sop-measuring");
    }
  }

  function paginateAll() {
    var roots = document.querySelectorAll("[data-sopap]");
    var total = 0;
    Array.prototype.forEach.call(roots, function (root) { total += paginate(root); });
    return total;
  }

  /* What was printed, for tests and `sop export`: per page, its steps and connector letters. */
  function summary() {
    return Array.prototype.map.call(document.querySelectorAll("[data-sopap]"), function (root) {
      return Array.prototype.map.call(root.querySelectorAll("table.sopap-table"), function (t) {
        function pairs(where) {
          return Array.prototype.map.call(t.querySelectorAll('[data-connectors="' + where + '"] g[data-pair]'),
            function (g) { return g.getAttribute("data-pair"); });
        }
        return {
          steps: stepRows(t).map(function (r) { return Number(r.getAttribute("data-step")) || 0; }),
          top: pairs("top"),
          bottom: pairs("bottom")
        };
      });
    });
  }

  window.sopPrint = { paginate: paginateAll, summary: summary, letters: letters, plan: plan };
  /* On screen the table stays one table; it is cut into pages only for printing. */
  window.addEventListener("beforeprint", paginateAll);
  if (window.matchMedia) {
    var mq = window.matchMedia("print");
    var onChange = function (e) { if (e.matches) paginateAll(); };
    if (mq.addEventListener) mq.addEventListener("change", onChange); else if (mq.addListener) mq.addListener(onChange);
  }
  /* After printing, the screen gets its single table back. */
  window.addEventListener("afterprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-sopap]"), function (root) {
      restore(root);
      root.removeAttribute("data-sopap-pages");
    });
  });
})();
