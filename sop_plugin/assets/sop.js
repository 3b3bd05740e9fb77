/* SOP portal: draws the Mermaid diagrams with the vendored Mermaid (no
 * network), gives every diagram frame its zoom / full-screen buttons, and
 * keeps working with mkdocs-material's instant navigation.
 *
 * Weight: mermaid.min.js (3.5 MB) is not on every page.  This script loads
 * it on demand, after the page has loaded, and only when a Mermaid diagram
 * is showing (an SOP page's Mermaid tab is hidden until chosen).  When a
 * host already loaded Mermaid (window.mermaid), that copy is used.
 *
 * Diagram sources are read with textContent and rendered by Mermaid in
 * strict security mode; labels are entity-encoded at build time.  When the
 * reader switches the palette (light / dark), the diagrams are drawn again
 * in the matching Mermaid theme at once. */
(function () {
  "use strict";
  var counter = 0;
  var theme = null; /* the Mermaid theme Mermaid was initialised with */
  var loading = null;
  var queue = Promise.resolve(); /* Mermaid's renderer is not re-entrant: one diagram at a time */
  var ZOOMS = [0.25, 0.33, 0.5, 0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3];

  var script = document.currentScript;
  var MERMAID_SRC = script && script.src ? script.src.replace(/sop\.js(\?.*)?$/, "vendor/mermaid/mermaid.min.js") : null;

  function lang() {
    return (document.documentElement.lang || "id").toLowerCase().indexOf("en") === 0 ? "en" : "id";
  }

  function message(key) {
    var texts = {
      error: { id: "Diagram tidak dapat digambar: ", en: "The diagram could not be drawn: " },
      missing: { id: "Pustaka diagram tidak termuat.", en: "The diagram library did not load." }
    };
    return texts[key][lang()];
  }

  function hasMermaid() {
    return typeof window.mermaid !== "undefined" && !(window.mermaid instanceof Element);
  }

  function loadMermaid() {
    if (hasMermaid()) return Promise.resolve(true);
    if (loading) return loading;
    if (!MERMAID_SRC) return Promise.resolve(false);
    loading = new Promise(function (resolve) {
      var el = document.createElement("script");
      el.src = MERMAID_SRC;
      el.async = true;
      el.onload = function () { resolve(hasMermaid()); };
      el.onerror = function () { loading = null; resolve(false); };
      document.head.appendChild(el);
    });
    return loading;
  }

  function wantedTheme() {
    return document.body && document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "default";
  }

  function init() {
    var want = wantedTheme();
    if (theme === want) return;
    window.mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      theme: want,
      fontFamily: "inherit",
      themeVariables: { fontSize: "14px" },
      flowchart: { htmlLabels: true, useMaxWidth: false, curve: "basis", wrappingWidth: 220, nodeSpacing: 40, rankSpacing: 45 },
      maxTextSize: 500000
    });
    theme = want;
  }

  function fail(box, text) {
    var note = document.createElement("p");
    note.className = "sop-mermaid-error";
    note.textContent = text;
    box.appendChild(note);
    box.setAttribute("data-sop-mermaid-state", "error");
  }

  function showing(el) {
    return el.getClientRects().length > 0;
  }

  function draw(box) {
    var source = box.querySelector(".sop-mermaid-source");
    if (!source) return Promise.resolve();
    init();
    var id = "sop-mermaid-" + (++counter);
    var used = theme;
    return window.mermaid.render(id, source.textContent).then(function (result) {
      var old = box.querySelector(".sop-mermaid-svg");
      if (old) old.remove();
      var holder = document.createElement("div");
      holder.className = "sop-mermaid-svg";
      holder.innerHTML = result.svg; /* Mermaid output, sanitised by Mermaid (strict mode) */
      source.parentNode.insertBefore(holder, source);
      source.hidden = true;
      source.style.display = "none";
      if (result.bindFunctions) result.bindFunctions(holder);
      box.setAttribute("data-sop-mermaid-state", "done");
      box.setAttribute("data-sop-mermaid-theme", used);
      showStart(box);
    }, function (err) {
      var stray = document.getElementById("d" + id);
      if (stray) stray.remove();
      fail(box, message("error") + (err && err.message ? err.message : String(err)));
    });
  }

  /* A flowchart wider than its frame (a phone) opens on its "Mulai" node, not on the empty
   * left edge of the drawing; a frame the reader has already scrolled stays where it is. */
  function showStart(box) {
    var start = box.querySelector('g.node[id*="-flowchart-start-"]');  // first: no layout read for other diagrams
    var frame = start && box.querySelector("[data-sop-frame]");
    if (!frame || frame.scrollLeft || frame.scrollWidth <= frame.clientWidth) return;
    var f = frame.getBoundingClientRect(), s = start.getBoundingClientRect();
    frame.scrollLeft = Math.max(0, s.left + s.width / 2 - f.left - frame.clientWidth / 2);
  }

  /* Resolves in a task of its own: the browser handles the reader's input and paints in
   * between (a relations page of 100 units drew its diagrams in one 4-second task, frozen). */
  function nextTask() {
    return new Promise(function (resolve) { setTimeout(resolve, 0); });
  }

  /* Draw the diagrams that show and are not drawn (or drawn in the other theme), one per task,
   * from the one nearest the screen (takeNext). */
  function renderShowing() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-sop-mermaid]")).filter(function (box) {
      var state = box.getAttribute("data-sop-mermaid-state");
      if (state === "error" || state === "rendering") return false;
      if (state === "done" && box.getAttribute("data-sop-mermaid-theme") === wantedTheme()) return false;
      return showing(box);
    });
    if (!boxes.length) return queue;
    boxes.forEach(function (box) { box.setAttribute("data-sop-mermaid-state", "rendering"); });
    moved = true;
    queue = queue.then(loadMermaid).then(function (ok) {
      function next() {
        if (!boxes.length) return null;
        return nextTask().then(function () {
          var box = takeNext(boxes);
          if (!ok) {
            fail(box, message("missing"));
            return next();
          }
          return draw(box).then(next);
        });
      }
      return next();
    });
    return queue;
  }

  /* The next diagram to draw, taken out of the list.  Drawing goes down the page from the one
   * nearest the screen, then back to the top: a reader who scrolled (or followed a link) down a
   * page of many sees theirs next.  Where the reader is is measured again only after they scroll. */
  var cursor = 0;
  var moved = true;  // the first diagram: the page may have opened at an anchor
  window.addEventListener("scroll", function () { moved = true; }, { passive: true });

  function takeNext(boxes) {
    if (moved) {
      moved = false;
      var height = window.innerHeight, best = Infinity;
      for (var i = 0; i < boxes.length; i++) {
        var r = boxes[i].getBoundingClientRect();
        var distance = r.bottom < 0 ? -r.bottom : Math.max(0, r.top - height);
        if (distance < best) { best = distance; cursor = i; }
      }
    }
    if (cursor >= boxes.length) cursor = 0;
    return boxes.splice(cursor, 1)[0];  // the next one down takes its place
  }

  function afterLoad(fn) {
    if (document.readyState === "complete") {
      setTimeout(fn, 0);
    } else {
      window.addEventListener("load", function () { setTimeout(fn, 0); }, { once: true });
    }
  }

  /* -- diagram frames: zoom, full screen, drag to pan ---------------------- */

  function frameOf(button) {
    var tools = button.closest(".sop-frame-tools");
    var host = tools && tools.parentNode;
    return host ? host.querySelector("[data-sop-frame]") : null;
  }

  function setZoom(frame, tools, z) {
    var inner = frame.querySelector(".sop-frame-zoom");
    if (!inner) return;
    inner.style.zoom = z === 1 ? "" : String(z);
    frame.setAttribute("data-zoom", String(z));
    var level = tools.querySelector(".sop-frame-level");
    if (level) level.textContent = Math.round(z * 100) + "%";
  }

  function onFrameButton(ev) {
    var button = ev.target.closest && ev.target.closest("[data-frame-action]");
    if (!button) return;
    var frame = frameOf(button);
    if (!frame) return;
    var tools = button.closest(".sop-frame-tools");
    var action = button.getAttribute("data-frame-action");
    var z = parseFloat(frame.getAttribute("data-zoom") || "1");
    var i = ZOOMS.indexOf(z);
    if (i < 0) i = ZOOMS.indexOf(1);
    if (action === "in") setZoom(frame, tools, ZOOMS[Math.min(ZOOMS.length - 1, i + 1)]);
    else if (action === "out") setZoom(frame, tools, ZOOMS[Math.max(0, i - 1)]);
    else if (action === "reset") setZoom(frame, tools, 1);
    else if (action === "full") {
      if (document.fullscreenElement) document.exitFullscreen();
      else if (frame.requestFullscreen) frame.requestFullscreen();
    }
  }

  var pan = null;
  function onPointerDown(ev) {
    if (ev.pointerType !== "mouse" || ev.button !== 0) return;
    var frame = ev.target.closest && ev.target.closest("[data-sop-frame]");
    if (!frame || ev.target.closest("a, button, input, select, textarea")) return;
    if (frame.scrollWidth <= frame.clientWidth && frame.scrollHeight <= frame.clientHeight) return;
    pan = { frame: frame, x: ev.clientX, y: ev.clientY, moved: false };
  }
  function onPointerMove(ev) {
    if (!pan) return;
    var dx = ev.clientX - pan.x, dy = ev.clientY - pan.y;
    if (!pan.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    pan.moved = true;
    pan.frame.classList.add("sop-frame-panning");
    pan.frame.scrollLeft -= dx;
    pan.frame.scrollTop -= dy;
    pan.x = ev.clientX;
    pan.y = ev.clientY;
  }
  function onPointerUp() {
    if (pan) pan.frame.classList.remove("sop-frame-panning");
    pan = null;
  }

  /* -- page start -------------------------------------------------------- */

  function start() {
    document.documentElement.classList.add("sop-js");
    afterLoad(renderShowing);
  }

  /* Run fn on every page: once the DOM is ready, and again after each
   * mkdocs-material instant navigation (document$).  The other sop-*.js
   * scripts use this; sop.js is loaded before them. */
  function onPage(fn) {
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(function () { fn(); });
    } else if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { fn(); });
    } else {
      fn();
    }
  }

  document.addEventListener("click", onFrameButton);
  document.addEventListener("pointerdown", onPointerDown);
  document.addEventListener("pointermove", onPointerMove);
  document.addEventListener("pointerup", onPointerUp);
  document.addEventListener("pointercancel", onPointerUp);
  /* a flowchart tab was chosen: draw its diagram if it is a Mermaid one */
  document.addEventListener("change", function (ev) {
    if (ev.target && ev.target.classList && ev.target.classList.contains("sop-tab-input")) renderShowing();
  });
  /* the palette toggle: redraw the drawn diagrams in the matching theme */
  function watchPalette() {
    new MutationObserver(function () {
      if (theme !== null) renderShowing();
    }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  }
  if (document.body) watchPalette();
  else document.addEventListener("DOMContentLoaded", watchPalette);

  window.sopPortal = { onPage: onPage, renderDiagrams: renderShowing };
  onPage(start);
})();
