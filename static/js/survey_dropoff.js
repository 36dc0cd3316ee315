// The drop-off funnel: a horizontal bar per question with the number of customers who reached it,
// drawn with Chart.js from the page's JSON (json_script). The table under it carries the same figures
// without JavaScript.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var canvas = document.getElementById("funnel-chart");
    var source = document.getElementById("funnel-chart-data");
    if (!canvas || !source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    var colour = window.getComputedStyle(document.body).getPropertyValue("--brand").trim() || "#2563eb";
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.counts, backgroundColor: colour + "99",
                                                 hoverBackgroundColor: colour, borderRadius: 4, maxBarThickness: 28 }] },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: reduced ? false : { duration: 300 },
        scales: { x: { beginAtZero: true, ticks: { precision: 0, color: "#5b6678" }, grid: { color: "#eef2f7" } },
                  y: { ticks: { color: "#334155" }, grid: { display: false } } },
        plugins: { legend: { display: false } }
      }
    });
  });
})();
