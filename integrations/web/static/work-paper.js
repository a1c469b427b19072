// Trading tab, Paper trading page: start a strategy watch (a strategy run live on a symbol,
// paper trades only), pause/resume or delete it, and the paper journal of its trades with
// totals and a CSV download.
"use strict";

(() => {
  const form = document.getElementById("watch-form");
  const list = document.getElementById("watch-list");
  const listError = document.getElementById("watch-error");

  async function load() {
    await Promise.all([loadStrategies(), loadWatches(), loadJournal()]);
  }

  async function loadStrategies() {
    const body = await work.call("/api/strategies", {}, $("watch-form-error"));
    if (!body) return;
    const select = form.elements.strategy;
    const wanted = work.watchStrategy || select.value;
    work.watchStrategy = null;
    select.replaceChildren(...(body.strategies || []).map((s) => {
      const option = el("option", { value: s.id }, `${s.name} (${s.side}, ${s.bar})`);
      option.selected = s.id === wanted;
      return option;
    }));
  }

  async function loadWatches() {
    const body = await work.call("/api/watches", {}, listError);
    if (!body) return;
    const watches = body.watches || [];
    if (!watches.length) return work.empty(list, "No watches: start one with the form.");
    list.replaceChildren(...watches.map((w) => work.item(w.id, w.paused, [
      el("span", { class: "symbol" }, w.symbol),
      el("span", {}, `${w.strategy} v${w.version}`),
    ], [
      `${w.bar} bars`,
      w.started ? `since ${work.time(w.started)} ET` : "starts at the next bar",
      `\u2192 ${w.destination}`,
      w.id,
    ], [
      work.pauseButton(w.paused, (pause) => change(w.id, "PATCH", { action: pause ? "pause" : "resume" })),
      work.deleteButton(`watch ${w.id}`, () => change(w.id, "DELETE")),
    ])));
  }

  function change(id, method, body) {
    return work.change({ list, error: listError, path: "/api/watches", reload: loadWatches }, id, method, body);
  }

  async function loadJournal() {
    const body = await work.call("/api/journal", {}, $("journal-error"));
    if (!body) return;
    const trades = body.trades || [];
    work.stats($("journal-totals"), [
      ["Closed", String(body.closed)],
      ["Open", String(body.open)],
      ["Wins", String(body.wins)],
      ["Win rate", body.win_rate === null ? "–" : `${work.num(body.win_rate)}%`],
      ["Total P&L", [work.num(body.total_pnl, 2, true), work.tone(body.total_pnl)]],
      ["Average R", [work.num(body.average_r, 2, true), work.tone(body.average_r)]],
    ]);
    $("journal-table").tBodies[0].replaceChildren(...[...trades].reverse().map(tradeRow));
    $("journal-table").hidden = !trades.length;
    $("journal-empty").hidden = Boolean(trades.length);
    $("journal-empty").textContent = trades.length ? "" : body.message;
  }

  function tradeRow(t) {
    const open = t.exit_time === null;
    const row = el("tr", { class: open ? "open" : "" });
    const cells = [
      [work.time(t.entry_time)], [t.symbol], [t.strategy], [`${t.side} \u00d7${t.qty}`],
      [work.num(t.entry_price), "num"], [work.num(t.stop), "num"],
      open ? ["open", "open-mark"] : [work.time(t.exit_time)],
      [open ? "–" : work.num(t.exit_price), "num"], [open ? "" : (t.reason || "").replaceAll("_", " ")],
      [work.num(t.r_multiple, 2, true), `num ${work.tone(t.r_multiple)}`],
      [work.num(t.pnl, 2, true), `num ${work.tone(t.pnl)}`],
    ];
    for (const [text, cls] of cells) row.append(el("td", cls ? { class: cls.trim() } : {}, text));
    return row;
  }

  async function downloadCsv() {
    // fetch (the session cookie and CSRF header, errors shown) and save the blob as a file
    const error = $("journal-error");
    error.textContent = "";
    try {
      const response = await api("/api/journal.csv");
      if (!response.ok) {
        if (response.status !== 401) error.textContent = await errorText(response);
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const link = el("a", { href: url, download: "paper-journal.csv" });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      error.textContent = `Connection problem: ${e.message}`;
    }
  }

  work.submit(form, async (values) => {
    const made = await work.send("/api/watches", "POST", values, $("watch-form-error"));
    if (!made) return;
    toast(made.message);
    await loadWatches();
  });
  document.getElementById("journal-csv").addEventListener("click", downloadCsv);

  work.pages.paper = {
    load,
    reset() {
      list.replaceChildren();
      form.elements.strategy.replaceChildren();
      $("journal-totals").replaceChildren();
      $("journal-table").tBodies[0].replaceChildren();
      for (const id of ["watch-form-error", "watch-error", "journal-error"]) $(id).textContent = "";
    },
  };
})();
