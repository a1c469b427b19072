// Whispr "Trading" tab: alerts, strategies and backtests, strategy watches with the paper
// journal, and briefings, managed with forms instead of chat commands. This file switches the
// tab's pages and holds the helpers the page files (work-*.js) share; each page registers
// itself in work.pages as { load, reset }. Loaded before app.js, whose $, el, api, errorText,
// toast and loadAlerts these files call only at run time (at load they use getElementById).
// Server text goes through textContent only.
"use strict";

const work = {
  pages: {}, // name -> { load, reset }
  current: "alerts", // the page shown when the tab is opened again
  watchStrategy: null, // a strategy id the paper-trading page should preselect once
};

function workShow(page = work.current) {
  // Show one page of the tab and (re)load its data from the API.
  work.current = page;
  for (const tab of document.querySelectorAll("#work-nav [role=tab]")) {
    const on = tab.dataset.page === page;
    tab.setAttribute("aria-selected", String(on));
    $(`work-${tab.dataset.page}`).hidden = !on;
  }
  const shown = work.pages[page];
  if (shown) shown.load();
}

function workReset() {
  // Forget what the pages show (on logout, so the next user never sees it).
  for (const page of Object.values(work.pages)) page.reset();
}

work.call = async (path, options, errorBox) => {
  // Return the JSON body of a successful call, or null after showing the error in errorBox.
  if (errorBox) errorBox.textContent = "";
  try {
    const response = await api(path, options);
    if (response.ok) return await response.json();
    if (errorBox && response.status !== 401) errorBox.textContent = await errorText(response);
  } catch (e) {
    if (errorBox) errorBox.textContent = `Connection problem: ${e.message}`;
  }
  return null;
};

work.send = (path, method, body, errorBox) => {
  const options = { method };
  if (body !== undefined) options.body = JSON.stringify(body);
  return work.call(path, options, errorBox);
};

work.fields = (form) => {
  // The form's filled-in fields, trimmed (empty ones left out; checkboxes as arrays).
  const out = {};
  for (const [name, raw] of new FormData(form)) {
    const value = String(raw).trim();
    if (!value) continue;
    const box = form.elements[name];
    if (box instanceof RadioNodeList || box.type === "checkbox") (out[name] = out[name] || []).push(value);
    else out[name] = value;
  }
  return out;
};

work.submit = (form, handler) => {
  // Run handler(fields) on submit with the submit button disabled until it finishes.
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await handler(work.fields(form));
    } finally {
      button.disabled = false;
    }
  });
};

work.button = (label, onClick, cls = "small") => {
  const button = el("button", { type: "button", class: cls }, label);
  button.addEventListener("click", onClick);
  return button;
};

work.pauseButton = (paused, onToggle) => {
  // "Pause" or "Resume"; onToggle(true) pauses
  return work.button(paused ? "Resume" : "Pause", () => onToggle(!paused), "small toggle");
};

work.deleteButton = (what, onDelete) => {
  // Two clicks: the first asks ("Delete?"), a second within 4 s deletes.
  const label = `Delete ${what}`;
  const button = el("button", { type: "button", class: "small delete", "aria-label": label }, "Delete");
  button.addEventListener("click", () => {
    if (button.dataset.confirm === "1") {
      onDelete();
      return;
    }
    button.dataset.confirm = "1";
    button.textContent = "Delete?";
    setTimeout(() => {
      button.dataset.confirm = "";
      button.textContent = "Delete";
    }, 4000);
  });
  return button;
};

work.change = async ({ list, error, path, reload }, id, method, body) => {
  // Send a change of one entry of list (its buttons disabled meanwhile) to path/id, reload the
  // list, and keep a refused change's error showing.
  list.querySelectorAll(`[data-id="${CSS.escape(id)}"] button`).forEach((b) => (b.disabled = true));
  const done = await work.send(`${path}/${encodeURIComponent(id)}`, method, body, error);
  const shown = error.textContent;
  await reload();
  error.textContent = shown;
  return done;
};

work.item = (id, paused, main, meta, actions) => {
  // One entry of a list of alerts, watches or briefings: a headline, details and buttons.
  const item = el("li", { class: "work-item", "data-id": id, "data-paused": String(paused) });
  if (paused) item.classList.add("paused");
  const head = el("div", { class: "item-main" });
  head.append(...main);
  if (paused) head.append(el("span", { class: "state" }, "paused"));
  const details = el("div", { class: "item-meta" });
  details.append(...meta.filter(Boolean).map((text) => el("span", {}, text)));
  const buttons = el("div", { class: "item-actions" });
  buttons.append(...actions);
  item.append(head, details, buttons);
  return item;
};

work.empty = (list, text) => list.replaceChildren(el("li", { class: "empty" }, text));

work.num = (value, digits = 2, sign = false) => {
  if (value === null || value === undefined) return "–";
  const text = Number(value).toLocaleString("en-US", {
    minimumFractionDigits: digits, maximumFractionDigits: digits,
  });
  return sign && value > 0 ? `+${text}` : text;
};

work.tone = (value) => (value > 0 ? "up" : value < 0 ? "down" : "");

work.time = (iso) => (iso ? String(iso).replace("T", " ").slice(0, 16) : "–"); // ET wall clock

work.eastern = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});

work.clock = (seconds) => {
  // epoch seconds as "YYYY-MM-DD HH:MM:SS ET", the traders' clock whatever the browser's zone
  const parts = work.eastern.formatToParts(new Date(seconds * 1000));
  const part = Object.fromEntries(parts.map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second} ET`;
};

work.reveal = (node) => {
  // Scroll node into view when it is below the visible part of its scrolling page.
  const box = node.getBoundingClientRect();
  if (box.top < 0 || box.top > window.innerHeight - 80) {
    node.scrollIntoView({ block: "start", behavior: "smooth" });
  }
};

work.stats = (box, pairs) => {
  // A <dl> of label/value pairs; a value may be [text, class].
  box.replaceChildren();
  for (const [label, value] of pairs) {
    const [text, cls] = Array.isArray(value) ? value : [value, ""];
    const cell = el("div", { class: "stat" });
    cell.append(el("dt", {}, label), el("dd", cls ? { class: cls } : {}, text));
    box.append(cell);
  }
};

for (const tab of document.querySelectorAll("#work-nav [role=tab]")) {
  tab.addEventListener("click", () => workShow(tab.dataset.page));
}
