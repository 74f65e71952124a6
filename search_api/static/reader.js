/* The reader's hit navigation (issue 13; template _reader_hits.html, styles reader.css). The server marks
   the query's hits in the document body as <mark class="hit" data-hit="N">, the first piece of hit N with
   id "hit-N". "Previous hit" / "Next hit" and the keys p / n (when not typing) move a "current" hit,
   scroll it into view and announce "hit 3 of 12" in the status line. Delegated: survives htmx swaps. */
(function () {
  "use strict";
  var current = 0;
  var typing = function (el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  };

  function step(delta) {
    var status = document.getElementById("hit-status");
    var total = status ? parseInt(status.getAttribute("data-total"), 10) : 0;
    if (!total) return;
    current = current === 0 ? (delta > 0 ? 1 : total) : ((current - 1 + delta + total) % total) + 1;
    document.querySelectorAll("#doc-body mark.hit.current").forEach(function (m) { m.classList.remove("current"); });
    var pieces = document.querySelectorAll('#doc-body mark.hit[data-hit="' + current + '"]');
    pieces.forEach(function (m) { m.classList.add("current"); });
    if (pieces.length) pieces[0].scrollIntoView({ block: "center", behavior: "auto" });
    status.textContent = "hit " + current + " of " + total + " for \u201c" + status.getAttribute("data-query") + "\u201d";
  }

  // A new page (load or htmx swap) starts before the first hit.
  var reset = function () { current = 0; };
  document.addEventListener("DOMContentLoaded", reset);
  document.addEventListener("htmx:afterSettle", reset);

  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-hit-step]");
    if (b) step(parseInt(b.getAttribute("data-hit-step"), 10));
  });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(document.activeElement)) return;
    if (!document.getElementById("hit-status")) return;
    if (e.key === "n") { e.preventDefault(); step(1); }
    else if (e.key === "p") { e.preventDefault(); step(-1); }
  });
})();
