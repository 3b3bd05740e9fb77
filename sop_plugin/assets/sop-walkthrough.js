/* SOP portal: interactive walkthrough ("Simulasikan") of an SOP procedure.
 *
 * Reads the procedure from <script type="application/json" class="sop-walkthrough-data">
 * inside each .sop-walkthrough block, lets the reader step through it, choose
 * a branch at each decision, enter actual minutes, and export the run as JSON
 * (download), as a printable summary, and as a YAML snippet for the
 * `simulasi` / `simulations` front matter.
 *
 * No libraries, no network.  Every SOP text is inserted with textContent.
 * Initialises through sop.js (sopPortal.onPage: DOM ready and mkdocs-material instant navigation),
 * so sop.js must be loaded first (the plugin orders it so).
 */
(function () {
  "use strict";

  var MAX_STEPS = 1000; // a run stops here (loops)

  var TEXT = {
    id: {
      step: "Langkah {n} dari {total}",
      actor: "Pelaksana",
      inputs: "Kelengkapan",
      output: "Output",
      duration: "Waktu",
      none: "—",
      actual: "Waktu nyata (menit)",
      next: "Lanjut",
      back: "Kembali",
      restart: "Ulangi",
      close: "Tutup",
      handover: "Dilanjutkan dengan SOP {id}",
      end: "selesai",
      pathSoFar: "Jalur sejauh ini",
      elapsed: "Waktu berjalan",
      done: "Simulasi selesai",
      path: "Jalur yang ditempuh",
      total: "Total waktu",
      planned: "rencana",
      choice: "Pilihan",
      minutes: "Menit",
      download: "Unduh JSON",
      print: "Cetak ringkasan",
      yaml: "Salin ke front matter (bagian simulasi):",
      participants: "Nama peserta 1, Nama peserta 2",
      findings: "Jalur {path}; waktu {elapsed} (rencana {planned})",
      stopped: "Dihentikan setelah {n} langkah (perulangan).",
      bad: "Data prosedur tidak dapat dibaca.",
      units: ["hari", "jam", "menit"]
    },
    en: {
      step: "Step {n} of {total}",
      actor: "Actor",
      inputs: "Inputs",
      output: "Output",
      duration: "Duration",
      none: "—",
      actual: "Actual time (minutes)",
      next: "Next",
      back: "Back",
      restart: "Start again",
      close: "Close",
      handover: "Continues with SOP {id}",
      end: "end",
      pathSoFar: "Path so far",
      elapsed: "Elapsed",
      done: "Walkthrough finished",
      path: "Path taken",
      total: "Total time",
      planned: "planned",
      choice: "Choice",
      minutes: "Minutes",
      download: "Download JSON",
      print: "Print summary",
      yaml: "Paste into the front matter (simulations):",
      participants: "Participant 1, Participant 2",
      findings: "Path {path}; time {elapsed} (planned {planned})",
      stopped: "Stopped after {n} steps (loop).",
      bad: "The procedure data cannot be read.",
      units: ["d", "h", "min"]
    }
  };

  // the language the SOP page was rendered in (the plugin's `lang` option), set by each walkthrough
  var LANG = "id";

  function lang() {
    return LANG;
  }

  function tr(key, fields) {
    var text = TEXT[lang()][key];
    if (fields) {
      Object.keys(fields).forEach(function (k) {
        text = text.split("{" + k + "}").join(String(fields[k]));
      });
    }
    return text;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function button(cls, text, onClick) {
    var b = el("button", "md-button " + cls, text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  // "1 hour 30 minutes" / "1 jam 30 menit", as the page's durations (CLDR in both: Babel on the
  // server, Intl here); the short units only where the browser has no unit formatting
  function quantity(n, i) {
    try {
      return new Intl.NumberFormat(lang(), { style: "unit", unit: ["day", "hour", "minute"][i],
                                             unitDisplay: "long" }).format(n);
    } catch (e) {
      return n + " " + TEXT[lang()].units[i];
    }
  }

  function formatMinutes(minutes, perDay) {
    var m = Math.round(minutes);
    if (!(m > 0)) { return quantity(0, 2); }
    perDay = Math.round(perDay) || 480;
    var days = Math.floor(m / perDay);
    var rest = m - days * perDay;
    var hours = Math.floor(rest / 60);
    var mins = rest - hours * 60;
    var parts = [];
    if (days) { parts.push(quantity(days, 0)); }
    if (hours) { parts.push(quantity(hours, 1)); }
    if (mins) { parts.push(quantity(mins, 2)); }
    return parts.join(" ");
  }

  // "1–2 jam (1 jam 30 menit)": the written time and, when it says something else, the working time it counts as
  function withWorkingTime(text, working) {
    return text === working ? text : text + " (" + working + ")";
  }

  function today() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  function Walkthrough(root, data) {
    this.root = root;
    this.data = data;
    LANG = data.lang === "en" ? "en" : "id";
    this.panel = root.querySelector(".sop-walkthrough-panel");
    this.byNumber = {};
    var self = this;
    (data.steps || []).forEach(function (s) { self.byNumber[s.number] = s; });
    this.trail = [];
    this.current = null;
  }

  Walkthrough.prototype.start = function () {
    this.trail = [];
    this.stopped = false;
    this.current = this.byNumber[1] ? 1 : null;
    this.startedAt = new Date().toISOString();
    this.panel.hidden = false;
    this.show();
  };

  Walkthrough.prototype.clear = function () {
    while (this.panel.firstChild) { this.panel.removeChild(this.panel.firstChild); }
  };

  Walkthrough.prototype.planned = function (s) {
    return s && s.duration ? Number(s.duration.mid) || 0 : 0;
  };

  Walkthrough.prototype.elapsed = function () {
    return this.trail.reduce(function (sum, t) { return sum + t.minutes; }, 0);
  };

  Walkthrough.prototype.plannedTotal = function () {
    return this.trail.reduce(function (sum, t) { return sum + t.planned_minutes; }, 0);
  };

  Walkthrough.prototype.pathText = function (ended) {
    var parts = this.trail.map(function (t) { return String(t.step); });
    if (ended && !this.stopped) { parts.push(tr("end")); }
    return parts.join(" → ");
  };

  Walkthrough.prototype.show = function () {
    var self = this;
    var s = this.byNumber[this.current];
    this.clear();
    if (!s) { this.finish(); return; }
    var perDay = this.data.minutes_per_day;
    var box = el("div", "sop-walkthrough-current");
    box.setAttribute("data-step", String(s.number));
    box.appendChild(el("div", "sop-walkthrough-step-no",
      tr("step", { n: s.number, total: this.data.steps.length })));
    box.appendChild(el("p", "sop-walkthrough-activity", s.activity));
    var dl = el("dl", "sop-walkthrough-fields");
    function field(label, cls, value) {
      dl.appendChild(el("dt", null, label));
      var dd = el("dd", cls);
      if (Array.isArray(value)) {
        if (value.length) {
          var ul = el("ul");
          value.forEach(function (v) { ul.appendChild(el("li", null, v)); });
          dd.appendChild(ul);
        } else {
          dd.textContent = tr("none");
        }
      } else {
        dd.textContent = value === null || value === undefined || value === "" ? tr("none") : String(value);
      }
      dl.appendChild(dd);
      return dd;
    }
    field(tr("actor"), "sop-walkthrough-actor", s.actor);
    field(tr("inputs"), "sop-walkthrough-inputs", s.inputs || []);
    field(tr("output"), "sop-walkthrough-output", s.output);
    field(tr("duration"), "sop-walkthrough-duration",
      s.duration ? withWorkingTime(s.duration.text, formatMinutes(s.duration.mid, perDay)) : null);
    var actualDd = field(tr("actual"), "sop-walkthrough-actual", "");
    actualDd.textContent = "";
    var input = el("input", "sop-walkthrough-minutes");
    input.type = "number";
    input.min = "0";
    input.step = "any";
    input.value = String(Math.round(this.planned(s) * 100) / 100);
    input.setAttribute("aria-label", tr("actual"));
    actualDd.appendChild(input);
    box.appendChild(dl);
    if (s.sop) { box.appendChild(el("p", "sop-walkthrough-handover", tr("handover", { id: s.sop }))); }

    var actions = el("div", "sop-walkthrough-actions");
    function minutes() {
      var v = parseFloat(String(input.value).replace(",", "."));
      return isFinite(v) && v >= 0 ? v : self.planned(s);
    }
    var edges = s.next || [];
    if (s.question) { box.appendChild(el("p", "sop-walkthrough-question", s.question)); }
    edges.forEach(function (edge, i) {
      var text = edge.label ? edge.label : tr("next");
      var b = button("sop-walkthrough-choice" + (edge.label ? "" : " md-button--primary") +
        (edge.label ? "" : " sop-walkthrough-next"), text, function () { self.advance(s, edge, minutes()); });
      b.setAttribute("data-index", String(i));
      if (edge.label) { b.setAttribute("data-label", edge.label); }
      actions.appendChild(b);
    });
    if (!edges.length) {
      actions.appendChild(button("sop-walkthrough-next md-button--primary", tr("next"), function () {
        self.advance(s, { label: null, step: null, end: true }, minutes());
      }));
    }
    if (this.trail.length) {
      actions.appendChild(button("sop-walkthrough-back", tr("back"), function () { self.back(); }));
    }
    actions.appendChild(button("sop-walkthrough-restart", tr("restart"), function () { self.start(); }));
    box.appendChild(actions);

    var progress = el("div", "sop-walkthrough-progress");
    progress.appendChild(el("span", null, tr("pathSoFar") + ": "));
    progress.appendChild(el("span", "sop-walkthrough-path",
      this.trail.length ? this.pathText(false) + " → " + s.number : String(s.number)));
    progress.appendChild(el("span", null, " · " + tr("elapsed") + ": "));
    progress.appendChild(el("span", "sop-walkthrough-elapsed", formatMinutes(this.elapsed(), perDay)));
    box.appendChild(progress);
    this.panel.appendChild(box);
    input.focus({ preventScroll: true });
  };

  Walkthrough.prototype.advance = function (s, edge, minutes) {
    this.trail.push({
      step: s.number,
      activity: s.activity,
      actor: s.actor,
      minutes: minutes,
      planned_minutes: this.planned(s),
      choice: edge.label || null,
      to: edge.end ? "end" : edge.step
    });
    if (edge.end || edge.step === null || edge.step === undefined) {
      this.current = null;
      this.finish();
    } else if (this.trail.length >= MAX_STEPS) {
      this.stopped = true;
      this.current = null;
      this.finish();
    } else {
      this.current = edge.step;
      this.show();
    }
  };

  Walkthrough.prototype.back = function () {
    var last = this.trail.pop();
    if (last) {
      this.stopped = false;
      this.current = last.step;
      this.show();
    }
  };

  Walkthrough.prototype.result = function () {
    var perDay = this.data.minutes_per_day;
    var last = this.trail[this.trail.length - 1];
    var findings = tr("findings", {
      path: this.pathText(true),
      elapsed: formatMinutes(this.elapsed(), perDay),
      planned: formatMinutes(this.plannedTotal(), perDay)
    });
    return {
      sop: this.data.id,
      title: this.data.title,
      sop_version: this.data.sop_version,
      date: today(),
      started_at: this.startedAt,
      finished_at: new Date().toISOString(),
      lang: lang(),
      path: this.trail.map(function (t) { return t.step; }),
      end: last && !this.stopped ? { after_step: last.step, label: last.choice } : null,
      stopped: !!this.stopped,
      elapsed_minutes: this.elapsed(),
      planned_minutes: this.plannedTotal(),
      elapsed: formatMinutes(this.elapsed(), perDay),
      steps: this.trail.slice(),
      findings: findings,
      yaml: this.yaml(findings)
    };
  };

  Walkthrough.prototype.yaml = function (findings) {
    // JSON strings are valid YAML double-quoted scalars: safe for any SOP text
    return [
      (this.data.simulations_key || "simulasi") + ":",
      "  - date: " + today(),
      "    participants: [" + tr("participants") + "]",
      "    result: pass",
      "    findings: " + JSON.stringify(findings)
    ].join("\n") + "\n";
  };

  Walkthrough.prototype.finish = function () {
    var self = this;
    var perDay = this.data.minutes_per_day;
    var result = this.result();
    this.clear();
    var box = el("div", "sop-walkthrough-summary");
    box.appendChild(el("div", "sop-walkthrough-step-no", tr("done")));
    if (this.stopped) { box.appendChild(el("p", "sop-walkthrough-stopped", tr("stopped", { n: MAX_STEPS }))); }
    var dl = el("dl", "sop-walkthrough-fields");
    dl.appendChild(el("dt", null, tr("path")));
    dl.appendChild(el("dd", "sop-walkthrough-path", this.pathText(true)));
    dl.appendChild(el("dt", null, tr("total")));
    dl.appendChild(el("dd", "sop-walkthrough-elapsed", formatMinutes(result.elapsed_minutes, perDay)));
    dl.appendChild(el("dt", null, tr("planned")));
    dl.appendChild(el("dd", "sop-walkthrough-planned", formatMinutes(result.planned_minutes, perDay)));
    box.appendChild(dl);

    var table = el("table", "sop-walkthrough-trail");
    var head = el("tr");
    ["#", tr("actor"), tr("minutes"), tr("choice")].forEach(function (h) { head.appendChild(el("th", null, h)); });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el("tbody");
    this.trail.forEach(function (t) {
      var row = el("tr");
      [t.step, t.actor || tr("none"), Math.round(t.minutes * 100) / 100, t.choice || ""].forEach(function (v) {
        row.appendChild(el("td", null, v));
      });
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
    box.appendChild(table);

    box.appendChild(el("p", null, tr("yaml")));
    var yaml = el("textarea", "sop-walkthrough-yaml");
    yaml.readOnly = true;
    yaml.value = result.yaml;
    yaml.rows = 6;
    box.appendChild(yaml);

    var actions = el("div", "sop-walkthrough-actions");
    actions.appendChild(button("sop-walkthrough-download md-button--primary", tr("download"), function () {
      self.download(self.result());
    }));
    actions.appendChild(button("sop-walkthrough-print", tr("print"), function () { self.print(box); }));
    actions.appendChild(button("sop-walkthrough-restart", tr("restart"), function () { self.start(); }));
    if (this.trail.length) {
      actions.appendChild(button("sop-walkthrough-back", tr("back"), function () { self.back(); }));
    }
    box.appendChild(actions);
    this.panel.appendChild(box);
  };

  Walkthrough.prototype.download = function (result) {
    var blob = new Blob([JSON.stringify(result, null, 2) + "\n"], { type: "application/json" });
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = "simulasi-" + String(this.data.id || "sop").replace(/[^A-Za-z0-9._-]+/g, "-") + "-" + today() + ".json";
    a.style.display = "none";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () {
      URL.revokeObjectURL(url);
      if (a.parentNode) { a.parentNode.removeChild(a); }
    }, 1000);
  };

  Walkthrough.prototype.print = function (box) {
    var body = document.body;
    box.classList.add("sop-walkthrough-printing-target");
    body.classList.add("sop-walkthrough-printing");
    function done() {
      body.classList.remove("sop-walkthrough-printing");
      box.classList.remove("sop-walkthrough-printing-target");
      window.removeEventListener("afterprint", done);
    }
    window.addEventListener("afterprint", done);
    try {
      window.print();
    } finally {
      setTimeout(done, 0);
    }
  };

  function setup(root) {
    if (root.getAttribute("data-sop-walkthrough-ready") === "1") { return; }
    var script = root.querySelector("script.sop-walkthrough-data");
    var startButton = root.querySelector(".sop-walkthrough-start");
    var panel = root.querySelector(".sop-walkthrough-panel");
    if (!script || !startButton || !panel) { return; }
    root.setAttribute("data-sop-walkthrough-ready", "1");
    var data;
    try {
      data = JSON.parse(script.textContent);
    } catch (e) {
      data = null;
    }
    if (!data || !Array.isArray(data.steps) || !data.steps.length) {
      root.appendChild(el("p", "sop-walkthrough-error", tr("bad")));
      return;
    }
    var w = new Walkthrough(root, data);
    startButton.disabled = false;
    startButton.addEventListener("click", function () { w.start(); });
  }

  function initAll() {
    var roots = document.querySelectorAll(".sop-walkthrough");
    for (var i = 0; i < roots.length; i++) { setup(roots[i]); }
  }

  window.sopPortal.onPage(initAll);
})();
