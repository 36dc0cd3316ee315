/* cxm survey embed: opens a survey in an overlay over the brand's own page.

   <script src="https://cxm.example/static/js/embed.js" data-survey="https://cxm.example/s/TOKEN/"
           data-label="Give feedback" data-color="#2563EB" async></script>

   Adds a floating button; the survey opens in a dialog with a close button. Escape or the close
   button closes it and focus returns to the button. data-open="auto" opens it once on load.
   window.cxmSurvey.open() / .close() drive it from the page's own code. No cookies, no globals
   besides window.cxmSurvey, styles inline so the host page's CSS is left alone. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.getAttribute("data-survey")) return;
  var url = script.getAttribute("data-survey");
  var label = script.getAttribute("data-label") || "Feedback";
  var closeLabel = script.getAttribute("data-close-label") || "Close";
  var color = /^#[0-9a-fA-F]{6}$/.test(script.getAttribute("data-color") || "") ? script.getAttribute("data-color") : "#2563eb";
  var overlay = null, previousFocus = null, button = null;

  function css(element, styles) {
    for (var key in styles) element.style[key] = styles[key];
    return element;
  }

  function focusables() {
    return overlay ? Array.prototype.slice.call(overlay.querySelectorAll("button, iframe")) : [];
  }

  function onKeydown(event) {
    if (!overlay) return;
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "Tab") {
      // Keep focus inside the dialog: the close button and the survey frame.
      var items = focusables(), first = items[0], last = items[items.length - 1];
      if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    }
  }

  // Focus that leaves the survey frame (Tab past its last field) lands on the host page: bring it back.
  function onFocusin(event) {
    if (overlay && !overlay.contains(event.target)) overlay.querySelector("button").focus();
  }

  // Keys pressed inside the frame never reach this page; the survey page posts Escape to us instead.
  function onMessage(event) {
    var frame = overlay && overlay.querySelector("iframe");
    if (frame && event.source === frame.contentWindow && event.data && event.data.type === "cxm-survey:close") close();
  }

  function open() {
    if (overlay) return;
    previousFocus = document.activeElement;
    overlay = css(document.createElement("div"), {
      position: "fixed", inset: "0", zIndex: "2147483000", background: "rgba(15, 23, 42, .55)",
      display: "flex", alignItems: "center", justifyContent: "center", padding: "12px"
    });
    overlay.setAttribute("data-cxm-survey-overlay", "");
    var dialog = css(document.createElement("div"), {
      position: "relative", width: "100%", maxWidth: "560px", height: "min(760px, calc(100% - 8px))",
      background: "#fff", borderRadius: "18px", overflow: "hidden", boxShadow: "0 24px 60px rgba(15, 23, 42, .35)"
    });
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-label", label);
    var closeButton = css(document.createElement("button"), {
      position: "absolute", top: "10px", right: "10px", width: "40px", height: "40px", border: "0",
      borderRadius: "50%", background: "rgba(15, 23, 42, .08)", color: "#0f172a", font: "600 22px/1 sans-serif",
      cursor: "pointer", zIndex: "1"
    });
    closeButton.type = "button";
    closeButton.textContent = "\u00d7";
    closeButton.setAttribute("aria-label", closeLabel);
    closeButton.addEventListener("click", close);
    var frame = css(document.createElement("iframe"), { width: "100%", height: "100%", border: "0", display: "block" });
    frame.src = url;
    frame.title = label;
    dialog.appendChild(closeButton);
    dialog.appendChild(frame);
    overlay.appendChild(dialog);
    overlay.addEventListener("click", function (event) { if (event.target === overlay) close(); });
    document.body.appendChild(overlay);
    document.addEventListener("keydown", onKeydown, true);
    document.addEventListener("focusin", onFocusin, true);
    window.addEventListener("message", onMessage);
    frame.addEventListener("load", function () { frame.focus(); });
    closeButton.focus();
  }

  function close() {
    if (!overlay) return;
    document.removeEventListener("keydown", onKeydown, true);
    document.removeEventListener("focusin", onFocusin, true);
    window.removeEventListener("message", onMessage);
    overlay.parentNode.removeChild(overlay);
    overlay = null;
    if (previousFocus && previousFocus.focus) previousFocus.focus();
  }

  function addButton() {
    button = css(document.createElement("button"), {
      position: "fixed", right: "16px", bottom: "16px", zIndex: "2147482999", padding: "12px 18px",
      border: "0", borderRadius: "999px", background: color, color: "#fff", font: "600 15px/1.2 sans-serif",
      boxShadow: "0 8px 24px rgba(15, 23, 42, .25)", cursor: "pointer"
    });
    button.type = "button";
    button.textContent = label;
    button.setAttribute("data-cxm-survey-button", "");
    button.addEventListener("click", open);
    document.body.appendChild(button);
    if (script.getAttribute("data-open") === "auto") open();
  }

  window.cxmSurvey = { open: open, close: close };
  if (document.body) addButton();
  else document.addEventListener("DOMContentLoaded", addButton);
})();
