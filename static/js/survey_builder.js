// The survey builder on top of plain forms: the "from/to NPS answer" fields show only when "A range of
// NPS answers…" is chosen (without JavaScript they are always there and ignored otherwise). htmx swaps
// the question list after every change and reloads the preview frame itself (survey-changed event).
(function () {
  "use strict";

  function syncRanges(root) {
    (root || document).querySelectorAll("[data-show-when]").forEach(function (block) {
      var select = block.querySelector("select[name=show_when]");
      var range = block.querySelector("[data-nps-range]");
      if (select && range) range.hidden = select.value !== "custom";
    });
  }

  document.documentElement.classList.add("js");
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name=show_when]")) syncRanges(event.target.closest("[data-show-when]").parentNode);
  });
  document.addEventListener("DOMContentLoaded", function () { syncRanges(); });
  document.addEventListener("htmx:afterSettle", function () { syncRanges(); });
})();
