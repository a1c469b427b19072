// A chart in a chat answer: an image block that says what it shows (symbol, mode, date, tf; set
// by the server for levels charts) becomes chart.js's interactive component, pinned to that
// session, with its own bar-size buttons and the PNG as a download. When the data cannot be read
// (at the bar size asked, then daily bars) the PNG is shown instead. Each chart is its own
// component (figure.whisprChart); destroyCharts(root) removes those under root, as a thread is
// switched or cleared. Loaded after chart.js and before app.js; uses app.js's el.
"use strict";

const CHAT_FALLBACK_TF = "D"; // daily bars reach back furthest

function chartPngUrl(name) {
  return `/api/charts/${encodeURIComponent(name)}`;
}

function pngFigure(block) {
  // The chart as the PNG the tool saved (what other channels post).
  const figure = el("figure", { class: "chart" });
  const img = el("img", { src: chartPngUrl(block.name), alt: `chart ${block.name}` });
  img.addEventListener("error", () => {
    figure.replaceChildren(el("div", { class: "error" }, `Chart ${block.name} could not be loaded.`));
  });
  img.addEventListener("load", () => revealChart(figure));
  figure.append(img);
  return figure;
}

function revealChart(figure) {
  // Keep a chart of the newest answer in view once it has drawn.
  const answers = document.querySelectorAll("#conversation .msg.assistant");
  const newest = answers[answers.length - 1];
  if (!newest || !newest.contains(figure)) return;
  const tall = figure.offsetHeight > $("conversation").clientHeight; // a phone: its head first
  figure.scrollIntoView({ block: tall ? "start" : "nearest" });
}

function liveChartFigure(block) {
  const figure = el("figure", {
    class: "chart live-chart", "data-symbol": block.symbol, "data-mode": block.mode, "data-date": block.date,
  });
  const head = el("div", { class: "chart-head" });
  const title = el("figcaption", { class: "chart-title" }, `${block.symbol} ${block.mode} levels for ${block.date}`);
  const tfs = el("div", { class: "chart-tfs", role: "group", "aria-label": "Bar size" });
  for (const tf of CHART_TIMEFRAMES) {
    tfs.append(el("button", { type: "button", "data-tf": tf, "aria-pressed": "false" }, tf));
  }
  const png = el("a", {
    class: "chart-png", href: chartPngUrl(block.name), download: block.name, title: "Download the chart as a PNG",
  }, "PNG");
  head.append(title, tfs, png);
  const box = el("div", { class: "chart-box" });
  const status = el("span", { class: "chart-status", role: "status" });
  const legend = el("span", { class: "chart-legend" });
  chartLegend(legend);
  const foot = el("p", { class: "chart-foot" });
  foot.append(legend, status);
  figure.append(head, box, foot);
  return { figure, title, tfs, box, status };
}

function renderLiveChart(block) {
  // The figure for an image block with symbol, mode and date; its chart draws once it is in the page.
  const parts = liveChartFigure(block);
  const { figure, tfs, status } = parts;
  let drawn = false;
  const chart = createChart(parts.box, {
    fitLevels: true,
    onDraw(data, self) {
      const lv = data.levels;
      parts.title.textContent = `${data.symbol} ${data.timeframe} · ${data.mode_label} levels for ${lv.session}`;
      status.classList.remove("error");
      status.textContent = `PC ${lv.previous_close.toFixed(2)} · ATR ${lv.atr.toFixed(2)}`;
      pressTimeframe(tfs, self.timeframe);
      if (!drawn) revealChart(figure);
      drawn = true;
    },
    onError(message, self) {
      if (drawn) {
        status.textContent = message;
        status.classList.add("error");
        pressTimeframe(tfs, self.timeframe);
      } else if (self.timeframe !== CHAT_FALLBACK_TF) {
        self.set({ tf: CHAT_FALLBACK_TF });
        pressTimeframe(tfs, CHAT_FALLBACK_TF);
      } else {
        self.destroy(); // no data: the PNG instead, the chart's reason kept for a tooltip
        const fallback = pngFigure(block);
        fallback.title = message;
        figure.replaceWith(fallback);
      }
    },
  });
  for (const button of tfs.querySelectorAll("button")) {
    button.addEventListener("click", () => {
      chart.set({ tf: button.dataset.tf });
      pressTimeframe(tfs, chart.timeframe);
    });
  }
  figure.whisprChart = chart;
  chart.set({ symbol: block.symbol, mode: block.mode, date: block.date, tf: block.tf || "5m" });
  pressTimeframe(tfs, chart.timeframe);
  return figure;
}

function renderChartBlock(block) {
  // An image block: the interactive chart when the block says what it shows, else the PNG.
  const live = block.symbol && block.mode && block.date && window.LightweightCharts;
  return live ? renderLiveChart(block) : pngFigure(block);
}

function destroyCharts(root) {
  // Remove the chat charts under root (their library chart, observer and listeners).
  for (const figure of root.querySelectorAll("figure.live-chart")) {
    if (figure.whisprChart) figure.whisprChart.destroy();
  }
}
