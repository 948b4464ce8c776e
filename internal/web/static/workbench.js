// The workbench's keyboard shortcuts and bulk selection (no build step):
// j / k move between cases, x checks the current one, c claims it, o or
// Enter opens it, / goes to the search box, ? shows the help, Esc closes
// it. Keys typed into a form field are left alone.
(function () {
  "use strict";
  var table = document.getElementById("wb-table");
  var help = document.getElementById("wb-help");
  var search = document.getElementById("wb-q");
  var all = document.getElementById("wb-all");
  var counter = document.querySelector("#wb-selected strong");
  var rows = table ? Array.prototype.slice.call(table.querySelectorAll("tr.wb-row")) : [];
  var cur = -1;

  function move(i) {
    if (!rows.length) return;
    i = Math.max(0, Math.min(rows.length - 1, i));
    if (cur >= 0 && rows[cur]) rows[cur].classList.remove("current");
    cur = i;
    var r = rows[cur];
    r.classList.add("current");
    var link = r.querySelector("a.wb-open");
    if (link) link.focus({ preventScroll: true });
    r.scrollIntoView({ block: "nearest" });
  }
  function count() {
    if (!counter) return;
    counter.textContent = String(document.querySelectorAll("input.wb-check:checked").length);
  }
  function openHelp() {
    if (!help) return;
    if (typeof help.showModal === "function") { if (!help.open) help.showModal(); } else help.setAttribute("open", "");
  }
  function closeHelp() {
    if (!help) return;
    if (typeof help.close === "function") help.close(); else help.removeAttribute("open");
  }
  function typing(el) {
    if (!el) return false;
    var t = el.tagName;
    return t === "INPUT" || t === "SELECT" || t === "TEXTAREA" || el.isContentEditable;
  }

  if (all) all.addEventListener("change", function () {
    document.querySelectorAll("input.wb-check").forEach(function (c) { c.checked = all.checked; });
    count();
  });
  document.addEventListener("change", function (e) {
    if (e.target && e.target.classList && e.target.classList.contains("wb-check")) count();
  });
  rows.forEach(function (r, i) {
    r.addEventListener("click", function () { if (cur !== i) { if (cur >= 0 && rows[cur]) rows[cur].classList.remove("current"); cur = i; r.classList.add("current"); } });
  });
  // The search sends only the fields filled in (short, shareable URLs).
  var form = document.getElementById("wb-search");
  if (form) form.addEventListener("submit", function () {
    form.querySelectorAll("input[name], select[name]").forEach(function (el) {
      if (el.value === "" || (el.name === "in" && el.value === "all") || (el.name === "sort" && el.value === "priority")) el.disabled = true;
    });
  });
  var opener = document.getElementById("wb-help-open");
  if (opener) opener.addEventListener("click", openHelp);
  count();

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape") {
      if (help && help.open) { closeHelp(); e.preventDefault(); return; }
      if (document.activeElement === search) { search.blur(); return; }
    }
    if (typing(e.target) || (help && help.open)) return;
    var r = rows[cur];
    switch (e.key) {
      case "j": move(cur + 1); break;
      case "k": move(cur < 0 ? 0 : cur - 1); break;
      case "/": if (search) { search.focus(); search.select(); } break;
      case "?": openHelp(); break;
      case "x":
        if (r) { var box = r.querySelector("input.wb-check"); if (box) { box.checked = !box.checked; count(); } }
        break;
      case "c":
        if (r) { var claim = r.querySelector("button.wb-claim"); if (claim) claim.click(); }
        break;
      case "o":
        if (r) { var link = r.querySelector("a.wb-open"); if (link) link.click(); }
        break;
      default: return;
    }
    e.preventDefault();
  });
})();
