// Whispr dashboard chart: the selected symbol's candles drawn by TradingView's lightweight-charts
// (vendored in /static/vendor/lightweight-charts/, the global LightweightCharts), the chosen
// mode's levels as labelled price lines, the pivot ribbon EMAs as lines and the phase oscillator
// in a second pane on the same time axis. Data: GET /api/chart/{symbol} (times are US/Eastern
// wall clock written as UTC seconds, so the axis reads Eastern times). Live: dashboard.js hands
// each live status (SSE) to chartOnLive, which moves the last candle with the tick and re-reads
// the data, as of that tick, when a new bar begins. window.whisprChart describes what is drawn.
// Loaded after the library and before dashboard.js; uses app.js's $, el and api.
"use strict";

const CHART_BARS = 300;
const CHART_INTRADAY = { "5m": 300, "1h": 3600, "4h": 14400 }; // bar seconds, from 09:30
const RTH_OPEN = 34200; // 09:30 and 16:00 in seconds of the day
const RTH_CLOSE = 57600;
const DAY_SECONDS = 86400;
const CHART_COLORS = {
  panel: "#161d24", text: "#8a97a5", grid: "#1c252e", line: "#26313c", up: "#45c46b", down: "#ef6b5b",
};
const EMA_COLORS = { ema8: "#7ee787", ema13: "#39c5cf", ema21: "#d2a8ff", ema48: "#58a6ff", ema200: "#db61a2" };
const PO_COLORS = { green: "#45c46b", red: "#ef6b5b", magenta: "#d55fde" };
// |fraction| → [colour (null: green above, red below), lightweight-charts LineStyle]
const LEVEL_STYLES = {
  "0": ["#dde3ea", 0], "0.236": [null, 2], "0.382": ["#e3b341", 0], "0.5": ["#6b7886", 1],
  "0.618": ["#f0883e", 3], "0.786": ["#6b7886", 1], "1": ["#a5b1bd", 0],
};
const chartState = {
  chart: null, candles: null, emas: {}, po: null, lines: [], linesKey: "",
  symbol: null, tf: "5m", mode: "day", tick: null, last: null, reset: true,
  loading: false, again: false, loads: 0,
};
window.whisprChart = { ready: false, lines: [], loads: 0, error: "" };

function chartCreate() {
  const lib = window.LightweightCharts;
  const chart = lib.createChart($("chart"), {
    autoSize: true,
    layout: {
      background: { type: "solid", color: CHART_COLORS.panel },
      textColor: CHART_COLORS.text,
      fontFamily: getComputedStyle(document.body).fontFamily,
      attributionLogo: false, // it injects an inline <style> the CSP refuses; credited under the chart
      panes: { separatorColor: CHART_COLORS.line },
    },
    grid: { vertLines: { color: CHART_COLORS.grid }, horzLines: { color: CHART_COLORS.grid } },
    rightPriceScale: { borderColor: CHART_COLORS.line },
    timeScale: { borderColor: CHART_COLORS.line, timeVisible: true, secondsVisible: false },
    handleScroll: { vertTouchDrag: false }, // a vertical swipe scrolls the page on a phone
  });
  chartState.candles = chart.addSeries(lib.CandlestickSeries, {
    upColor: CHART_COLORS.up, downColor: CHART_COLORS.down, borderVisible: false,
    wickUpColor: CHART_COLORS.up, wickDownColor: CHART_COLORS.down,
  });
  for (const [name, color] of Object.entries(EMA_COLORS)) {
    chartState.emas[name] = chart.addSeries(lib.LineSeries, {
      color, lineWidth: 1, priceLineVisible: false, lastValueVisible: false,
      crosshairMarkerVisible: false,
    });
  }
  chartState.po = chart.addSeries(lib.LineSeries, {
    lineWidth: 2, priceLineVisible: false, title: "PO", color: CHART_COLORS.text,
    priceFormat: { type: "price", precision: 1, minMove: 0.1 },
  }, 1);
  chart.panes()[0].setStretchFactor(3);
  chart.panes()[1].setStretchFactor(1);
  chartState.chart = chart;
  new ResizeObserver(() => chartTitles()).observe($("chart")); // key-only titles on a phone
  chartLegend();
  for (const tf of document.querySelectorAll("#chart-tfs button")) {
    tf.addEventListener("click", () => chartSet({ tf: tf.dataset.tf }));
  }
  $("chart-mode").addEventListener("change", (event) => chartSet({ mode: event.target.value }));
}

