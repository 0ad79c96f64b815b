// Dashboard charts: every element with data-chart="<id>" is drawn by ECharts from the JSON option
// in the <script type="application/json" id="<id>"> the page renders next to it (json_script).
// The same numbers are in the table under each chart, so a page without scripts loses nothing.
(function () {
  "use strict";
  function drawAll() {
    if (!window.echarts) return;
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-chart"));
      if (!source) return;
      var chart = window.echarts.init(element);
      // Marked once drawn (animation included), for tests and screenshots.
      chart.on("finished", function () { element.setAttribute("data-chart-ready", ""); });
      var option = JSON.parse(source.textContent);
      // Tooltips drawn on the canvas: ECharts' HTML tooltips carry style="" attributes, which
      // the Content-Security-Policy refuses.
      if (option.tooltip) option.tooltip.renderMode = "richText";
      chart.setOption(option);
      charts.push(chart);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        charts.forEach(function (chart) { chart.resize(); });
      }, 100);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
