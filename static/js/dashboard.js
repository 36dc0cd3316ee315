// Dashboard charts, drawn from the JSON the server put in the body; redrawn after each htmx swap.
(function () {
  "use strict";
  var charts = [];

  function css(name) {
    return getComputedStyle(document.body).getPropertyValue(name).trim() || "#2563eb";
  }

  function draw() {
    var source = document.getElementById("dashboard-chart-data");
    if (!source || !window.Chart) return;
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
    var data = JSON.parse(source.textContent);
    var brand = css("--brand");
    var trend = document.getElementById("nps-trend");
    if (trend) {
      charts.push(new Chart(trend, {
        type: "line",
        data: {
          labels: data.labels,
          datasets: [
            { label: "upper", data: data.upper, borderWidth: 0, pointRadius: 0, fill: "+1",
              backgroundColor: "rgba(37, 99, 235, 0.12)" },
            { label: "lower", data: data.lower, borderWidth: 0, pointRadius: 0, fill: false },
            { label: "NPS", data: data.nps, borderColor: brand, backgroundColor: brand, tension: 0.3,
              spanGaps: true, pointRadius: 2 }
          ]
        },
        options: {
          maintainAspectRatio: false, animation: false,
          plugins: { legend: { display: false } },
          scales: { y: { suggestedMin: -100, suggestedMax: 100 } }
        }
      }));
    }
    var groups = document.getElementById("nps-groups");
    if (groups) {
      charts.push(new Chart(groups, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: groups.dataset.promoters || "Promoters", data: data.promoters, backgroundColor: "#16a34a" },
            { label: groups.dataset.passives || "Passives", data: data.passives, backgroundColor: "#cbd5e1" },
            { label: groups.dataset.detractors || "Detractors", data: data.detractors, backgroundColor: "#dc2626" }
          ]
        },
        options: {
          maintainAspectRatio: false, animation: false,
          plugins: { legend: { position: "bottom" } },
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } }
        }
      }));
    }
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "dashboard-body") draw();
  });

  // The custom dates only matter for a custom period.
  function toggleCustom() {
    var period = document.getElementById("id_period");
    var custom = document.querySelector(".dash-custom");
    if (period && custom) custom.hidden = period.value !== "custom";
  }
  document.addEventListener("DOMContentLoaded", toggleCustom);
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "id_period") toggleCustom();
  });
})();
