// Batch search page: while the batch runs, fetch the page every 3 s and swap in the progress and the
// table (a live region announces the count), instead of reloading the page (which would move focus).
// Without JavaScript the "Refresh" link does the same by hand.
(function () {
  "use strict";
  var region = document.getElementById("batch-result");
  if (!region || !region.hasAttribute("data-pending")) return;
  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "HX-Request": "false" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("batch-result");
        if (!fresh) return;
        region.innerHTML = fresh.innerHTML;
        if (fresh.hasAttribute("data-pending")) window.setTimeout(poll, 3000);
        else region.removeAttribute("data-pending");
      })
      .catch(function () { window.setTimeout(poll, 6000); });
  }
  window.setTimeout(poll, 3000);
})();
