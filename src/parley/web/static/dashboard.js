/* Charts of the dashboard and report pages, drawn with Chart.js (vendor/chart.umd.min.js)
 * from the table beside each: the table stays the content (read by screen readers, and all
 * there is without JavaScript); the canvas is marked as a picture that points to it. */
(function () {
  "use strict";

  var COLOURS = ["#1f63a6", "#b5531f", "#2f7d4f", "#7a4fa3", "#8a6d1f", "#a3241c"];

  function tableOf(holder) {
    return holder.parentElement.querySelector("table.chart-table");
  }

  function read(table) {
    var series = Array.prototype.slice.call(table.tHead.rows[0].cells, 1).map(function (cell) {
      return { label: cell.textContent.trim(), data: [] };
    });
    var labels = [];
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      labels.push(row.cells[0].textContent.trim());
      series.forEach(function (one, index) {
        var raw = row.cells[index + 1].getAttribute("data-value");
        one.data.push(raw === "" ? null : Number(raw));
      });
    });
    return { labels: labels, series: series };
  }

  function draw(holder) {
    var table = tableOf(holder);
    if (!table || typeof Chart === "undefined") {
      return;
    }
    var percent = holder.getAttribute("data-percent") === "true";
    var data = read(table);
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    var caption = table.caption ? table.caption.textContent.trim() : "";
    canvas.setAttribute("aria-label", caption);
    canvas.setAttribute("aria-describedby", table.id);
    holder.appendChild(canvas);
    new Chart(canvas, {
      type: holder.getAttribute("data-kind") === "line" ? "line" : "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (one, index) {
          var colour = COLOURS[index % COLOURS.length];
          return {
            label: one.label,
            data: percent ? one.data.map(function (v) { return v === null ? null : v * 100; }) : one.data,
            backgroundColor: colour,
            borderColor: colour,
            pointRadius: 4,
            spanGaps: true
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: data.series.length > 1 } },
        scales: {
          y: {
            beginAtZero: true,
            max: percent ? 100 : undefined,
            ticks: percent ? { callback: function (v) { return v + " %"; } } : {}
          }
        }
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".chart-canvas"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
