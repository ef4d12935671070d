/* Draws each report chart from its JSON data block (json_script), opens the number tables for
   printing, and wires the Print buttons. No inline script: the page only carries data. */
(function () {
  "use strict";

  var PALETTE = ["#4f2ee8", "#f59e0b", "#0891b2", "#16a34a", "#dc2626", "#64748b"];
  var charts = [];

  function color(index, alpha) {
    var hex = PALETTE[index % PALETTE.length];
    if (alpha === undefined) { return hex; }
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function config(spec) {
    var horizontal = spec.type === "hbar";
    var line = spec.type === "line";
    var datasets = spec.datasets.map(function (dataset, index) {
      return {
        label: dataset.label,
        data: dataset.data,
        stack: dataset.stack || undefined,
        borderColor: color(index),
        backgroundColor: line ? color(index, 0.15) : color(index, 0.85),
        borderDash: dataset.dashed ? [6, 4] : undefined,
        borderWidth: line ? 2 : 0,
        pointRadius: line ? 3 : undefined,
        spanGaps: true,
        tension: 0.2
      };
    });
    var valueAxis = {
      beginAtZero: true,
      stacked: spec.stacked,
      title: { display: Boolean(spec.unit || spec.percent), text: spec.percent ? "%" : spec.unit }
    };
    if (spec.percent) { valueAxis.max = 100; }
    var categoryAxis = { stacked: spec.stacked, ticks: { autoSkip: true, maxRotation: 0 } };
    return {
      type: line ? "line" : "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
        scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis }
      }
    };
  }

  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      charts.push(new window.Chart(canvas, config(spec)));
    });
  }

  function openTablesForPrint() {
    document.querySelectorAll("details.hc-numbers").forEach(function (details) {
      if (!details.open) { details.open = true; details.dataset.openedForPrint = "1"; }
    });
    charts.forEach(function (chart) { chart.resize(); });
  }

  function closeTablesAfterPrint() {
    document.querySelectorAll("details[data-opened-for-print]").forEach(function (details) {
      details.open = false;
      delete details.dataset.openedForPrint;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw();
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
  window.addEventListener("beforeprint", openTablesForPrint);
  window.addEventListener("afterprint", closeTablesAfterPrint);
})();
