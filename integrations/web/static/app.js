// Whispr chat page: login, threads, streamed answers, tables, charts (chat-chart.js). No dependencies.
// Every piece of server or user text goes through textContent (never innerHTML).
"use strict";

const $ = (id) => document.getElementById(id);
const NUMERIC = /^[-+]?[$]?[-+]?\d[\d,]*(\.\d+)?%?$/;
const ALERT_TOOLS = new Set(["create_alert", "change_alert"]);
const POLL_MS = 10000;
const TOAST_MS = 8000;
const MAX_NOTICES = 100;
let currentThread = null;
// The alert inbox: notifications seen this session (oldest first), the last id, the poll timer.
// `generation` changes on logout so that a poll already in flight is ignored when it returns.
const inbox = { items: [], last: 0, timer: null, generation: 0 };

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path, options = {}) {
  const headers = { "X-Whispr-CSRF": "1", ...(options.headers || {}) };
  if (options.body) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { credentials: "same-origin", ...options, headers });
  if (response.status === 401 && path !== "/api/login") {
    showLogin($("app").hidden ? "" : "Your session ended; log in again.");
  }
  return response;
}

async function errorText(response) {
  try {
    const body = await response.json();
    return body.error || `${response.status} ${response.statusText}`;
  } catch (e) {
    return `${response.status} ${response.statusText}`;
  }
}

function showLogin(message = "") {
  stopInbox();
  stopLive();
  workReset();
  $("app").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message;
  $("username").focus();
}

function setTitle(text) {
  $("thread-title").textContent = text || "New chat";
}

async function start() {
  const response = await api("/api/me");
  if (!response.ok) return showLogin();
  const me = await response.json();
  $("who").textContent = `${me.username} (${me.role})`;
  $("login").hidden = true;
  $("login-error").textContent = "";
  $("app").hidden = false;
  startInbox();
  startLive();
  showView("dashboard");
  await Promise.all([loadThreads(), loadAlerts()]);
  showExamples();
}

async function login(event) {
  event.preventDefault();
  $("login-button").disabled = true;
  $("login-error").textContent = "";
  try {
    const response = await api("/api/login", {
      method: "POST",
      body: JSON.stringify({ username: $("username").value, password: $("password").value }),
    });
    if (!response.ok) return showLogin(await errorText(response));
    $("password").value = "";
    await start();
  } catch (e) {
    showLogin(`Connection problem: ${e.message}`);
  } finally {
    $("login-button").disabled = false;
  }
}

async function loadThreads() {
  const response = await api("/api/threads");
  if (!response.ok) return;
  const list = $("threads");
  list.replaceChildren();
  const threads = await response.json();
  if (!threads.length) list.append(el("li", { class: "empty" }, "No conversations yet."));
  for (const thread of threads) list.append(threadItem(thread));
}

function threadItem(thread) {
  // One sidebar entry: click or Enter opens it; its two small buttons rename and delete it.
  const item = el("li", { "data-thread": thread.thread, title: thread.title, tabindex: "0" });
  if (thread.thread === currentThread) {
    item.classList.add("active");
    item.setAttribute("aria-current", "true");
  }
  const actions = el("span", { class: "thread-actions" });
  const rename = el("button", {
    type: "button", class: "thread-action rename", title: "Rename",
    "aria-label": `Rename thread \u201c${thread.title}\u201d`,
  });
  const remove = el("button", {
    type: "button", class: "thread-action delete", title: "Delete",
    "aria-label": `Delete thread \u201c${thread.title}\u201d`,
  });
  rename.addEventListener("click", (event) => {
    event.stopPropagation();
    renameThread(thread);
  });
  remove.addEventListener("click", (event) => {
    event.stopPropagation();
    deleteThread(thread);
  });
  actions.append(rename, remove);
  item.append(
    el("span", { class: "channel" }, thread.channel),
    el("span", { class: "title" }, thread.title),
    actions,
  );
  item.addEventListener("click", () => openThread(thread.thread));
  item.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target === item) openThread(thread.thread);
  });
  return item;
}

