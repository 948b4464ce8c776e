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
  document.addEventListener("change", function (e) {
    var sel = e.target;
    if (sel && sel.matches && sel.matches("select[data-fill]") && sel.value) {
      var target = document.querySelector(sel.getAttribute("data-fill"));
      if (target) { target.value = sel.value; target.dispatchEvent(new Event("keyup", { bubbles: true })); }
    }
  });
})();
