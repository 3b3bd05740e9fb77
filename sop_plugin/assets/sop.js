/* SOP portal: renders the Mermaid flowcharts of SOP pages with the vendored
 * Mermaid (no network), and keeps working with mkdocs-material's instant
 * navigation.  Diagram sources are read with textContent and rendered by
 * Mermaid in strict security mode; labels are entity-encoded at build time. */
(function () {
  "use strict";
  var counter = 0;
  var initialised = false;

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

  function init() {
    if (initialised || typeof window.mermaid === "undefined" || window.mermaid instanceof Element) {
      return initialised;
    }
    var dark = document.body && document.body.getAttribute("data-md-color-scheme") === "slate";
    window.mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      theme: dark ? "dark" : "default",
      fontFamily: "inherit",
      flowchart: { htmlLabels: true, useMaxWidth: true, curve: "basis" },
      maxTextSize: 200000
    });
    initialised = true;
    return true;
  }

  function fail(box, text) {
    var note = document.createElement("p");
    note.className = "sop-mermaid-error";
    note.textContent = text;
    box.appendChild(note);
    box.setAttribute("data-sop-mermaid-state", "error");
  }

  function renderOne(box) {
    if (box.getAttribute("data-sop-mermaid-state")) return Promise.resolve();
    var source = box.querySelector(".sop-mermaid-source");
    if (!source) return Promise.resolve();
    box.setAttribute("data-sop-mermaid-state", "rendering");
    if (!init()) {
      fail(box, message("missing"));
      return Promise.resolve();
    }
    var id = "sop-mermaid-" + (++counter);
    return window.mermaid.render(id, source.textContent).then(function (result) {
      var holder = document.createElement("div");
      holder.className = "sop-mermaid-svg";
      holder.innerHTML = result.svg; /* Mermaid output, sanitised by Mermaid (strict mode) */
      box.appendChild(holder);
      source.hidden = true;
      source.style.display = "none";
      if (result.bindFunctions) result.bindFunctions(holder);
      box.setAttribute("data-sop-mermaid-state", "done");
    }, function (err) {
      var stray = document.getElementById("d" + id);
      if (stray) stray.remove();
      fail(box, message("error") + (err && err.message ? err.message : String(err)));
    });
  }

  function renderAll() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-sop-mermaid]"));
    /* one at a time: Mermaid's renderer is not re-entrant */
    return boxes.reduce(function (chain, box) {
      return chain.then(function () { return renderOne(box); });
    }, Promise.resolve());
  }

  function start() {
    document.documentElement.classList.add("sop-js");
    renderAll();
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

  window.sopPortal = { onPage: onPage };
  onPage(start);
})();