function chartLegend() {
  const legend = $("chart-legend");
  legend.replaceChildren(document.createTextNode("EMA"));
  for (const [name, color] of Object.entries(EMA_COLORS)) {
    const item = el("span", { class: "ema" }, name.slice(3));
    item.style.color = color; // CSSOM, which the CSP allows (a style attribute it would not)
    legend.append(item);
  }
}

function chartSet(change) {
  const c = chartState;
  if (change.tf) {
    c.tf = change.tf;
    c.reset = true;
    for (const button of document.querySelectorAll("#chart-tfs button")) {
      button.setAttribute("aria-pressed", String(button.dataset.tf === c.tf));
    }
  }
  if (change.mode) c.mode = change.mode;
  c.last = null;
  loadChart();
}

// Called by dashboard.js with every live status; `symbol` is the dashboard's selected symbol.
function chartOnLive(status, symbol) {
  const c = chartState;
  if (!c.chart) chartCreate();
  const sym = symbol || status.symbols[0] || "SPX";
  const iso = status.mode === "off" ? undefined : status.last_tick[sym];
  const price = status.last_price[sym];
  c.tick = iso && price !== undefined ? { iso, price } : null;
  if (sym !== c.symbol) {
    c.symbol = sym;
    c.last = null;
    c.reset = true;
    loadChart();
  } else if (c.tick && c.last) {
    chartTick(c.tick, false);
  }
}

function chartStop() {
  chartState.symbol = null;
  chartState.tick = null;
  chartState.last = null;
}

function wallSeconds(iso) {
  // "2026-02-12T10:05:00-05:00" → its Eastern wall clock read as UTC, as the API's times are
  return Date.parse(`${iso.slice(0, 19)}Z`) / 1000;
}

