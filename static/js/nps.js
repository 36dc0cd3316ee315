// The NPS trend: the score per week or month with its 95% confidence band (the area between the lower and
// the upper bound), drawn with Chart.js from the JSON the report carries (#nps-trend-data). htmx swaps the
// report after every filter change, so the chart is redrawn after every swap. Without Chart.js or
// JavaScript the same numbers are in the table under the chart.
(function () {
  "use strict";

  function signed(value) {
    var number = Math.round(value);
    return number > 0 ? "+" + number : number < 0 ? "\u2212" + (-number) : "0";
  }

  // The workspace's brand colour (#RRGGBB, validated when saved), for the line; its tint fills the band.
  function brand() {
    var value = window.getComputedStyle(document.body).getPropertyValue("--brand").trim();
    return /^#[0-9a-f]{6}$/i.test(value) ? value : "#2563eb";
  }

  function tint(hex, alpha) {
    var number = parseInt(hex.slice(1), 16);
    return "rgba(" + (number >> 16) + ", " + ((number >> 8) & 255) + ", " + (number & 255) + ", " + alpha + ")";
  }

  function draw() {
    var canvas = document.getElementById("nps-trend-chart");
    var source = document.getElementById("nps-trend-data");
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var previous = window.Chart.getChart(canvas);
    if (previous) previous.destroy();
    var colour = brand();
    var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;

    // The axis fits the band, in steps of 10, within the scale's −100…+100: a flat −100…+100 axis would
    // squash the movements that matter.
    var values = data.lower.concat(data.upper).filter(function (value) { return value !== null; });
    var low = values.length ? Math.max(-100, Math.floor((Math.min.apply(null, values) - 5) / 10) * 10) : -100;
    var high = values.length ? Math.min(100, Math.ceil((Math.max.apply(null, values) + 5) / 10) * 10) : 100;
    var bandStyle = { borderWidth: 0, pointRadius: 0, pointHoverRadius: 0, tension: 0.3, spanGaps: false };
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          Object.assign({ label: data.strings.band, data: data.upper, fill: false }, bandStyle),
          // Filled down to the dataset before it: the band between the upper and the lower bound.
          Object.assign({ label: data.strings.band, data: data.lower, fill: "-1",
                          backgroundColor: tint(colour, 0.14) }, bandStyle),
          {
            label: data.strings.nps,
            data: data.nps,
            borderColor: colour,
            backgroundColor: colour,
            borderWidth: 2.5,
            tension: 0.3,
            pointRadius: 3.5,
            pointHoverRadius: 6,
            pointBorderColor: "#fff",
            pointBorderWidth: 1.5,
            spanGaps: true,
            segment: {
              // A stretch across a period without answers is dashed: there is no score there.
              borderDash: function (context) { return context.p0.skip || context.p1.skip ? [4, 4] : undefined; }
            },
            fill: false
          }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        interaction: { mode: "index", intersect: false },
        layout: { padding: { top: 6, right: 8 } },
        scales: {
          y: {
            min: low, max: high,
            ticks: { maxTicksLimit: 6, callback: function (value) { return signed(value); }, color: "#5b6678" },
            grid: {
              color: function (context) { return context.tick.value === 0 ? "#94a3b8" : "#eef2f7"; }
            },
            border: { display: false }
          },
          x: { grid: { display: false }, ticks: { color: "#5b6678", maxRotation: 0, autoSkipPadding: 12 } }
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            filter: function (item) { return item.datasetIndex === 2 && item.parsed.y !== null; },
            callbacks: {
              label: function (context) {
                var index = context.dataIndex;
                var range = data.strings.range.replace("%(lower)s", signed(data.lower[index]))
                  .replace("%(upper)s", signed(data.upper[index]));
                return data.strings.nps + " " + signed(context.parsed.y) + " (" + range + ")";
              },
              afterLabel: function (context) {
                return data.strings.sample.replace("%(n)s", data.n[context.dataIndex]);
              }
            }
          }
        }
      }
    });
  }

  // A swapped-in report, or a page restored from htmx's history cache, brings a fresh canvas with no chart.
  function drawIfNew() {
    var canvas = document.getElementById("nps-trend-chart");
    if (canvas && typeof window.Chart !== "undefined" && !window.Chart.getChart(canvas)) draw();
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", drawIfNew);
  document.addEventListener("htmx:historyRestore", drawIfNew);
})();

// Copy buttons (the API key shown once): data-copy names the element whose text is copied. Without the
// clipboard API the text is selected instead, ready for Ctrl+C.
(function () {
  "use strict";

  function select(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var label = button.textContent;
    function done() {
      button.textContent = button.getAttribute("data-copied") || label;
      window.setTimeout(function () { button.textContent = label; }, 2000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent.trim()).then(done, function () { select(source); });
    } else {
      select(source);
    }
  });
})();
