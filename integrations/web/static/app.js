// Whispr chat page: login, threads, streamed answers, tables and charts. No dependencies.
// Every piece of server text goes through textContent (never innerHTML).
"use strict";

const $ = (id) => document.getElementById(id);
let currentThread = null;

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
  if (response.status === 401 && path !== "/api/login") showLogin();
  return response;
}

async function errorText(response) {
  try {
    const body = await response.json();
    return body.error || response.statusText;
  } catch (e) {
    return response.statusText;
  }
}

function showLogin(message = "") {
  $("app").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message;
  $("username").focus();
}

async function start() {
  const response = await api("/api/me");
  if (!response.ok) return showLogin();
  const me = await response.json();
  $("who").textContent = `${me.username} (${me.role})`;
  $("login").hidden = true;
  $("app").hidden = false;
  await loadThreads();
  $("question").focus();
}

async function login(event) {
  event.preventDefault();
  $("login-button").disabled = true;
  const response = await api("/api/login", {
    method: "POST",
    body: JSON.stringify({ username: $("username").value, password: $("password").value }),
  });
  $("login-button").disabled = false;
  if (!response.ok) return showLogin(await errorText(response));
  $("password").value = "";
  await start();
}

async function loadThreads() {
  const response = await api("/api/threads");
  if (!response.ok) return;
  const list = $("threads");
  list.replaceChildren();
  for (const thread of await response.json()) {
    const item = el("li", { "data-thread": thread.thread, title: thread.title });
    if (thread.thread === currentThread) item.classList.add("active");
    item.append(el("span", { class: "channel" }, thread.channel), thread.title);
    item.addEventListener("click", () => openThread(thread.thread));
    list.append(item);
  }
}

function renderTable(block) {
  const table = el("table");
  const head = el("tr");
  block.header.forEach((cell, i) => head.append(el("th", { class: block.align[i] || "left" }, cell)));
  table.append(el("thead"), el("tbody"));
  table.tHead.append(head);
  for (const row of block.rows) {
    const tr = el("tr");
    row.forEach((cell, i) => tr.append(el("td", { class: block.align[i] || "left" }, cell)));
    table.tBodies[0].append(tr);
  }
  return table;
}

function renderBlocks(container, blocks, fallbackText) {
  container.replaceChildren();
  if (!blocks || !blocks.length) {
    container.append(el("div", { class: "text" }, fallbackText || ""));
    return;
  }
  for (const block of blocks) {
    if (block.kind === "table") container.append(renderTable(block));
    else if (block.kind === "image") {
      container.append(el("img", { src: `/api/charts/${encodeURIComponent(block.name)}`, alt: block.name }));
    } else container.append(el("div", { class: "text" }, block.text));
  }
}

function renderTools(container, calls) {
  container.replaceChildren();
  if (!calls.length) return;
  const details = el("details", { open: "" });
  details.append(el("summary", {}, `Tools ran (${calls.length})`));
  const list = el("ul");
  for (const call of calls) {
    const item = el("li", { class: call.status || "" });
    item.append(el("code", {}, call.name), " ", JSON.stringify(call.args || {}));
    list.append(item);
  }
  details.append(list);
  container.append(details);
}

function addUserMessage(text) {
  $("conversation").append(el("div", { class: "msg user" }, text));
}

function addAssistantMessage() {
  const box = el("div", { class: "msg assistant" });
  const body = el("div", { class: "body" });
  const tools = el("div", { class: "tools" });
  body.append(el("div", { class: "working" }, "working…"));
  box.append(body, tools);
  $("conversation").append(box);
  return { box, body, tools, calls: [], text: "" };
}

function finishAssistant(view, reply) {
  view.box.classList.add(`status-${reply.status || "ok"}`);
  renderBlocks(view.body, reply.blocks, reply.answer || reply.text);
  renderTools(view.tools, reply.tool_calls || []);
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
}

async function ask(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  $("question").value = "";
  $("send").disabled = true;
  addUserMessage(question);
  const view = addAssistantMessage();
  const params = new URLSearchParams({ q: question });
  if (currentThread) params.set("thread", currentThread);
  try {
    const response = await api(`/api/ask/stream?${params}`);
    if (!response.ok) {
      finishAssistant(view, { status: "error", answer: await errorText(response), tool_calls: [] });
      return;
    }
    await readEvents(response, (name, data) => handleEvent(view, name, data));
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
  const response = await api(`/api/threads/${encodeURIComponent(id)}`);
  if (!response.ok) return;
  const thread = await response.json();
  currentThread = thread.thread;
  $("thread-title").textContent = thread.title;
  $("conversation").replaceChildren();
  for (const message of thread.messages) {
    if (message.role === "user") addUserMessage(message.text);
    else finishAssistant(addAssistantMessage(), { ...message, answer: message.text });
  }
  await loadThreads();
}

function newThread() {
  currentThread = null;
  $("thread-title").textContent = "New chat";
  $("conversation").replaceChildren();
  loadThreads();
  $("question").focus();
}

async function logout() {
  await api("/api/logout", { method: "POST" });
  currentThread = null;
  $("conversation").replaceChildren();
  showLogin();
}

$("login-form").addEventListener("submit", login);
$("ask-form").addEventListener("submit", ask);
$("new-thread").addEventListener("click", newThread);
$("logout").addEventListener("click", logout);
$("question").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("ask-form").requestSubmit();
  }
});
start();
