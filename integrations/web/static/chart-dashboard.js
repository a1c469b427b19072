// The dashboard's chart (chart.js's component in #chart): its bar-size buttons, mode select,
// title and status line. dashboard.js hands it each live status (SSE) through chartOnLive, which
// follows the selected symbol and moves the last candle with the tick; chartStop forgets the
// symbol when the live stream stops. window.whisprChart describes what is drawn (for tests).
// Loaded after chart.js and before dashboard.js; uses app.js's $.
"use strict";

let dashboardChart = null;
Object.defineProperty(window, "whisprChart", {
  get: () => (dashboardChart ? dashboardChart.state() : { ready: false, lines: [], loads: 0, error: "" }),
});

function dashboardChartCreate() {
  const chart = createChart($("chart"), { onDraw: dashboardChartDrawn, onError: dashboardChartError });
  chartLegend($("chart-legend"));
  for (const button of document.querySelectorAll("#chart-tfs button")) {
    button.addEventListener("click", () => {
      chart.set({ tf: button.dataset.tf });
      pressTimeframe($("chart-tfs"), chart.timeframe);
    });
  }
  $("chart-mode").addEventListener("change", (event) => chart.set({ mode: event.target.value }));
  chart.set({ mode: $("chart-mode").value });
  return chart;
}

function dashboardChartDrawn(data) {
  const lv = data.levels;
  $("chart-title").textContent = `${data.symbol} ${data.timeframe} · ${data.mode_label} levels for ${lv.session}`;
  $("chart-status").classList.remove("error");
  $("chart-status").textContent = `PC ${lv.previous_close.toFixed(2)} · ATR ${lv.atr.toFixed(2)}`;
}

function dashboardChartError(message) {
  $("chart-status").textContent = message;
  $("chart-status").classList.add("error");
}

// Called by dashboard.js with every live status; `symbol` is the dashboard's selected symbol.
function chartOnLive(status, symbol) {
  if (!dashboardChart) dashboardChart = dashboardChartCreate();
  const sym = symbol || status.symbols[0] || "SPX";
  const iso = status.mode === "off" ? undefined : status.last_tick[sym];
  const price = status.last_price[sym];
  const tick = iso && price !== undefined ? { iso, price } : null;
  if (sym !== dashboardChart.state().wanted.symbol) dashboardChart.set({ symbol: sym, tick });
  else dashboardChart.tick(tick);
}

function chartStop() {
  if (dashboardChart) dashboardChart.set({ symbol: null, tick: null });
}