async function renameThread(thread) {
  $("thread-error").textContent = "";
  const title = window.prompt("New title for this conversation (1-120 characters):", thread.title);
  if (title === null) return; // cancelled
  try {
    const response = await api(`/api/threads/${encodeURIComponent(thread.thread)}`, {
      method: "PATCH",
      body: JSON.stringify({ title }),
    });
    if (!response.ok) {
      $("thread-error").textContent = await errorText(response);
      return;
    }
    const renamed = await response.json();
    if (renamed.thread === currentThread) setTitle(renamed.title);
  } catch (e) {
    $("thread-error").textContent = `Connection problem: ${e.message}`;
  }
  await loadThreads();
  focusThread(thread.thread, ".rename");
}

async function deleteThread(thread) {
  $("thread-error").textContent = "";
  const question = `Delete \u201c${thread.title}\u201d? Its messages and the assistant's memory of it are removed.`;
  if (!window.confirm(question)) return;
  try {
    const response = await api(`/api/threads/${encodeURIComponent(thread.thread)}`, { method: "DELETE" });
    if (!response.ok && response.status !== 404) {
      $("thread-error").textContent = await errorText(response);
      return;
    }
  } catch (e) {
    $("thread-error").textContent = `Connection problem: ${e.message}`;
    return;
  }
  if (thread.thread === currentThread) newThread(); // the open conversation is gone
  else await loadThreads();
}

function focusThread(id, selector) {
  // Keep the keyboard where it was after the list is rebuilt.
  const item = document.querySelector(`#threads li[data-thread="${CSS.escape(id)}"]`);
  const target = item && item.querySelector(selector);
  if (target) target.focus();
}

function columnAlign(block, i) {
  // Right-align a column the server marks right only when it holds numbers (labels stay left).
  if ((block.align || [])[i] !== "right") return "left";
  const cells = block.rows.map((row) => String(row[i] ?? "").trim()).filter((c) => c);
  return cells.length && cells.every((c) => NUMERIC.test(c)) ? "right" : "left";
}

function tableCsv(block) {
  // RFC 4180: quote every cell, double the quotes inside
  const quote = (cell) => `"${String(cell ?? "").replaceAll('"', '""')}"`;
  return [block.header, ...block.rows].map((row) => row.map(quote).join(",")).join("\r\n") + "\r\n";
}

