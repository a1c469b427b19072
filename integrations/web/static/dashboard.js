// Whispr dashboard: the live engine's status by server-sent events (/api/live/stream): a
// watchlist with where price sits among the Day levels, and for the selected symbol its golden
// gates today and the levels of every mode; each status also goes to the chart (chart.js, loaded
// before this file). Loaded before app.js, which calls these functions (and wires the tabs); they
// use its $ and el.
"use strict";

const MODE_NAMES = { day: "Day", multiday: "Weekly", swing: "Monthly", position: "Quarterly", longterm: "Yearly" };
const MODE_KEYS = ["-1", "-0.618", "-0.382", "-0.236", "+0.236", "+0.382", "+0.618", "+1"];
const live = { source: null, selected: null, last: null };

const VIEWS = { dashboard: "tab-dashboard", chat: "tab-chat", work: "tab-work" };

function showView(name) {
  // name: "dashboard", "chat" or "work" (the Trading tab, work.js)
  for (const [view, tab] of Object.entries(VIEWS)) {
    $(view === "chat" ? "chat-view" : view).hidden = view !== name;
    $(tab).setAttribute("aria-selected", String(view === name));
  }
  if (name === "chat") $("question").focus();
  if (name === "work") workShow();
}

function startLive() {
  stopLive();
  live.source = new EventSource("/api/live/stream");
  live.source.onmessage = (event) => renderLive(JSON.parse(event.data));
  live.source.onerror = () => {
    $("live-line").textContent = "Live updates interrupted; reconnecting…";
  };
}

function stopLive() {
  if (live.source) live.source.close();
  live.source = null;
  chartStop();
}

function signed(value, digits = 2) {
  return `${value > 0 ? "+" : ""}${value.toFixed(digits)}`;
}

function liveLine(s) {
  if (s.mode === "off") return "The live engine is off (WHISPR_LIVE=off).";
  const what = s.mode === "replay"
    ? `Replay of ${s.replaying.join(", ")} (offline clock, no data provider)`
    : `Live from ${s.mode}`;
  const ticks = Object.values(s.last_tick).sort();
  const at = ticks.length ? ` · last tick ${ticks[ticks.length - 1].replace("T", " ").slice(0, 19)} ET` : "";
  const gaps = s.reconnects ? ` · ${s.reconnects} reconnect(s)` : "";
  return `${what} · session ${s.session || "–"} · ${s.state}${at}${gaps}`;
}

function renderLive(s) {
  live.last = s;
  $("live-line").textContent = liveLine(s);
  const symbols = s.symbols.filter((sym) => s.today[sym]);
  if (!live.selected || !symbols.includes(live.selected)) live.selected = symbols[0] || null;
  const body = $("watchlist").tBodies[0];
  const existing = new Map([...body.rows].map((row) => [row.dataset.symbol, row]));
  const rows = symbols.map((sym) => {
    const t = s.today[sym];
    const row = existing.get(sym) || newRow(sym);
    row.classList.toggle("selected", sym === live.selected);
    const change = t.last === undefined ? "–" : `${signed(t.change)} (${signed(t.change_pct)}%)`;
    const cells = [
      sym,
      t.last === undefined ? "–" : t.last.toFixed(2),
      change,
      t.last === undefined ? "–" : between(t),
      t.last === undefined ? "–" : `${t.range_pct_of_atr.toFixed(1)}%`,
    ];
    cells.forEach((text, i) => { row.cells[i].textContent = text; });
    row.cells[2].classList.toggle("up", t.change !== undefined && t.change >= 0);
    row.cells[2].classList.toggle("down", t.change !== undefined && t.change < 0);
    return row;
  });
  // rows are updated in place (focus and hover survive); only a changed symbol list re-lays them
  if (rows.length !== body.rows.length || rows.some((row, i) => body.rows[i] !== row)) {
    body.replaceChildren(...rows);
  }
  renderDetail(s);
  chartOnLive(s, live.selected);
}

function newRow(sym) {
  const row = el("tr", { "data-symbol": sym, tabindex: "0" });
  for (let i = 0; i < 5; i += 1) row.append(el("td"));
  row.addEventListener("click", () => select(sym));
  row.addEventListener("keydown", (event) => { if (event.key === "Enter") select(sym); });
  return row;
}

function between(t) {
  const below = t.below ? `${t.below.level} ${t.below.price.toFixed(2)}` : "below all";
  const above = t.above ? `${t.above.level} ${t.above.price.toFixed(2)}` : "above all";
  return `${below} … ${above}`;
}

function select(sym) {
  live.selected = sym;
  if (live.last) renderLive(live.last);
}

function renderDetail(s) {
  const sym = live.selected;
  if (!sym) {
    $("detail-title").textContent = "";
    $("gates").replaceChildren();
    $("modes").tBodies[0].replaceChildren();
    return;
  }
  const t = s.today[sym];
  const since = t.since && t.since !== "09:30" ? ` (ticks seen since ${t.since})` : "";
  const extremes = t.last === undefined ? ""
    : ` · ${t.last.toFixed(2)} between ${between(t)} · open ${t.open.toFixed(2)} high ${t.high.toFixed(2)} low ${t.low.toFixed(2)}`;
  $("detail-title").textContent = `${sym} today${extremes}${since}`;
  const gates = Object.entries(t.gates || {}).map(([side, state]) => {
    const item = el("li");
    item.append(el("span", { class: `side ${side === "bull" ? "up" : "down"}` }, `${side === "bull" ? "Bull" : "Bear"} golden gate`));
    item.append(document.createTextNode(state));
    return item;
  });
  $("gates").replaceChildren(...gates);
  const modes = Object.entries(s.levels[sym] || {}).map(([mode, lv]) => {
    const row = el("tr");
    row.append(el("td", {}, MODE_NAMES[mode] || mode), el("td", {}, lv.previous_close.toFixed(2)), el("td", {}, lv.atr.toFixed(2)));
    for (const key of MODE_KEYS) row.append(el("td", {}, lv[key] === undefined ? "–" : lv[key].toFixed(2)));
    return row;
  });
  $("modes").tBodies[0].replaceChildren(...modes);
  $("live-notes").textContent = (s.notes || []).join(" ");
}
