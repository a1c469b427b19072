// Whispr candlestick chart component: one symbol's candles drawn by TradingView's
// lightweight-charts (vendored in /static/vendor/lightweight-charts/, the global
// LightweightCharts), the chosen mode's levels as labelled price lines, the pivot ribbon EMAs as
// lines and the phase oscillator in a second pane on the same time axis. Data: GET
// /api/chart/{symbol} (times are US/Eastern wall clock written as UTC seconds, so the axis reads
// Eastern times).
//
//   const chart = createChart(container, { onDraw, onError, fitLevels });
//   chart.set({ symbol, mode, tf, date, tick }); // any of them; a change re-reads the data
//   chart.tick({ iso, price });                  // a live price: moves the last candle
//   chart.state();                               // what is drawn (plain data, for tests)
//   chart.destroy();                             // removes the chart, its observer and listeners
//
// Every chart keeps its own state in its closure; the dashboard (chart-dashboard.js) and each
// chat answer (chat-chart.js) make their own. With `date` the chart is pinned to that session
// (data until its close; live ticks ignored) and refuses data whose levels are for another one.
// With fitLevels the price axis always spans the level lines (else it follows the candles).
// Loaded after the library and before its users; uses app.js's el, api and errorText.
"use strict";

const CHART_BARS = 300;
const CHART_INTRADAY = { "5m": 300, "1h": 3600, "4h": 14400 }; // bar seconds, from 09:30
const CHART_TIMEFRAMES = ["5m", "1h", "4h", "D", "W"];
const RTH_OPEN = 34200; // 09:30 and 16:00 in seconds of the day
const RTH_CLOSE = 57600;
const DAY_SECONDS = 86400;
const NARROW_CHART = 600; // px: fewer bars shown and level lines labelled by key only
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

function chartLegend(legend) {
  // "EMA 8 13 21 48 200" in the ribbon's colours, into the element `legend`.
  legend.replaceChildren(document.createTextNode("EMA"));
  for (const [name, color] of Object.entries(EMA_COLORS)) {
    const item = el("span", { class: "ema" }, name.slice(3));
    item.style.color = color; // CSSOM, which the CSP allows (a style attribute it would not)
    legend.append(item);
  }
}

function pressTimeframe(group, tf) {
  // Mark the bar-size button of `tf` pressed among the buttons of `group`.
  for (const button of group.querySelectorAll("button")) {
    button.setAttribute("aria-pressed", String(button.dataset.tf === tf));
  }
}