function barStart(t, tf) {
  // The chart time of the bar holding wall-clock second t; null outside regular hours.
  const second = ((t % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS;
  if (second < RTH_OPEN || second >= RTH_CLOSE) return null;
  const day = t - second;
  const size = CHART_INTRADAY[tf];
  if (size) return day + RTH_OPEN + Math.floor((second - RTH_OPEN) / size) * size;
  if (tf === "D") return day;
  const days = day / DAY_SECONDS; // weeks start on Monday; day 0 (1970-01-01) was a Thursday
  return (days - ((days + 3) % 7)) * DAY_SECONDS;
}

function chartTick(tick, fetched) {
  // Move the last candle with a live price; a tick in another bar re-reads the data first.
  const c = chartState;
  const start = barStart(wallSeconds(tick.iso), c.tf);
  if (start === null || !c.last) return;
  if (start !== c.last.time && !fetched) {
    if (!c.loading) loadChart(); // a load in flight applies the latest tick when it lands
    return;
  }
  if (start < c.last.time) return;
  const p = tick.price;
  const bar = start > c.last.time
    ? { time: start, open: p, high: p, low: p, close: p }
    : { ...c.last, high: Math.max(c.last.high, p), low: Math.min(c.last.low, p), close: p };
  c.candles.update(bar);
  c.last = bar;
  window.whisprChart.last = { ...bar };
}

async function loadChart() {
  const c = chartState;
  if (!c.symbol) return;
  if (c.loading) {
    c.again = true;
    return;
  }
  c.loading = true;
  const key = `${c.symbol}|${c.tf}|${c.mode}`;
  const params = new URLSearchParams({ tf: c.tf, mode: c.mode, bars: String(CHART_BARS) });
  if (c.tick) params.set("until", c.tick.iso);
  try {
    const response = await api(`/api/chart/${encodeURIComponent(c.symbol)}?${params}`);
    if (key !== `${c.symbol}|${c.tf}|${c.mode}`) {
      c.again = true; // the symbol, bar size or mode changed meanwhile
    } else if (!response.ok) {
      chartError(await errorText(response));
    } else {
      chartDraw(await response.json());
    }
  } catch (e) {
    chartError(`Chart: connection problem (${e.message})`);
  } finally {
    c.loading = false;
    if (c.again) {
      c.again = false;
      loadChart();
    }
  }
}

function chartError(message) {
  window.whisprChart.error = message;
  $("chart-status").textContent = message;
  $("chart-status").classList.add("error");
}

function chartDraw(data) {
  const c = chartState;
  c.candles.setData(data.candles);
  for (const [name, series] of Object.entries(c.emas)) series.setData(data.ribbon[name] || []);
  const phase = data.phase.map((p) => ({ ...p, color: PO_COLORS[p.color] || CHART_COLORS.text }));
  c.po.setData(phase);
  chartPhaseLines(data.phase_lines);
  chartLevels(data.levels.lines);
  const n = data.candles.length;
  c.last = n ? { ...data.candles[n - 1] } : null;
  if (c.reset && n) {
    const shown = $("chart").clientWidth < 600 ? 60 : 150;
    c.chart.timeScale().setVisibleLogicalRange({ from: n - shown, to: n + 2 });
    c.reset = false;
  }
  if (c.tick) chartTick(c.tick, true);
  c.loads += 1;
  const lv = data.levels;
  $("chart-title").textContent = `${data.symbol} ${data.timeframe} · ${data.mode_label} levels for ${lv.session}`;
  $("chart-status").classList.remove("error");
  $("chart-status").textContent = `PC ${lv.previous_close.toFixed(2)} · ATR ${lv.atr.toFixed(2)}`;
  window.whisprChart = {
    ready: true, symbol: data.symbol, timeframe: data.timeframe, mode: data.mode, session: lv.session,
    until: data.until, candles: n, last: c.last && { ...c.last }, loads: c.loads, error: "",
    lines: chartLines(),
    drawnLines: c.candles.priceLines().length,
    emas: Object.fromEntries(Object.entries(data.ribbon).map(([k, v]) => [k, v.length])),
    phase: data.phase.length,
  };
}

function chartLevels(levels) {
  const c = chartState;
  const key = JSON.stringify(levels);
  if (key === c.linesKey) return;
  for (const line of c.lines) c.candles.removePriceLine(line.line);
  c.lines = levels.map((level) => {
    const fraction = level.key.replace(/^[-+]/, "");
    const [color, lineStyle] = LEVEL_STYLES[fraction] || ["#6b7886", 1];
    const line = c.candles.createPriceLine({
      price: level.price, title: chartTitle(level), lineStyle, lineWidth: 1, axisLabelVisible: true,
      color: color || (level.key.startsWith("-") ? CHART_COLORS.down : CHART_COLORS.up),
    });
    return { line, level };
  });
  c.linesKey = key;
}

function chartTitle(level) {
  // The label without its price (the axis shows it); only the key where the chart is narrow.
  if ($("chart").clientWidth < 600) return level.key;
  return level.label.slice(0, level.label.lastIndexOf(" "));
}

function chartTitles() {
  for (const { line, level } of chartState.lines) {
    const title = chartTitle(level);
    if (line.options().title !== title) line.applyOptions({ title });
  }
  if (window.whisprChart.lines) window.whisprChart.lines = chartLines();
}

function chartLines() {
  // The drawn level lines as the library holds them, with the API's level (key, label, price).
  return chartState.lines.map(({ line, level }) => {
    const { title, color, price } = line.options();
    return { ...level, title, color, drawn: price };
  });
}

function chartPhaseLines(values) {
  const c = chartState;
  if (c.poLines) return;
  c.poLines = values.map((price) => c.po.createPriceLine({
    price, color: price === 0 ? "#3a4653" : "#2c3640", lineWidth: 1, lineStyle: price === 0 ? 0 : 2,
    axisLabelVisible: false,
  }));
}
