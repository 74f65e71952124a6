/* Periscope analyst UI: progressive enhancement only; every feature also works as a plain link/form.
   Handlers are delegated on document so they survive htmx body swaps without re-binding. */
(function () {
  "use strict";
  var form = function () { return document.getElementById("search"); };
  var submit = function () {
    var f = form();
    if (!f) return;
    if (f.requestSubmit) f.requestSubmit(); else f.submit();
  };
  var typing = function (el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  };

  // "/" focuses the search box (as in many search tools); Escape leaves it.
  document.addEventListener("keydown", function (e) {
    var q = document.getElementById("q");
    if (!q) return;
    if (e.key === "/" && !typing(document.activeElement) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault(); q.focus(); q.select();
    } else if (e.key === "Escape" && document.activeElement === q) {
      q.blur();
    }
  });

  // Facet checkboxes and sort apply at once.
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t.matches && t.matches("[data-autosubmit]")) submit();
  });

  // Dates apply on Enter (the browser submits the form) or when focus leaves a changed date field:
  // a date field fires "change" after each typed digit once the value parses (year 0002…).
  var isDate = function (t) { return t && t.matches && t.matches("input[type=date][form=search]"); };
  document.addEventListener("focusout", function (e) {
    var t = e.target;
    if (!isDate(t) || t.value === t.defaultValue || (t.value && !t.checkValidity())) return;
    if (isDate(e.relatedTarget)) return;  // moving between From and To: wait for both
    submit();
  });

  // Keep URLs clean: drop empty parameters (q=, date_from=) from the search form.
  document.addEventListener("submit", function (e) {
    if (e.target.id !== "search") return;
    var empties = Array.prototype.filter.call(e.target.elements, function (el) {
      return el.name && !el.disabled && el.value === "" && el.type !== "checkbox";
    });
    empties.forEach(function (el) { el.disabled = true; });
    setTimeout(function () { empties.forEach(function (el) { el.disabled = false; }); }, 0);
  }, true);
  document.addEventListener("htmx:configRequest", function (e) {
    var p = e.detail.parameters;
    if (!p || !e.detail.elt || e.detail.elt.id !== "search") return;
    Object.keys(p).forEach(function (k) { if (p[k] === "") delete p[k]; });
  });

  // "Show more" buttons disappear once their longer list is in.
  document.addEventListener("htmx:afterRequest", function (e) {
    var elt = e.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-hide-after") && e.detail.successful) elt.hidden = true;
  });

  // A document opened (page load or htmx swap): focus its heading so screen readers start there.
  var focusDocument = function () {
    var h = document.getElementById("doc-title");
    if (h && document.activeElement !== h) h.focus({ preventScroll: true });
  };
  document.addEventListener("DOMContentLoaded", focusDocument);
  document.addEventListener("htmx:afterSettle", focusDocument);

  // Links to the syntax help open it.
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("[data-open-help]");
    if (!a) return;
    var d = document.getElementById("syntax-help");
    if (d) { e.preventDefault(); d.open = true; d.querySelector("summary").focus(); }
  });

  // Timeline: drag across bars to select a date range (a click on one bar is a plain link).
  document.addEventListener("pointerdown", function (e) {
    var svg = e.target.closest && e.target.closest("svg.timeline");
    if (!svg || e.button !== 0) return;
    e.preventDefault();
    var vbw = svg.viewBox.baseVal.width;
    var toX = function (clientX) {
      var r = svg.getBoundingClientRect();
      return Math.max(0, Math.min(vbw, (clientX - r.left) * vbw / r.width));
    };
    var sel = svg.querySelector(".selection");
    var x0 = toX(e.clientX), x1 = x0, moved = false;
    try { svg.setPointerCapture(e.pointerId); } catch (err) { /* older engines */ }
    var move = function (ev) {
      x1 = toX(ev.clientX);
      if (Math.abs(x1 - x0) > 3) moved = true;
      sel.setAttribute("x", Math.min(x0, x1));
      sel.setAttribute("width", Math.abs(x1 - x0));
    };
    var up = function () {
      svg.removeEventListener("pointermove", move);
      svg.removeEventListener("pointerup", up);
      svg.removeEventListener("pointercancel", up);
      if (!moved) { sel.setAttribute("width", 0); return; }
      // swallow the click that follows the drag so a bar link does not also fire
      svg.addEventListener("click", function (ce) { ce.preventDefault(); ce.stopPropagation(); }, { capture: true, once: true });
      var lo = Math.min(x0, x1), hi = Math.max(x0, x1);
      var bars = Array.prototype.filter.call(svg.querySelectorAll(".bar"), function (b) {
        var bx = parseFloat(b.getAttribute("x")), bw = parseFloat(b.getAttribute("width"));
        return bx + bw >= lo && bx <= hi;
      });
      if (!bars.length) { sel.setAttribute("width", 0); return; }
      var from = document.getElementById("date_from"), to = document.getElementById("date_to");
      if (!from || !to) return;
      from.value = bars[0].getAttribute("data-from");
      to.value = bars[bars.length - 1].getAttribute("data-to");
      svg.setAttribute("aria-busy", "true");
      submit();
    };
    svg.addEventListener("pointermove", move);
    svg.addEventListener("pointerup", up);
    svg.addEventListener("pointercancel", up);
  });

  // Suggestions while typing (GET /api/v1/suggest); silent when the endpoint is unavailable.
  var timer = null, lastQ = null;
  document.addEventListener("input", function (e) {
    if (e.target.id !== "q") return;
    clearTimeout(timer);
    var q = e.target.value.trim();
    timer = setTimeout(function () {
      if (q.length < 2 || q === lastQ || !window.fetch) return;
      lastQ = q;
      fetch("/api/v1/suggest?q=" + encodeURIComponent(q)).then(function (r) {
        return r.ok ? r.json() : { suggestions: [] };
      }).then(function (data) {
        var list = document.getElementById("suggestions");
        if (!list) return;
        list.textContent = "";
        (data.suggestions || []).slice(0, 8).forEach(function (s) {
          var o = document.createElement("option");
          o.value = s.text; o.label = s.kind || "";
          list.appendChild(o);
        });
      }).catch(function () { /* suggestions are optional */ });
    }, 150);
  });
})();
