// The survey builder on top of plain forms: the "from/to NPS answer" fields show only when "A range of
// NPS answers…" is chosen, the rule fields only for "Depending on another earlier answer…", and the end
// rule's values only once an end condition is chosen (without JavaScript all of them are there and the
// server ignores what does not apply). htmx swaps the question list after every change and reloads the
// preview frame itself (survey-changed event).
(function () {
  "use strict";

  function syncRanges(root) {
    (root || document).querySelectorAll("[data-show-when]").forEach(function (block) {
      var select = block.querySelector("select[name=show_when]");
      var range = block.querySelector("[data-nps-range]");
      var rule = block.querySelector("[data-rule-fields]");
      if (select && range) range.hidden = select.value !== "custom";
      if (select && rule) rule.hidden = select.value !== "rule";
    });
    (root || document).querySelectorAll("[data-end-rule]").forEach(function (block) {
      var select = block.querySelector("select[name=end_operator]");
      var fields = block.querySelector("[data-end-fields]");
      if (select && fields) fields.hidden = !select.value || select.value === "answered";
    });
  }

  document.documentElement.classList.add("js");
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name=show_when], select[name=end_operator]")) {
      syncRanges(event.target.closest(".question-fields"));
    }
  });
  document.addEventListener("DOMContentLoaded", function () { syncRanges(); });
  document.addEventListener("htmx:afterSettle", function () { syncRanges(); });
})();
