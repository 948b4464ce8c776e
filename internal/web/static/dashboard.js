// Dashboard charts (Apache ECharts, vendored). Data comes from the page's
// JSON block; labels are already in the page language.
(function () {
  "use strict";
  var el = document.getElementById("dash-data");
  if (!el || !window.echarts) return;
  var d = JSON.parse(el.textContent);
  var L = d.labels || {};
  function chart(id, option) {
    var node = document.getElementById(id);
    if (!node) return;
    var c = echarts.init(node, null, { renderer: "svg" });
    option.animation = false;
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  function stacked(id, series, prefix, weeks) {
    var keys = Object.keys(series || {}).sort();
    chart(id, {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 56 },
      xAxis: { type: "category", data: weeks || d.weeks },
      yAxis: { type: "value", minInterval: 1 },
      series: keys.map(function (k) {
        return { name: L[prefix + k] || k, type: "bar", stack: "all", data: series[k] };
      })
    });
  }
  stacked("chart-reason", d.by_reason, "reason.");
  stacked("chart-outcome", d.by_outcome, "outcome.");
  chart("chart-sla", {
    tooltip: { trigger: "item" },
    legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["40%", "70%"], data: [
      { name: L["dash.on_time"], value: d.sla.on_time },
      { name: L["dash.late"], value: d.sla.late },
      { name: L["dash.breached_open"], value: d.sla.breached_open }
    ] }]
  });
  chart("chart-median", {
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 16, top: 16, bottom: 32 },
    xAxis: { type: "category", data: d.weeks },
    yAxis: { type: "value", name: "h" },
    series: [{ name: L["dash.median_hours"], type: "line", connectNulls: true, data: d.median_week }]
  });
  stacked("chart-ctype", d.complaints_by_type, "ctype.", d.complaint_weeks);
  stacked("chart-coutcome", d.complaints_by_outcome, "", d.complaint_weeks);
  var pk = Object.keys(d.points || {}).sort();
  chart("chart-points", {
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 40, right: 16, top: 16, bottom: 56 },
    xAxis: { type: "category", data: d.point_bands, name: L["dash.points"] },
    yAxis: { type: "value", minInterval: 1, name: L["dash.parties"] },
    series: pk.map(function (k) {
      return { name: L["points." + k] || k, type: "bar", data: d.points[k] };
    })
  });
  document.body.setAttribute("data-charts", "ready");
})();