function tableTools(block) {
  const bar = el("div", { class: "table-tools" });
  const csv = el("button", { type: "button", class: "small", title: "Download this table as CSV" }, "CSV");
  csv.addEventListener("click", () => {
    const url = URL.createObjectURL(new Blob([tableCsv(block)], { type: "text/csv" }));
    const link = el("a", { href: url, download: `whispr-${block.header[0] || "table"}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  const copy = el("button", { type: "button", class: "small", title: "Copy as tab-separated text" }, "Copy");
  copy.addEventListener("click", async () => {
    const text = [block.header, ...block.rows].map((row) => row.join("\t")).join("\n");
    try {
      await navigator.clipboard.writeText(text);
      toast("Table copied.");
    } catch {
      toast("Copy is not allowed here; use CSV.");
    }
  });
  bar.append(csv, copy);
  return bar;
}

function renderTable(block) {
  const wrap = el("div", { class: "table-wrap" });
  wrap.append(tableTools(block));
  const table = el("table");
  const align = block.header.map((_, i) => columnAlign(block, i));
  const head = el("tr");
  block.header.forEach((cell, i) => head.append(el("th", { class: align[i], scope: "col" }, cell)));
  table.append(el("thead"), el("tbody"));
  table.tHead.append(head);
  for (const row of block.rows) {
    const tr = el("tr");
    row.forEach((cell, i) => tr.append(el("td", { class: align[i] }, cell)));
    table.tBodies[0].append(tr);
  }
  wrap.append(table);
  return wrap;
}

function renderBlocks(container, blocks, fallbackText) {
  destroyCharts(container);
  container.replaceChildren();
  if (!blocks || !blocks.length) {
    container.append(el("div", { class: "text" }, fallbackText || ""));
    return;
  }
  for (const block of blocks) {
    if (block.kind === "table") container.append(renderTable(block));
    else if (block.kind === "image") container.append(renderChartBlock(block));
    else container.append(el("div", { class: "text" }, block.text));
  }
}

function describeArgs(args) {
  return Object.entries(args || {})
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
}

function renderTools(container, calls) {
  container.replaceChildren();
  if (!calls.length) return;
  container.append(el("span", { class: "tools-label" }, "Tools:"));
  for (const call of calls) {
    const status = call.status || "running";
    const badge = el("button", {
      type: "button",
      class: `tool tool-${status}`,
      title: `${call.name} (${status}): click for its arguments`,
      "aria-expanded": "false",
    });
    badge.append(el("code", { class: "name" }, call.name));
    const args = describeArgs(call.args);
    if (args) badge.append(el("span", { class: "args" }, args));
    badge.addEventListener("click", () => {
      const open = badge.classList.toggle("expanded");
      badge.setAttribute("aria-expanded", String(open));
    });
    container.append(badge);
  }
}

const EXAMPLES = [
  "SPX day levels",
  "did SPX trigger the golden gate today?",
  "how often does a bullish golden gate complete after 1pm?",
  "what % of days does SPY close above the call trigger?",
  "alert me when SPY loses the put trigger",
  "size it: 25k account, 1% risk, long SPY 450 stop 447",
];

function showExamples() {
  // An empty thread offers questions to start from; one click asks it.
  if ($("conversation").children.length) return;
  const box = el("div", { id: "examples", class: "examples" });
  box.append(el("p", { class: "muted" }, "Ask anything about SPX/SPY levels, or try:"));
  for (const question of EXAMPLES) {
    const button = el("button", { type: "button", class: "example" }, question);
    button.addEventListener("click", () => {
      $("question").value = question;
      $("ask-form").requestSubmit();
    });
    box.append(button);
  }
  $("conversation").append(box);
}

function clearConversation() {
  destroyCharts($("conversation")); // charts hold a library chart and observers: free them first
  $("conversation").replaceChildren();
}

function addUserMessage(text) {
  $("examples")?.remove();
  $("conversation").append(el("div", { class: "msg user" }, text));
}

function addAssistantMessage() {
  const box = el("div", { class: "msg assistant", "data-state": "working", "aria-busy": "true" });
  const body = el("div", { class: "body" });
  const tools = el("div", { class: "tools" });
  body.append(el("div", { class: "working" }, "working…"));
  box.append(body, tools);
  $("conversation").append(box);
  return { box, body, tools, calls: [], text: "", done: false };
}

function finishAssistant(view, reply) {
  view.done = true;
  const status = reply.status || "ok";
  view.box.classList.add(`status-${status}`);
  renderBlocks(view.body, reply.blocks, reply.answer || reply.text);
  if (status !== "ok") view.body.prepend(el("div", { class: "status-label" }, status.replace("_", " ")));
  renderTools(view.tools, reply.tool_calls || []);
  view.box.dataset.state = "done";
  view.box.removeAttribute("aria-busy");
  view.box.scrollIntoView({ block: "end" });
}

function handleEvent(view, name, data) {
  if (name === "thread") currentThread = data.thread;
  else if (name === "tool") {
    view.calls.push(data);
    renderTools(view.tools, view.calls);
  } else if (name === "delta") {
    view.text += data.text;
    view.body.replaceChildren(el("div", { class: "text" }, view.text));
  } else if (name === "done") finishAssistant(view, data);
  else if (name === "error") {
    finishAssistant(view, { status: "error", answer: data.error, tool_calls: view.calls });
  }
}

async function ask(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  const fresh = !currentThread;
  $("question").value = "";
  $("send").disabled = true;
  addUserMessage(question);
  if (fresh) setTitle(question);
  const view = addAssistantMessage();
  view.box.scrollIntoView({ block: "end" });
  const params = new URLSearchParams({ q: question });
  if (currentThread) params.set("thread", currentThread);
  try {
    const response = await api(`/api/ask/stream?${params}`);
    if (!response.ok) {
      finishAssistant(view, { status: "error", answer: await errorText(response), tool_calls: [] });
      return;
    }
    let reply = null;
    await readEvents(response, (name, data) => {
      if (name === "done") reply = data;
      handleEvent(view, name, data);
    });
    if (reply && (reply.tool_calls || []).some((call) => ALERT_TOOLS.has(call.name))) loadAlerts();
    if (!view.done) {
      finishAssistant(view, {
        status: "error", answer: "The answer stopped before it was complete; try again.", tool_calls: view.calls,
      });
    }
  } catch (e) {
    finishAssistant(view, { status: "error", answer: `Connection problem: ${e.message}`, tool_calls: [] });
  } finally {
    $("send").disabled = false;
    $("question").focus();
    await loadThreads();
  }
}

async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const chunk = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let name = "message";
      const data = [];
      for (const line of chunk.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
  }
}

async function openThread(id) {
  showView("chat");
  const response = await api(`/api/threads/${encodeURIComponent(id)}`);
  if (!response.ok) return;
  const thread = await response.json();
  currentThread = thread.thread;
  setTitle(thread.title);
  clearConversation();
  for (const message of thread.messages) {
    if (message.role === "user") addUserMessage(message.text);
    else finishAssistant(addAssistantMessage(), { ...message, answer: message.text });
  }
  await loadThreads();
}

function newThread() {
  showView("chat");
  currentThread = null;
  setTitle();
  clearConversation();
  showExamples();
  loadThreads();
  $("question").focus();
}

async function logout() {
  stopInbox();
  try {
    await api("/api/logout", { method: "POST" });
  } catch (e) {
    // the page forgets the session either way
  }
  currentThread = null;
  setTitle();
  clearConversation();
  $("threads").replaceChildren();
  $("thread-error").textContent = "";
  $("alert-list").replaceChildren();
  $("alert-error").textContent = "";
  $("who").textContent = "";
  showLogin();
}

// ---- alerts: the user's alerts with Pause/Resume and Delete ----

async function loadAlerts() {
  const response = await api("/api/alerts");
  if (!response.ok) {
    $("alert-error").textContent = response.status === 401 ? "" : await errorText(response);
    return;
  }
  renderAlerts((await response.json()).alerts || []);
}

function renderAlerts(alerts) {
  const list = $("alert-list");
  list.replaceChildren();
  if (!alerts.length) {
    const hint = "No alerts yet. Ask: \u201calert me when SPY loses the put trigger\u201d.";
    list.append(el("li", { class: "empty" }, hint));
    return;
  }
  for (const alert of alerts) list.append(alertItem(alert));
}

function alertItem(alert) {
  const paused = Boolean(alert.paused);
  const item = el("li", { class: "alert", "data-alert": alert.id, "data-paused": String(paused) });
  if (paused) item.classList.add("paused");
  const arrow = alert.direction === "up" ? "\u2191" : "\u2193";
  const main = el("div", { class: "alert-main" });
  main.append(
    el("span", { class: "symbol" }, alert.symbol),
    el("span", { class: `direction dir-${alert.direction}` }, `${arrow} ${alert.direction}`),
    el("span", { class: "level" }, alert.level),
  );
  if (paused) main.append(el("span", { class: "state" }, "paused"));
  const meta = el("div", { class: "alert-meta" });
  if (alert.ribbon) meta.append(el("span", { class: "ribbon" }, `ribbon ${alert.ribbon}`));
  if (alert.window) meta.append(el("span", { class: "window" }, `${alert.window} ET`));
  meta.append(el("span", { class: "destination", title: "posts to" }, `\u2192 ${alert.destination}`));
  const actions = el("div", { class: "alert-actions" });
  const toggle = el("button", { type: "button", class: "small toggle" }, paused ? "Resume" : "Pause");
  toggle.addEventListener("click", () => {
    changeAlert(alert.id, { method: "PATCH", body: JSON.stringify({ paused: !paused }) });
  });
  // two clicks: the first asks, the second (within 4 s) deletes (work.js)
  const remove = work.deleteButton(`alert ${alert.id}`, () => changeAlert(alert.id, { method: "DELETE" }));
  actions.append(toggle, remove);
  item.append(main, meta, actions);
  return item;
}

async function changeAlert(id, options) {
  $("alert-error").textContent = "";
  const buttons = document.querySelectorAll(`#alert-list li[data-alert="${CSS.escape(id)}"] button`);
  buttons.forEach((button) => (button.disabled = true));
  try {
    const response = await api(`/api/alerts/${encodeURIComponent(id)}`, options);
    if (!response.ok) $("alert-error").textContent = await errorText(response);
  } catch (e) {
    $("alert-error").textContent = `Connection problem: ${e.message}`;
  }
  await loadAlerts();
}

// ---- notifications: poll the inbox, show a badge, a list and toasts ----

function pollMs() {
  // Tests (and impatient users) may set localStorage "whispr.pollMs"; never below 200 ms.
  try {
    const wanted = Number(localStorage.getItem("whispr.pollMs"));
    if (wanted > 0) return Math.max(200, wanted);
  } catch (e) {
    // storage disabled: the default
  }
  return POLL_MS;
}

function startInbox() {
  stopInbox();
  pollInbox(inbox.generation);
}

function stopInbox() {
  inbox.generation += 1;
  clearTimeout(inbox.timer);
  inbox.timer = null;
  inbox.items = [];
  inbox.last = 0;
  $("notice-list").replaceChildren();
  $("toasts").replaceChildren();
  showNotices(false);
  renderBadge();
}

async function pollInbox(generation) {
  try {
    const response = await api(`/api/notifications?after=${inbox.last}`);
    if (generation !== inbox.generation) return;
    if (response.ok) addNotices(await response.json());
  } catch (e) {
    // offline for a moment: try again at the next tick
  }
  if (generation === inbox.generation) {
    inbox.timer = setTimeout(() => pollInbox(generation), pollMs());
  }
}

function addNotices(notices) {
  const fresh = notices.filter((n) => n.id > inbox.last);
  if (!fresh.length) return;
  inbox.last = Math.max(...fresh.map((n) => n.id));
  inbox.items = inbox.items.concat(fresh).slice(-MAX_NOTICES);
  renderNotices();
  const unread = fresh.filter((n) => !n.read);
  if (unread.length > 3) toast(`${unread.length} new alert notifications`);
  else unread.forEach((n) => toast(n.message));
  if (!$("notices").hidden) markRead();
  else renderBadge();
}

function renderNotices() {
  const list = $("notice-list");
  list.replaceChildren();
  if (!inbox.items.length) list.append(el("li", { class: "empty" }, "No notifications yet."));
  for (const notice of [...inbox.items].reverse()) {
    const when = new Date(notice.ts * 1000);
    const item = el("li", { class: "notice", "data-notice": String(notice.id) });
    if (!notice.read) item.classList.add("unread");
    item.append(
      el("time", { datetime: when.toISOString() }, when.toLocaleString()),
      el("div", { class: "message" }, notice.message),
    );
    list.append(item);
  }
}

function renderBadge() {
  const unread = inbox.items.filter((n) => !n.read).length;
  const badge = $("badge");
  badge.textContent = unread > 99 ? "99+" : String(unread);
  badge.hidden = unread === 0;
  $("bell").setAttribute("aria-label", unread ? `Notifications, ${unread} unread` : "Notifications");
}

function showNotices(open) {
  $("notices").hidden = !open;
  $("bell").setAttribute("aria-expanded", String(open));
}

async function markRead() {
  const upTo = inbox.last;
  if (!inbox.items.some((n) => !n.read && n.id <= upTo)) return renderBadge();
  const generation = inbox.generation;
  try {
    const body = JSON.stringify({ up_to: upTo });
    const response = await api("/api/notifications/read", { method: "POST", body });
    if (!response.ok || generation !== inbox.generation) return;
  } catch (e) {
    return;
  }
  for (const notice of inbox.items) if (notice.id <= upTo) notice.read = true;
  renderBadge();
  // the unread highlight stays until the list closes, so the user sees what was new
}

function toggleNotices() {
  const open = $("notices").hidden;
  showNotices(open);
  if (open) {
    $("toasts").replaceChildren();
    markRead();
  } else renderNotices();
}

function toast(message) {
  const box = el("div", { class: "toast", role: "status" });
  const text = el("button", { type: "button", class: "toast-text", title: "Show all" }, message);
  text.addEventListener("click", () => {
    if ($("notices").hidden) toggleNotices();
    box.remove();
  });
  const close = el("button", { type: "button", class: "toast-close", "aria-label": "Dismiss" });
  close.textContent = "\u00d7";
  close.addEventListener("click", () => box.remove());
  box.append(text, close);
  $("toasts").append(box);
  while ($("toasts").children.length > 3) $("toasts").firstElementChild.remove();
  setTimeout(() => box.remove(), TOAST_MS);
}

$("login-form").addEventListener("submit", login);
$("ask-form").addEventListener("submit", ask);
$("new-thread").addEventListener("click", newThread);
$("tab-dashboard").addEventListener("click", () => showView("dashboard"));
$("tab-chat").addEventListener("click", () => showView("chat"));
$("tab-work").addEventListener("click", () => showView("work"));
$("logout").addEventListener("click", logout);
$("bell").addEventListener("click", toggleNotices);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !$("notices").hidden) toggleNotices();
});
$("question").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("ask-form").requestSubmit();
  }
});
start();
