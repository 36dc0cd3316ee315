// Feedback pages: the weekly theme chart (Chart.js, from the JSON the page carries in #theme-trend-data) and
// the count of selected rows for bulk tagging. Both pages work without JavaScript: the themes are also a
// list, and the tagging form posts as a plain form.
(function () {
  "use strict";

  var COLOURS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"];

  function drawTrend() {
    var canvas = document.getElementById("theme-trend");
    var source = document.getElementById("theme-trend-data");
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var previous = window.Chart.getChart(canvas);
    if (previous) previous.destroy();
    window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (series, index) {
          var colour = COLOURS[index % COLOURS.length];
          return {label: series.label, data: series.data, borderColor: colour, backgroundColor: colour,
                  tension: 0.3, pointRadius: 2, borderWidth: 2};
        })
      },
      options: {
        maintainAspectRatio: false,
        animation: reduceMotion ? false : {duration: 300},
        interaction: {mode: "index", intersect: false},
        plugins: {legend: {position: "bottom", labels: {boxWidth: 10, boxHeight: 10}}},
        scales: {
          y: {beginAtZero: true, ticks: {precision: 0}, grid: {color: "#eef2f7"}},
          x: {grid: {display: false}}
        }
      }
    });
  }

  function updateSelection(form) {
    var counter = form.querySelector("[data-selected-count]");
    if (!counter) return;
    var count = form.querySelectorAll("input[name='items']:checked").length;
    counter.hidden = count === 0;
    counter.textContent = count ? count + " " + counter.getAttribute("data-label") : "";
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest("[data-bulk-form]");
    if (form) updateSelection(form);
  });

  // Deferred scripts run once the document is parsed, after Chart.js (also deferred, earlier in the page).
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawTrend);
  else drawTrend();
})();
