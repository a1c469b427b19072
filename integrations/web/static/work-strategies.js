// Trading tab, Strategies page: yours (listed first), those others shared and the built-ins;
// for the one picked, its versions, a backtest (optionally on another symbol or dates) with its
// metrics, last trades, results by hour and the equity-curve chart, a shortcut to watch it live
// (paper trading), and Delete for yours.
"use strict";

(() => {
  const state = { strategies: [], selected: null, running: null, runs: new Map() }; // runs: id -> last
  const form = document.getElementById("backtest-form");
  const result = document.getElementById("backtest-result");

  async function load() {
    const body = await work.call("/api/strategies", {}, $("strategy-list-error"));
    if (!body) return;
    const rank = (s) => (s.builtin ? 2 : shared(s) ? 1 : 0);
    state.strategies = (body.strategies || []).sort((a, b) => rank(a) - rank(b)); // stable
    if (!state.strategies.some((s) => s.id === state.selected)) {
      state.selected = state.strategies[0]?.id ?? null;
    }
    renderList();
    showDetail();
  }

  const shared = (s) => !s.builtin && s.name.includes("/"); // another user's, as "owner/name"
  const mine = (s) => !s.builtin && !shared(s);

  function meta(s) {
    const whose = s.builtin ? "built-in" : shared(s) ? `shared by ${s.name.split("/")[0]}` : "yours";
    return [s.side, `${s.bar} bars`, `v${s.version}`, whose].join(" · ");
  }

  function renderList() {
    const list = $("strategy-list");
    if (!state.strategies.length) return work.empty(list, "No strategies.");
    list.replaceChildren(...state.strategies.map((s) => {
      const pressed = String(s.id === state.selected);
      const pick = el("button", { type: "button", class: "pick", "data-id": s.id, "aria-pressed": pressed });
      pick.append(el("span", { class: "pick-name" }, s.name), el("span", { class: "pick-meta" }, meta(s)));
      pick.addEventListener("click", () => {
        state.selected = s.id;
        renderList();
        showDetail();
        work.reveal(document.getElementById("strategy-detail")); // on a phone it is below the list
      });
      const item = el("li");
      item.append(pick);
      return item;
    }));
  }

  async function showDetail() {
    const s = state.strategies.find((x) => x.id === state.selected);
    $("strategy-name").textContent = s ? s.name : "Pick a strategy";
    $("strategy-meta").textContent = s ? meta(s) : "";
    $("strategy-summary").textContent = s ? s.summary : "";
    $("strategy-versions").replaceChildren();
    $("backtest-error").textContent = "";
    $("backtest-run").disabled = !s || state.running !== null; // one backtest at a time
    $("strategy-watch").disabled = !s;
    $("strategy-delete").replaceChildren();
    showResult();
    if (!s || !mine(s)) return;
    $("strategy-delete").append(work.deleteButton(`strategy ${s.name}`, () => remove(s)));
    const shown = await work.call(`/api/strategies/${encodeURIComponent(s.id)}`, {}, $("backtest-error"));
    if (shown && state.selected === s.id) {
      $("strategy-versions").replaceChildren(...(shown.versions || []).map((v) => el("li", {}, v)));
    }
  }

  async function remove(s) {
    const path = `/api/strategies/${encodeURIComponent(s.id)}`;
    if (!(await work.send(path, "DELETE", undefined, $("backtest-error")))) return;
    toast(`Deleted ${s.name} (every version).`);
    await load();
  }

  function showResult() {
    // The selected strategy's backtest: running, its last result, or nothing yet.
    const run = state.runs.get(state.selected);
    const running = state.running !== null && state.running === state.selected;
    result.hidden = !running && !run;
    if (running) result.replaceChildren(el("p", { class: "working" }, "Running the backtest…"));
    else if (run) renderResult(run);
  }

  async function backtest(values) {
    const { selected: id, runs } = state; // after a logout (reset) the result is dropped
    state.running = id;
    showResult();
    const path = `/api/strategies/${encodeURIComponent(id)}/backtest`;
    const body = await work.send(path, "POST", values, $("backtest-error"));
    if (runs !== state.runs) return;
    state.running = null;
    if (body) runs.set(id, { at: new Date(), body });
    if (state.selected !== id) return; // another strategy was picked meanwhile
    showResult();
    if (body) work.reveal(result);
  }

  function renderResult({ at, body }) {
    const m = body.metrics;
    const title = el("h3", {}, `Backtest: ${body.strategy} v${body.version} on ${body.symbol} ${body.bar}`);
    const bars = `${work.num(body.bars, 0)} bars`;
    const period = el("p", { class: "muted" },
      `${body.first_bar} to ${body.last_bar} · ${bars} · run at ${at.toLocaleTimeString()}`);
    const stats = el("dl", { class: "stats" });
    work.stats(stats, [
      ["Trades", `${m.trades} (${m.wins} won)`],
      ["Win rate", `${work.num(m.win_rate_pct)}%`],
      ["Total P&L", [work.num(m.total_pnl, 2, true), work.tone(m.total_pnl)]],
      ["Average R", [work.num(m.avg_r, 2, true), work.tone(m.avg_r)]],
      ["Profit factor", work.num(m.profit_factor)],
      ["Expectancy", [work.num(m.expectancy, 2, true), work.tone(m.expectancy)]],
      ["Max drawdown", `${work.num(m.max_drawdown_pct)}%`],
      ["Sharpe", work.num(m.sharpe)],
      ["Exposure", `${work.num(m.exposure_pct)}%`],
      ["Bars held (avg)", work.num(m.avg_bars_held, 1)],
    ]);
    const parts = [title, period, el("p", { class: "description" }, body.description), stats];
    parts.push(el("h4", {}, "Last trades"), tradesTable(body.last_trades || []));
    if (body.chart) parts.push(el("h4", {}, "Equity and drawdown"), equity(body));
    if (m.by_hour && Object.keys(m.by_hour).length) parts.push(byHour(m.by_hour));
    parts.push(el("p", { class: "muted note" }, `Assumptions: ${body.assumptions}.`));
    result.replaceChildren(...parts);
  }

  function equity(body) {
    const figure = el("figure", { class: "equity" });
    const alt = `Equity curve and drawdown of ${body.strategy} on ${body.symbol}`;
    const img = el("img", { src: body.chart, alt });
    img.addEventListener("error", () => {
      figure.replaceChildren(el("p", { class: "error" }, "The equity chart could not be loaded."));
    });
    figure.append(img);
    return figure;
  }

  function table(header, rows, numeric) {
    // rows: arrays of cells, each text or [text, class]; numeric: column indexes aligned right
    const wrap = el("div", { class: "table-wrap" });
    const t = el("table", { class: "data" });
    const head = el("tr");
    header.forEach((h, i) => head.append(el("th", numeric.includes(i) ? { class: "num" } : {}, h)));
    t.append(el("thead"), el("tbody"));
    t.tHead.append(head);
    for (const row of rows) {
      const tr = el("tr");
      row.forEach((cell, i) => {
        const [text, cls] = Array.isArray(cell) ? cell : [cell, ""];
        tr.append(el("td", { class: `${numeric.includes(i) ? "num" : ""} ${cls}`.trim() }, text));
      });
      t.tBodies[0].append(tr);
    }
    wrap.append(t);
    return wrap;
  }

  function tradesTable(trades) {
    if (!trades.length) return el("p", { class: "muted" }, "No trades in this period.");
    const rows = [...trades].reverse().map((t) => [
      t.entry, t.exit, work.num(t.entry_price), work.num(t.exit_price), t.reason.replaceAll("_", " "),
      [work.num(t.r, 2, true), work.tone(t.r)], [work.num(t.pnl, 2, true), work.tone(t.pnl)],
    ]);
    return table(["Entry (ET)", "Exit (ET)", "Entry", "Exit", "Reason", "R", "P&L"], rows, [2, 3, 5, 6]);
  }

  function byHour(hours) {
    const box = el("details", { class: "by-hour" });
    box.append(el("summary", {}, "Results by hour of entry (ET)"));
    const rows = Object.entries(hours).sort((a, b) => a[0] - b[0]).map(([hour, h]) => [
      `${String(hour).padStart(2, "0")}:00`, String(h.trades), `${work.num(h.win_rate_pct, 1)}%`,
      [work.num(h.pnl, 2, true), work.tone(h.pnl)],
    ]);
    box.append(table(["Hour", "Trades", "Win rate", "P&L"], rows, [1, 2, 3]));
    return box;
  }

  work.submit(form, backtest);
  document.getElementById("strategy-watch").addEventListener("click", () => {
    work.watchStrategy = state.selected; // the paper-trading page preselects it
    workShow("paper");
  });

  work.pages.strategies = {
    load,
    reset() {
      Object.assign(state, { strategies: [], selected: null, running: null, runs: new Map() });
      $("strategy-list").replaceChildren();
      result.replaceChildren();
      result.hidden = true;
      form.reset();
      for (const id of ["strategy-list-error", "backtest-error"]) $(id).textContent = "";
    },
  };
})();
