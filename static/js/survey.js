// Survey page behaviours on top of a form that works without JavaScript: follow-up questions appear
// in place when the NPS answer asks for them, the error summary takes focus, and a double tap on the
// submit button sends once (the server ignores a second send of the same form anyway).
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  function npsValue(form) {
    var checked = form.querySelector("[data-nps] input[type=radio]:checked");
    return checked ? parseInt(checked.value, 10) : null;
  }

  function updateFollowUps(form, animate) {
    var nps = npsValue(form);
    form.querySelectorAll("[data-show-min]").forEach(function (question) {
      var min = parseInt(question.getAttribute("data-show-min"), 10);
      var max = parseInt(question.getAttribute("data-show-max"), 10);
      var show = nps !== null && nps >= min && nps <= max;
      var wasHidden = question.hidden;
      question.hidden = !show;
      question.classList.toggle("revealed", Boolean(show && wasHidden && animate));
    });
  }

  // Inside embed.js's overlay, Escape pressed in the survey closes the overlay (the host page cannot
  // see keys pressed in this frame). Only a message type is sent, never an answer.
  if (window.parent !== window) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") window.parent.postMessage({ type: "cxm-survey:close" }, "*");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-survey-form]");
    if (!form) return;
    updateFollowUps(form, false);
    form.addEventListener("change", function (event) {
      if (event.target.closest("[data-nps]")) updateFollowUps(form, true);
    });

    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();

    // Coming back to the page (back button, bfcache) must not leave the button stuck on "Sending…".
    window.addEventListener("pageshow", function () {
      var button = form.querySelector("button[type=submit]");
      delete form.dataset.sending;
      if (button && button.dataset.label) {
        button.removeAttribute("aria-disabled");
        button.textContent = button.dataset.label;
      }
    });

    form.addEventListener("submit", function (event) {
      var button = form.querySelector("button[type=submit]");
      if (form.dataset.sending) {
        event.preventDefault();
        return;
      }
      form.dataset.sending = "1";
      if (button) {
        button.dataset.label = button.textContent;
        button.setAttribute("aria-disabled", "true");
        if (button.dataset.sendingLabel) button.textContent = button.dataset.sendingLabel;
      }
    });
  });
})();
