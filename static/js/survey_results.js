// Survey results charts, drawn with Chart.js from the JSON the page carries (json_script): responses
// over time (#timeline-chart-data) and one chart per question ([data-question-chart]). The filters swap
// the results with htmx, so the charts are drawn again after every swap. Without JavaScript the page
// still shows every figure, and each distribution as a table.
(function () {
  "use strict";

  var INK = "#334155", MUTED = "#5b6678", GRID = "#eef2f7";
  var NPS_COLOURS = { detractor: "#ef4444", passive: "#94a3b8", promoter: "#22c55e" };

  function brand() {
    var value = window.getComputedStyle(document.body).getPropertyValue("--brand").trim();
    return value || "#2563eb";
  }

  function read(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function fresh(canvas) {
    var previous = window.Chart.getChart(canvas);
    if (previous) previous.destroy();
  }

  function drawTimeline() {
    var canvas = document.getElementById("timeline-chart");
    var data = read("timeline-chart-data");
    if (!canvas || !data) return;
    fresh(canvas);
    new window.Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: data.responses_label, data: data.responses, yAxisID: "y", order: 2,
            backgroundColor: brand() + "55", hoverBackgroundColor: brand() + "99", borderRadius: 3, maxBarThickness: 28 },
          { type: "line", label: data.nps_label, data: data.nps, yAxisID: "nps", order: 1, spanGaps: true,
            borderColor: INK, backgroundColor: INK, borderWidth: 2, tension: 0.3, pointRadius: data.labels.length > 40 ? 0 : 3 }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, interaction: { mode: "index", intersect: false },
        animation: reduced() ? false : { duration: 300 },
        scales: {
          y: { beginAtZero: true, position: "left", ticks: { color: MUTED, precision: 0 }, grid: { color: GRID }, border: { display: false } },
          nps: { min: -100, max: 100, position: "right", ticks: { color: MUTED, stepSize: 50 }, grid: { display: false }, border: { display: false } },
          x: { ticks: { color: MUTED, maxRotation: 0, autoSkip: true, maxTicksLimit: 12 }, grid: { display: false } }
        },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12, color: INK } } }
      }
    });
  }

  function barColours(data) {
    if (data.kind !== "nps") return brand();
    return data.labels.map(function (label) {
      var score = parseInt(label, 10);
      return score >= 9 ? NPS_COLOURS.promoter : score >= 7 ? NPS_COLOURS.passive : NPS_COLOURS.detractor;
    });
  }

  function drawQuestion(canvas) {
    var data = read(canvas.getAttribute("data-question-chart"));
    if (!data) return;
    fresh(canvas);
    if (data.horizontal) canvas.parentNode.style.height = Math.max(140, data.labels.length * 34 + 30) + "px";
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ data: data.counts, backgroundColor: barColours(data), borderRadius: 4, maxBarThickness: 36 }] },
      options: {
        indexAxis: data.horizontal ? "y" : "x",
        responsive: true, maintainAspectRatio: false,
        animation: reduced() ? false : { duration: 300 },
        scales: {
          x: { beginAtZero: true, ticks: { color: data.horizontal ? MUTED : INK, precision: 0 }, grid: { display: !!data.horizontal, color: GRID }, border: { display: false } },
          y: { beginAtZero: true, ticks: { color: data.horizontal ? INK : MUTED, precision: 0 }, grid: { display: !data.horizontal, color: GRID }, border: { display: false } }
        },
        plugins: { legend: { display: false } }
      }
    });
  }

  function reduced() {
    return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function draw() {
    if (typeof window.Chart === "undefined") return;
    window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    drawTimeline();
    document.querySelectorAll("canvas[data-question-chart]").forEach(drawQuestion);
  }

  function drawIfNew() {
    var canvas = document.getElementById("timeline-chart");
    if (canvas && typeof window.Chart !== "undefined" && !window.Chart.getChart(canvas)) draw();
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", drawIfNew);
  document.addEventListener("htmx:historyRestore", drawIfNew);
})();
