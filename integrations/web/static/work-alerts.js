// Trading tab, Alerts page: create an alert from a form, list yours with Pause/Resume, Edit
// (hours and ribbon) and Delete, and the web inbox their firings are posted to. Changes here
// also refresh the sidebar's alert list (app.js loadAlerts).
"use strict";

(() => {
  const LEVELS = {
    "+1": "+1 ATR", "+0.618": "bullish midrange", "+0.382": "bull golden gate",
    "+0.236": "call trigger", "0": "previous close", "-0.236": "put trigger",
    "-0.382": "bear golden gate", "-0.618": "bearish midrange", "-1": "-1 ATR",
  };
  const INBOX_SHOWN = 50;
  const form = document.getElementById("alert-form");
  const list = document.getElementById("work-alert-list");
  const listError = document.getElementById("work-alert-error");
  let drawn = ""; // the alerts the list shows, as JSON

  function describe(alert) {
    const name = LEVELS[alert.level];
    const verb = alert.direction === "up" ? "crosses above" : "loses";
    return `${verb} ${name ? `the ${name} (${alert.level})` : alert.level}`;
  }

  async function load() {
    await Promise.all([loadList(), loadInbox()]);
  }

  async function loadList(force = false) {
    // Redraw only when the alerts changed (or force: after a change, to re-enable its buttons),
    // so an open editor survives a reload that brings nothing new.
    const body = await work.call("/api/alerts", {}, listError);
    if (!body) return;
    const alerts = body.alerts || [];
    const key = JSON.stringify(alerts);
    if (key === drawn && !force) return;
    drawn = key;
    if (!alerts.length) work.empty(list, "No alerts yet: create one with the form.");
    else list.replaceChildren(...alerts.map(alertItem));
  }

  function alertItem(alert) {
    const arrow = alert.direction === "up" ? "\u2191" : "\u2193";
    const main = [
      el("span", { class: "symbol" }, alert.symbol),
      el("span", { class: alert.direction === "up" ? "up" : "down" }, `${arrow} ${describe(alert)}`),
    ];
    const meta = [
      alert.window ? `${alert.window} ET` : "all session",
      alert.ribbon ? `${alert.ribbon} ribbon` : "any ribbon",
      `\u2192 ${alert.destination}`,
      alert.id,
    ];
    const item = work.item(alert.id, alert.paused, main, meta, [
      work.button("History", () => history(item, alert), "small history"),
      work.button("Edit", () => edit(item, alert), "small edit"),
      work.pauseButton(alert.paused, (paused) => change(alert.id, "PATCH", { paused })),
      work.deleteButton(`alert ${alert.id}`, () => change(alert.id, "DELETE")),
    ]);
    return item;
  }

  async function history(item, alert) {
    // When the alert fired (newest first), from GET /api/alerts/{id}/firings; a second click hides it.
    const shown = item.querySelector(".alert-history");
    if (shown) return shown.remove();
    const box = el("div", { class: "alert-history", role: "status" });
    item.append(box);
    const body = await work.call(`/api/alerts/${alert.id}/firings`, {}, box);
    if (!body) return;
    if (!body.firings.length) return box.replaceChildren(el("p", { class: "muted" }, "Not fired yet."));
    box.replaceChildren(
      ...body.firings.map((f) =>
        el("p", {}, `${f.fired_at.replace("T", " ")} ET \u00b7 ${f.price.toFixed(2)} (level ${f.level_price.toFixed(2)})${f.delivered ? "" : " \u00b7 pending"}`),
      ),
    );
  }

  async function change(id, method, body) {
    const reload = () => loadList(true);
    await work.change({ list, error: listError, path: "/api/alerts", reload }, id, method, body);
    loadAlerts(); // the sidebar
  }

  function edit(item, alert) {
    // An inline form for the hours and the ribbon filter (symbol, level and direction are fixed).
    if (item.querySelector("form")) return;
    const [after, before] = (alert.window || "-").split("-");
    const editor = el("form", { class: "work-form item-edit", "aria-label": `Edit alert ${alert.id}` });
    const fields = el("div", { class: "fields" });
    fields.append(
      timeField("after", "After (ET)", after, "09:30"),
      timeField("before", "Before (ET)", before, "16:00"),
      ribbonField(alert.ribbon || ""),
    );
    const actions = el("div", { class: "form-actions" });
    actions.append(el("button", { type: "submit", class: "small save" }, "Save"),
      work.button("Cancel", () => editor.remove()));
    const error = el("p", { class: "error", role: "alert" });
    editor.append(fields, actions, error);
    work.submit(editor, async (values) => {
      const body = values.after || values.before
        ? { after: values.after || "09:30", before: values.before || "16:00" } : { any_time: true };
      if (values.ribbon) body.ribbon = values.ribbon;
      else body.any_ribbon = true;
      // a refused change keeps the editor open with the reason in it
      if (!(await work.send(`/api/alerts/${encodeURIComponent(alert.id)}`, "PATCH", body, error))) return;
      await loadList(true); // closes the editor, even when nothing changed
      loadAlerts();
    });
    item.append(editor);
    editor.elements.after.focus();
  }

  function timeField(name, label, value, placeholder) {
    const box = el("label", {}, label);
    box.append(el("input", {
      name, value: value || "", placeholder, maxlength: "5", inputmode: "numeric", autocomplete: "off",
      pattern: "([01]?[0-9]|2[0-3]):[0-5][0-9]", title: "HH:MM, 24-hour Eastern time; both empty: all session",
    }));
    return box;
  }

  function ribbonField(value) {
    const box = el("label", {}, "Ribbon");
    const select = el("select", { name: "ribbon" });
    const choices = [["", "Any ribbon"], ["bullish", "Bullish"], ["bearish", "Bearish"], ["mixed", "Mixed"]];
    for (const [key, text] of choices) {
      const option = el("option", { value: key }, text);
      option.selected = key === value;
      select.append(option);
    }
    box.append(select);
    return box;
  }

  async function loadInbox() {
    // The newest notifications: the API pages oldest first, 100 at a time.
    const box = $("work-inbox");
    let after = 0;
    let items = [];
    for (let page = 0; page < 20; page += 1) {
      const batch = await work.call(`/api/notifications?after=${after}`, {}, $("work-inbox-error"));
      if (!batch) return;
      items = items.concat(batch).slice(-INBOX_SHOWN);
      if (batch.length < 100) break;
      after = batch[batch.length - 1].id;
    }
    if (!items.length) return work.empty(box, "Nothing posted to your inbox yet.");
    box.replaceChildren(...items.reverse().map((notice) => {
      const when = new Date(notice.ts * 1000).toISOString();
      const item = el("li", { class: "notice", "data-notice": String(notice.id) });
      item.append(el("time", { datetime: when }, work.clock(notice.ts)),
        el("div", { class: "message" }, notice.message));
      return item;
    }));
  }

  form.elements.level.addEventListener("change", () => {
    // a level above the close is usually reclaimed, one below lost; the user may still change it
    const level = form.elements.level.value;
    if (level !== "0") form.elements.direction.value = level.startsWith("-") ? "down" : "up";
  });

  work.submit(form, async (values) => {
    const made = await work.send("/api/alerts", "POST", values, $("alert-form-error"));
    if (!made) return;
    toast(made.message);
    await loadList();
    loadAlerts();
  });

  document.getElementById("work-inbox-refresh").addEventListener("click", loadInbox);

  // app.js redraws the sidebar's alerts after a change made there or in chat, and its inbox list
  // when a notification arrives: follow both while this page is on screen (a list emptied on
  // logout adds nothing, and is not followed).
  const follow = (id, reload) => new MutationObserver((changes) => {
    const drawn = changes.some((change) => change.addedNodes.length);
    if (drawn && !$("app").hidden && !$("work").hidden && !$("work-alerts").hidden) reload();
  }).observe(document.getElementById(id), { childList: true });
  follow("alert-list", loadList);
  follow("notice-list", loadInbox);

  work.pages.alerts = {
    load,
    reset() {
      drawn = "";
      list.replaceChildren();
      $("work-inbox").replaceChildren();
      for (const id of ["alert-form-error", "work-alert-error", "work-inbox-error"]) $(id).textContent = "";
    },
  };
})();
