// The journey map's emotion curve: the NPS of each stage, in journey order, drawn with Chart.js from the
// JSON the page carries (#emotion-curve-data). The map is redrawn by htmx after every edit and period
// change, so the curve is redrawn after every swap too. Without Chart.js or JavaScript the page still
// shows every number on the cards and in a table for screen readers.
(function () {
  "use strict";

  // The same scale as the cards: hue 0 (red) at NPS −100 to 130 (green) at +100.
  function hue(nps) {
    return Math.round((Math.max(-100, Math.min(100, nps)) + 100) * 130 / 200);
  }

  function colour(nps, lightness) {
    return nps === null || nps === undefined ? "#94a3b8" : "hsl(" + hue(nps) + " 70% " + (lightness || 42) + "%)";
  }

  function signed(value) {
    var number = Math.round(value);
    return number > 0 ? "+" + number : number < 0 ? "\u2212" + (-number) : "0";
  }

  function draw() {
    var canvas = document.getElementById("emotion-curve");
    var source = document.getElementById("emotion-curve-data");
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var previous = window.Chart.getChart(canvas);
    if (previous) previous.destroy();
    var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;

    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [{
          label: data.label,
          data: data.nps,
          tension: 0.35,
          borderWidth: 3,
          pointRadius: 6,
          pointHoverRadius: 8,
          pointBorderColor: "#fff",
          pointBorderWidth: 2,
          pointBackgroundColor: data.nps.map(function (value) { return colour(value); }),
          spanGaps: true,
          segment: {
            // Each stretch takes the colour of its average: the line turns red where the experience dips.
            borderColor: function (context) {
              return colour((context.p0.parsed.y + context.p1.parsed.y) / 2);
            },
            borderDash: function (context) { return context.p0.skip || context.p1.skip ? [4, 4] : undefined; }
          },
          fill: false
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 400 },
        layout: { padding: { top: 8, right: 12 } },
        scales: {
          y: {
            min: -100, max: 100,
            ticks: { stepSize: 50, callback: function (value) { return signed(value); }, color: "#5b6678" },
            grid: {
              color: function (context) { return context.tick.value === 0 ? "#94a3b8" : "#eef2f7"; },
              lineWidth: function (context) { return context.tick.value === 0 ? 1.5 : 1; }
            },
            border: { display: false }
          },
          x: { grid: { display: false }, ticks: { color: "#334155", font: { weight: 600 } } }
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (context) {
                if (context.parsed.y === null) return "";
                return data.label + " " + signed(context.parsed.y) + " \u00b7 " +
                  data.sample.replace("%(n)s", data.n[context.dataIndex]);
              }
            }
          }
        }
      }
    });
  }

  // A swapped-in map, or a page restored from htmx's history cache, brings a fresh canvas with no chart.
  function drawIfNew() {
    var canvas = document.getElementById("emotion-curve");
    if (canvas && typeof window.Chart !== "undefined" && !window.Chart.getChart(canvas)) draw();
  }

  // Redrawing the map must not fold the archived list someone just opened to restore from it.
  var archivedOpen = false;
  document.addEventListener("htmx:beforeSwap", function () {
    var archived = document.querySelector("#journey-map details.archived");
    archivedOpen = Boolean(archived && archived.open);
  });
  document.addEventListener("htmx:afterSettle", function () {
    var archived = document.querySelector("#journey-map details.archived");
    if (archived && archivedOpen) archived.open = true;
  });

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", drawIfNew);
  document.addEventListener("htmx:historyRestore", drawIfNew);
})();
