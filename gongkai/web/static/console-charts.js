// The supervisor console's charts, drawn with the ECharts shipped in static/vendor (no CDN).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element || !window.echarts) { return; }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(Object.assign({ tooltip: { trigger: "axis" }, legend: { top: 24 }, grid: { top: 72, left: 48, right: 16, bottom: 64 } }, option));
    window.addEventListener("resize", function () { chart.resize(); });
  }
  // Series come as [name, values] pairs, in the order of the report's table.
  function stacked(series) {
    return series.map(function (pair) { return { name: pair[0], type: "bar", stack: "all", data: pair[1] }; });
  }
  var organs = { type: "category", data: data.organs, axisLabel: { interval: 0, rotate: 20 } };
  draw("chart-kind", { title: { text: "新收申请：按申请人类别" }, xAxis: organs, yAxis: { type: "value" }, series: stacked(data.byKind) });
  draw("chart-outcome", { title: { text: "办理结果" }, xAxis: organs, yAxis: { type: "value" }, series: stacked(data.byOutcome) });
  draw("chart-trend", {
    title: { text: "历年新收申请" },
    xAxis: { type: "category", data: data.years },
    yAxis: { type: "value" },
    series: data.trend.map(function (pair) { return { name: pair[0], type: "line", showSymbol: true, symbolSize: 8, data: pair[1] }; })
  });
  draw("chart-corrected", {
    // an organ with no decided case has no share (null), which is not a share of 0
    title: {
      text: "复议诉讼被纠正的比例（%）",
      subtext: data.corrected.every(function (v) { return v === null; }) ? "所列报告中没有已审结的行政复议、行政诉讼" : ""
    },
    xAxis: organs,
    yAxis: { type: "value", max: 100 },
    series: [{ name: "纠正比例", type: "bar", data: data.corrected }],
    legend: { show: false }
  });
}());
