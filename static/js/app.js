// Small behaviours on top of pages that already work without JavaScript.
(function () {
  "use strict";

  function setDrawer(toggle, open) {
    document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  // On small screens the sidebar is a drawer over a dimmed page: a click on the dimmed part closes it
  // instead of following whatever link lies underneath.
  document.addEventListener("click", function (event) {
    var toggle = document.querySelector("[data-nav-toggle][aria-expanded='true']");
    if (!toggle || toggle.offsetParent === null || event.target.closest("[data-nav-toggle]")) return;
    if (!document.getElementById(toggle.getAttribute("aria-controls")).contains(event.target)) {
      event.preventDefault();
      event.stopPropagation();
      setDrawer(toggle, false);
    }
  }, true);

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (toggle) {
      setDrawer(toggle, toggle.getAttribute("aria-expanded") !== "true");
      return;
    }
    // Close open menus when clicking elsewhere.
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var toggle = document.querySelector("[data-nav-toggle][aria-expanded='true']");
    if (toggle && !document.querySelector("details.menu[open]")) {
      setDrawer(toggle, false);
      toggle.focus();
      return;
    }
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });

  // Forms marked data-confirm ask before a destructive action.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
