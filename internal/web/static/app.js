// weiquan pages: live countdowns, the CSRF header for htmx requests, and
// reason templates. No build step; served from the binary.
(function () {
  "use strict";
  var body = document.body;
  // The server's clock at render time (it may be a simulated clock): count
  // down from it, advancing with the browser's clock.
  var serverNow = Date.parse(body.getAttribute("data-now")) || Date.now();
  var loaded = Date.now();
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function fmt(ms) {
    if (ms < 0) ms = 0;
    var s = Math.floor(ms / 1000), d = Math.floor(s / 86400);
    s -= d * 86400;
    var h = Math.floor(s / 3600); s -= h * 3600;
    var m = Math.floor(s / 60); s -= m * 60;
    return (d > 0 ? d + "d " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
  }
  function tick() {
    var now = serverNow + (Date.now() - loaded);
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var left = Date.parse(el.getAttribute("data-due")) - now;
      el.textContent = fmt(left);
      var box = el.closest(".deadline");
      if (box) box.classList.toggle("overdue", left <= 0);
    });
  }
  tick();
  setInterval(tick, 1000);
  document.addEventListener("htmx:configRequest", function (e) {
    var t = body.getAttribute("data-csrf");
    if (t) e.detail.headers["X-CSRF-Token"] = t;
  });
  // A refused form is answered with its page: show the page's own URL, so
  // that a reload or the next form names the page (formstate.go).
  var page = body.getAttribute("data-page");
  if (page && window.history && history.replaceState) history.replaceState(null, "", page);
  var err = document.getElementById("form-error");
  if (err) {
    var bad = document.querySelector("[aria-invalid=true]");
    if (bad) bad.focus(); else err.focus();
  }
  // A button that settles something asks first (data-confirm).
  document.addEventListener("submit", function (e) {
    var b = e.submitter || (e.target && e.target.querySelector("[data-confirm]"));
    var q = b && b.getAttribute && b.getAttribute("data-confirm");
    if (q && !window.confirm(q)) e.preventDefault();
  });
  // The complaint form shows the evidence the chosen type asks for.
  function showAsks(sel) {
    var box = document.querySelector(sel.getAttribute("data-asks"));
    if (!box) return;
    box.querySelectorAll("[data-type]").forEach(function (el) { el.hidden = el.getAttribute("data-type") !== sel.value; });
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.matches && e.target.matches("select[data-asks]")) showAsks(e.target);
  });
  document.addEventListener("change", function (e) {
    var sel = e.target;
    if (sel && sel.matches && sel.matches("select[data-fill]") && sel.value) {
      var target = document.querySelector(sel.getAttribute("data-fill"));
      if (target) { target.value = sel.value; target.dispatchEvent(new Event("keyup", { bubbles: true })); }
    }
  });
})();
