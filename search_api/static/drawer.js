/* Filter drawer on narrow screens (issue 13; template _filters_drawer.html, styles drawer.css).
   The sidebar is moved into a native <dialog> opened with showModal(): the page behind is inert, Escape
   closes it (the dialog's own "cancel"), Tab is kept inside (wrapping at both ends, which showModal alone
   leaves to the browser chrome), and focus returns to the "Filters (n)" button on close. Inside the drawer
   a ticked box or a typed date waits for "Show results" instead of reloading the page at once; closing
   without applying undoes those changes. Handlers are delegated so they survive htmx body swaps. */
(function () {
  "use strict";
  var NARROW = window.matchMedia("(max-width: 760px)");
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), " +
    "textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
  var home = null, opener = null;
  document.documentElement.classList.add("has-drawer");

  var dialog = function () { return document.getElementById("filters-dialog"); };
  var isOpen = function () { var d = dialog(); return !!(d && d.open); };
  var focusables = function (root) {
    return Array.prototype.filter.call(root.querySelectorAll(FOCUSABLE), function (el) {
      return el.getClientRects().length > 0;
    });
  };

  function open(button) {
    var d = dialog(), aside = document.querySelector(".layout > aside.sidebar"), slot = document.getElementById("filters-slot");
    if (!d || !aside || !slot || d.open) return;
    home = { parent: aside.parentNode, next: aside.nextSibling, aside: aside };
    slot.appendChild(aside);
    opener = button;
    d.showModal();
    document.getElementById("filters-close").focus();
  }

  function undoUnapplied(root) {
    root.querySelectorAll("input[type=checkbox][form=search]").forEach(function (el) { el.checked = el.defaultChecked; });
    root.querySelectorAll("input[type=date][form=search]").forEach(function (el) { el.value = el.defaultValue; });
  }

  // "close" does not bubble: listen in the capture phase. Runs for Escape, "Close" and a resize to wide.
  document.addEventListener("close", function (e) {
    if (e.target.id !== "filters-dialog" || !home) return;
    undoUnapplied(home.aside);
    home.parent.insertBefore(home.aside, home.next);
    home = null;
    if (opener && opener.isConnected) opener.focus();
  }, true);

  document.addEventListener("click", function (e) {
    if (!e.target.closest) return;
    var b = e.target.closest("#filters-open");
    if (b) { open(b); return; }
    if (e.target.closest("#filters-close") && isOpen()) dialog().close();
  });

  // Tab and Shift+Tab wrap around inside the open drawer.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Tab" || !isOpen()) return;
    var items = focusables(dialog());
    if (!items.length) return;
    var first = items[0], last = items[items.length - 1], here = document.activeElement;
    if (e.shiftKey && (here === first || !dialog().contains(here))) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && (here === last || !dialog().contains(here))) { e.preventDefault(); first.focus(); }
  });

  // Inside the drawer, changes wait for "Show results": stop them before periscope.js auto-submits.
  ["change", "focusout"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      if (e.target.closest && e.target.closest("#filters-dialog[open]")) e.stopPropagation();
    }, true);
  });

  // Turning a phone or widening the window puts the sidebar back where it belongs.
  var widened = function () { if (!NARROW.matches && isOpen()) dialog().close(); };
  if (NARROW.addEventListener) NARROW.addEventListener("change", widened); else NARROW.addListener(widened);
})();
