// Survey page behaviours on top of a form that works without JavaScript: questions with a display
// condition appear in place when an answer on the same page asks for them (and "end the survey" rules
// hide what follows), the error summary takes focus, and a double tap on the
// submit button sends once (the server ignores a second send of the same form anyway).
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  // The rules come from the server (data-rules, written by logic.question_rules): the same ones it
  // applies when the page is sent, so what the script hides is what the server drops.
  function answerOf(form, field) {
    var inputs = form.querySelectorAll('[name="' + field + '"]');
    var values = [];
    inputs.forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) values.push(input.value);
      } else if (input.value.trim() !== "") {
        values.push(input.value.trim());
      }
    });
    return values;
  }

  function matches(rule, values) {
    if (!values.length) return false;
    if (rule.op === "answered") return true;
    if (rule.op === "score_between") {
      var score = parseInt(values[0], 10);
      return !isNaN(score) && score >= rule.min && score <= rule.max;
    }
    var chosen = values.indexOf(rule.choice) !== -1;
    if (rule.op === "choice_is") return chosen;
    if (rule.op === "choice_is_not") return !chosen;
    return false;
  }

  function updateFollowUps(form, animate) {
    var hiddenFields = {};
    var ended = false;
    form.querySelectorAll(".question").forEach(function (question) {
      var rules = question.dataset.rules ? JSON.parse(question.dataset.rules) : {};
      var show = !ended;
      if (show && rules.show) {
        // A question not asked keeps no answer, so what depends on it is not asked either.
        show = !hiddenFields[rules.show.field] && matches(rules.show, answerOf(form, rules.show.field));
      }
      var wasHidden = question.hidden;
      question.hidden = !show;
      question.classList.toggle("revealed", Boolean(show && wasHidden && animate));
      var own = question.querySelector("[name]");
      if (!show && own) hiddenFields[own.name] = true;
      if (show && rules.end && matches(rules.end, answerOf(form, rules.end.field))) ended = true;
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
    form.addEventListener("change", function () { updateFollowUps(form, true); });
    form.addEventListener("input", function (event) {
      if (event.target.matches("input[type=text], textarea")) updateFollowUps(form, true);
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