function chartSeries(container) {
  // The library's chart in `container` with its candle, EMA and oscillator series.
  const lib = window.LightweightCharts;
  const chart = lib.createChart(container, {
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
  const candles = chart.addSeries(lib.CandlestickSeries, {
    upColor: CHART_COLORS.up, downColor: CHART_COLORS.down, borderVisible: false,
    wickUpColor: CHART_COLORS.up, wickDownColor: CHART_COLORS.down,
  });
  const emas = {};
  for (const [name, color] of Object.entries(EMA_COLORS)) {
    emas[name] = chart.addSeries(lib.LineSeries, {
      color, lineWidth: 1, priceLineVisible: false, lastValueVisible: false,
      crosshairMarkerVisible: false,
    });
  }
  const po = chart.addSeries(lib.LineSeries, {
    lineWidth: 2, priceLineVisible: false, title: "PO", color: CHART_COLORS.text,
    priceFormat: { type: "price", precision: 1, minMove: 0.1 },
  }, 1);
  chart.panes()[0].setStretchFactor(3);
  chart.panes()[1].setStretchFactor(1);
  return { chart, candles, emas, po };
}

function withLevels(scale, lines) {
  // A series' autoscale range widened to the prices of the level lines.
  if (!scale || !scale.priceRange || !lines.length) return scale;
  const prices = lines.map(({ level }) => level.price);
  const { minValue, maxValue } = scale.priceRange;
  return {
    ...scale,
    priceRange: { minValue: Math.min(minValue, ...prices), maxValue: Math.max(maxValue, ...prices) },
  };
}

function createChart(container, options = {}) {
  const s = {
    ...chartSeries(container), lines: [], linesKey: "", poLines: null,
    symbol: null, tf: "5m", mode: "day", date: null, tick: null, last: null, reset: true,
    loading: false, again: false, loads: 0, error: "", data: null, destroyed: false,
    abort: null,
  };
  if (options.fitLevels) {
    // the price axis spans the level lines as well as the candles (a chart about those levels)
    s.candles.applyOptions({ autoscaleInfoProvider: (original) => withLevels(original(), s.lines) });
  }
  const narrow = () => container.clientWidth < NARROW_CHART;
  const resize = new ResizeObserver(() => relabel()); // key-only titles on a phone
  resize.observe(container);

  function key() {
    return `${s.symbol}|${s.tf}|${s.mode}|${s.date}`;
  }

  function set(change) {
    if (s.destroyed) return;
    const before = key();
    if ("symbol" in change) s.symbol = change.symbol || null;
    if (change.mode) s.mode = change.mode;
    if ("date" in change) s.date = change.date || null;
    if (change.tf && CHART_TIMEFRAMES.includes(change.tf)) s.tf = change.tf;
    if ("tick" in change) s.tick = change.tick;
    if (key() === before) return;
    if (change.tf || "symbol" in change || "date" in change) s.reset = true;
    s.last = null;
    load();
  }

  function tick(t) {
    // A live price {iso, price} (null: none); a pinned chart ignores it.
    if (s.destroyed || s.date) return;
    s.tick = t;
    if (t && s.last) move(t, false);
  }

  function move(t, fetched) {
    // Move the last candle with a live price; a tick in another bar re-reads the data first.
    const start = barStart(wallSeconds(t.iso), s.tf);
    if (start === null || !s.last) return;
    if (start !== s.last.time && !fetched) {
      if (!s.loading) load(); // a load in flight applies the latest tick when it lands
      return;
    }
    if (start < s.last.time) return;
    const p = t.price;
    const bar = start > s.last.time
      ? { time: start, open: p, high: p, low: p, close: p }
      : { ...s.last, high: Math.max(s.last.high, p), low: Math.min(s.last.low, p), close: p };
    s.candles.update(bar);
    s.last = bar;
  }

  async function load() {
    if (!s.symbol || s.destroyed) return;
    if (s.loading) {
      s.again = true;
      return;
    }
    s.loading = true;
    const wanted = key();
    const params = new URLSearchParams({ tf: s.tf, mode: s.mode, bars: String(CHART_BARS) });
    if (s.date) params.set("until", `${s.date}T16:00:00`); // naive: Eastern, the session's close
    else if (s.tick) params.set("until", s.tick.iso);
    s.abort = new AbortController();
    try {
      const url = `/api/chart/${encodeURIComponent(s.symbol)}?${params}`;
      const response = await api(url, { signal: s.abort.signal });
      if (s.destroyed) return;
      if (wanted !== key()) {
        s.again = true; // the symbol, bar size, mode or date changed meanwhile
      } else if (!response.ok) {
        fail(await errorText(response));
      } else {
        const data = await response.json();
        if (s.destroyed) return;
        const session = data.levels.session;
        if (s.date && session !== s.date) fail(`no ${data.symbol} ${data.timeframe} bars for ${s.date}`);
        else draw(data);
      }
    } catch (e) {
      if (!s.destroyed) fail(`Chart: connection problem (${e.message})`);
    } finally {
      s.loading = false;
      s.abort = null;
      if (s.again && !s.destroyed) {
        s.again = false;
        load();
      }
    }
  }

  function fail(message) {
    s.error = message;
    if (s.date && s.data) s.tf = s.data.timeframe; // a pinned chart keeps what it shows
    if (options.onError) options.onError(message, handle);
  }

  function draw(data) {
    s.candles.setData(data.candles);
    for (const [name, series] of Object.entries(s.emas)) series.setData(data.ribbon[name] || []);
    const phase = data.phase.map((p) => ({ ...p, color: PO_COLORS[p.color] || CHART_COLORS.text }));
    s.po.setData(phase);
    phaseLines(data.phase_lines);
    levels(data.levels.lines);
    const n = data.candles.length;
    s.last = n ? { ...data.candles[n - 1] } : null;
    if (s.reset && n) {
      const shown = narrow() ? 60 : 150;
      s.chart.timeScale().setVisibleLogicalRange({ from: n - shown, to: n + 2 });
      s.reset = false;
    }
    if (s.tick && !s.date) move(s.tick, true);
    s.loads += 1;
    s.error = "";
    s.data = data;
    if (options.onDraw) options.onDraw(data, handle);
  }

  function levels(lines) {
    const wanted = JSON.stringify(lines);
    if (wanted === s.linesKey) return;
    for (const line of s.lines) s.candles.removePriceLine(line.line);
    s.lines = lines.map((level) => {
      const fraction = level.key.replace(/^[-+]/, "");
      const [color, lineStyle] = LEVEL_STYLES[fraction] || ["#6b7886", 1];
      const line = s.candles.createPriceLine({
        price: level.price, title: title(level), lineStyle, lineWidth: 1, axisLabelVisible: true,
        color: color || (level.key.startsWith("-") ? CHART_COLORS.down : CHART_COLORS.up),
      });
      return { line, level };
    });
    s.linesKey = wanted;
  }

  function title(level) {
    // The label without its price (the axis shows it); only the key where the chart is narrow.
    if (narrow()) return level.key;
    return level.label.slice(0, level.label.lastIndexOf(" "));
  }

  function relabel() {
    for (const { line, level } of s.lines) {
      const wanted = title(level);
      if (line.options().title !== wanted) line.applyOptions({ title: wanted });
    }
  }

  function phaseLines(values) {
    if (s.poLines) return;
    s.poLines = values.map((price) => s.po.createPriceLine({
      price, color: price === 0 ? "#3a4653" : "#2c3640", lineWidth: 1, lineStyle: price === 0 ? 0 : 2,
      axisLabelVisible: false,
    }));
  }

  function state() {
    // What is drawn, as plain data: the level lines as the library holds them with the API's
    // level (key, label, price), the series' lengths and the last candle.
    const d = s.data;
    const base = {
      ready: Boolean(d), loads: s.loads, error: s.error, destroyed: s.destroyed, date: s.date,
      wanted: { symbol: s.symbol, timeframe: s.tf, mode: s.mode },
    };
    if (!d || s.destroyed) return { ...base, lines: [] };
    return {
      ...base, symbol: d.symbol, timeframe: d.timeframe, mode: d.mode, session: d.levels.session,
      until: d.until, candles: d.candles.length, last: s.last && { ...s.last },
      lines: s.lines.map(({ line, level }) => {
        const { title: shown, color, price } = line.options();
        return { ...level, title: shown, color, drawn: price };
      }),
      drawnLines: s.candles.priceLines().length,
      emas: Object.fromEntries(Object.entries(d.ribbon).map(([k, v]) => [k, v.length])),
      phase: d.phase.length,
    };
  }

  function destroy() {
    if (s.destroyed) return;
    s.destroyed = true;
    if (s.abort) s.abort.abort();
    resize.disconnect();
    s.chart.remove(); // the library's own listeners, observers and canvases go with it
    s.lines = [];
    s.data = null;
  }

  const handle = { set, tick, state, destroy, get timeframe() { return s.tf; } };
  return handle;
}
