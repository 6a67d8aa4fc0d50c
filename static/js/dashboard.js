/* Draws the dashboard's charts with the vendored Apache ECharts (static/vendor/echarts).
   The data is the JSON the page embeds with json_script (id "dashboard-charts"); every
   container <div class="chart" data-chart="KEY"> gets the chart of charts[KEY]. */
(function () {
  "use strict";

  function numbers(values) {
    return values.map(function (value) { return Number(value); });
  }

  function option(spec, container) {
    var stacked = container.dataset.stack === "1";
    var rotate = container.dataset.rotate === "1";
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: rotate ? 90 : 40, containLabel: true },
      xAxis: {
        type: "category",
        data: spec.categories,
        axisLabel: { interval: 0, rotate: rotate ? 60 : 0 }
      },
      yAxis: { type: "value" },
      series: spec.series.map(function (series) {
        return {
          name: series.name,
          type: series.type || "bar",
          stack: stacked ? "total" : undefined,
          data: numbers(series.data),
          label: { show: !rotate && !stacked && spec.categories.length <= 12, position: "top" }
        };
      })
    };
  }

  function draw() {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof echarts === "undefined") { return; }
    var charts = JSON.parse(source.textContent);
    var drawn = [];
    document.querySelectorAll(".chart[data-chart]").forEach(function (container) {
      var spec = charts[container.dataset.chart];
      if (!spec) { return; }
      var chart = echarts.init(container, null, { renderer: "canvas" });
      chart.setOption(option(spec, container));
      drawn.push(chart);
    });
    window.addEventListener("resize", function () {
      drawn.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
