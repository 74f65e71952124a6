// Charts of the warning pages: uPlot sparklines and timelines, the cytoscape.js network.
// Purely visual (aria-hidden): every chart has a table next to it with the same numbers.
(function () {
  "use strict";

  function numbers(text) {
    return (text || "").split(",").filter(function (s) { return s !== ""; }).map(Number);
  }

  function sparklines() {
    if (typeof uPlot === "undefined") return;
    document.querySelectorAll(".spark[data-series]:not([data-drawn])").forEach(function (el) {
      var ys = numbers(el.dataset.series);
      var xs = ys.map(function (_, i) { return i; });
      el.dataset.drawn = "1";
      new uPlot({
        width: 120, height: 28, legend: { show: false }, cursor: { show: false },
        scales: { x: { time: false } }, axes: [{ show: false }, { show: false }],
        series: [{}, { stroke: "#1f5fa8", width: 1.5, fill: "rgba(31,95,168,0.12)" }]
      }, [xs, ys], el);
    });
  }

  function timeline() {
    var el = document.getElementById("entity-chart");
    if (!el || typeof uPlot === "undefined" || el.dataset.drawn) return;
    var dates = el.dataset.dates.split(",").filter(Boolean);
    var xs = dates.map(function (d) { return Date.parse(d + "T00:00:00Z") / 1000; });
    el.dataset.drawn = "1";
    new uPlot({
      width: Math.min(760, el.clientWidth || 760), height: 200, legend: { show: false },
      series: [{}, { label: "Documents", stroke: "#1f5fa8", width: 2, fill: "rgba(31,95,168,0.12)" }]
    }, [xs, numbers(el.dataset.counts)], el);
  }

  function network() {
    var el = document.getElementById("network");
    if (!el || typeof cytoscape === "undefined" || el.dataset.drawn) return;
    var graph = JSON.parse(el.dataset.graph);
    var max = Math.max.apply(null, graph.nodes.map(function (n) { return n.data.docs; }).concat([1]));
    var maxScore = Math.max.apply(null, graph.edges.map(function (e) { return e.data.score; }).concat([1]));
    el.dataset.drawn = "1";
    var cy = cytoscape({
      container: el, elements: graph.nodes.concat(graph.edges),
      layout: { name: "cose", animate: false, randomize: false },
      style: [
        { selector: "node", style: {
          label: "data(label)", "font-size": 10, "text-valign": "bottom",
          width: function (n) { return 12 + 36 * Math.sqrt(n.data("docs") / max); },
          height: function (n) { return 12 + 36 * Math.sqrt(n.data("docs") / max); },
          "background-color": "#1f5fa8" } },
        { selector: "node[type = 'org']", style: { "background-color": "#8a4b08" } },
        { selector: "node[type = 'location']", style: { "background-color": "#2a7a2a" } },
        { selector: "node[type = 'countries']", style: { "background-color": "#6a3d9a" } },
        { selector: "edge", style: {
          width: function (e) { return 0.5 + 5 * e.data("score") / maxScore; },
          "line-color": "#999", opacity: 0.7 } }
      ]
    });
    cy.on("tap", "node", function (evt) { window.location.href = evt.target.data("href"); });
  }

  function draw() { sparklines(); timeline(); network(); }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
