/* Passage annotations on the document page (issue 18): the selection inside #doc-body becomes the
   start/end offsets of the annotation form, counted in Unicode code points into the stored text (the
   server's str indices; JS strings count UTF-16 units, so astral characters are converted). Existing
   annotations are highlighted with <mark class="annot">. No inline script: the CSP forbids it. */
(function () {
  "use strict";

  function codePoints(s) { return Array.from(s).length; }

  function textOffset(root, node, offset) {
    // UTF-16 offset of (node, offset) in root's text content
    var range = document.createRange();
    range.selectNodeContents(root);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function onSelect() {
    var body = document.getElementById("doc-body");
    var start = document.getElementById("annot-start");
    if (!body || !start) return;
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    var r = sel.getRangeAt(0);
    if (!body.contains(r.startContainer) || !body.contains(r.endContainer)) return;
    var text = body.textContent;
    var s16 = textOffset(body, r.startContainer, r.startOffset);
    var e16 = textOffset(body, r.endContainer, r.endOffset);
    if (e16 <= s16) return;
    start.value = String(codePoints(text.slice(0, s16)));
    document.getElementById("annot-end").value = String(codePoints(text.slice(0, e16)));
    document.getElementById("annot-quote").textContent = text.slice(s16, e16);
  }

  function utf16(text, cp) {
    return Array.from(text).slice(0, cp).join("").length;
  }

  function wrap(root, s16, e16) {
    // wrap the text between two UTF-16 offsets in <mark class="annot">, text node by text node
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var pos = 0, node, parts = [];
    while ((node = walker.nextNode())) {
      var len = node.data.length;
      var a = Math.max(s16, pos), b = Math.min(e16, pos + len);
      if (a < b) parts.push([node, a - pos, b - pos]);
      pos += len;
      if (pos >= e16) break;
    }
    parts.forEach(function (p) {
      var range = document.createRange();
      range.setStart(p[0], p[1]);
      range.setEnd(p[0], p[2]);
      var mark = document.createElement("mark");
      mark.className = "annot";
      range.surroundContents(mark);
    });
  }

  function highlight() {
    var body = document.getElementById("doc-body");
    var list = document.getElementById("annotations");
    if (!body || !list || body.getAttribute("data-annotated") === "1") return;
    body.setAttribute("data-annotated", "1");
    var text = body.textContent;
    var items = Array.prototype.slice.call(list.querySelectorAll("li[data-field='body']"));
    items.reverse().forEach(function (li) {  // from the end: earlier offsets stay valid
      var s = parseInt(li.getAttribute("data-start"), 10), e = parseInt(li.getAttribute("data-end"), 10);
      if (isNaN(s) || isNaN(e) || e <= s) return;
      try { wrap(body, utf16(text, s), utf16(text, e)); } catch (err) { /* overlapping marks: leave as text */ }
    });
  }

  function tagAutocomplete() {
    // the datalist completes the tag being typed after the last comma, keeping the ones before it
    var input = document.getElementById("mark-tags");
    var list = document.getElementById("mark-tag-list");
    if (!input || !list || input.getAttribute("data-ac") === "1") return;
    input.setAttribute("data-ac", "1");
    var known = Array.prototype.map.call(list.options, function (o) { return o.value; });
    input.addEventListener("input", function () {
      var parts = input.value.split(",");
      var last = parts.pop().trim().toLowerCase();
      var head = parts.map(function (p) { return p.trim(); }).filter(Boolean);
      var taken = head.map(function (t) { return t.toLowerCase(); });
      list.textContent = "";
      known.filter(function (t) { return t.toLowerCase().indexOf(last) === 0 && taken.indexOf(t.toLowerCase()) < 0; })
        .slice(0, 20).forEach(function (t) {
          var o = document.createElement("option");
          o.value = head.concat([t]).join(", ");
          list.appendChild(o);
        });
    });
  }

  function init() {
    highlight();
    tagAutocomplete();
  }

  document.addEventListener("selectionchange", onSelect);
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:load", init);
  if (document.readyState !== "loading") init();
})();
