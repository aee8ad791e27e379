// The operations console: logs an admin in, then renders the admin API's snapshot stream
// (/v1/admin/ops/stream). The token stays in this tab (sessionStorage) and travels in the
// Authorization header, never in a URL; everything shown is set as text, never as HTML.
"use strict";

const TOKEN = "microshop.ops.token";
const RECONNECT_MS = 2000;
let stream = null;

const $ = (id) => document.getElementById(id);

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  Object.entries(attributes || {}).forEach(([k, v]) => {
    if (v !== undefined && v !== null) node.setAttribute(k, v);
  });
  children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(c ?? "")));
  return node;
}

function badge(state) {
  return el("span", { class: "state " + state, "data-state": state }, state);
}

function token() {
  return sessionStorage.getItem(TOKEN);
}

function showLogin(message) {
  sessionStorage.removeItem(TOKEN);
  if (stream) stream.abort();
  stream = null;
  $("console").hidden = true;
  $("session").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message || "";
}

function showConsole() {
  $("login").hidden = true;
  $("console").hidden = false;
  $("session").hidden = false;
}

async function problem(response) {
  try {
    const body = await response.json();
    return body.detail || body.title || response.statusText;
  } catch (e) {
    return response.statusText || "HTTP " + response.status;
  }
}

async function logIn(event) {
  event.preventDefault();
  $("login-button").disabled = true;
  $("login-error").textContent = "";
  try {
    const response = await fetch("/v1/auth/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: $("email").value, password: $("password").value }),
    });
    if (!response.ok) {
      $("login-error").textContent = await problem(response);
      return;
    }
    sessionStorage.setItem(TOKEN, (await response.json()).accessToken);
    $("password").value = "";
    await start();
  } catch (e) {
    $("login-error").textContent = "the gateway cannot be reached: " + e.message;
  } finally {
    $("login-button").disabled = false;
  }
}

/** One snapshot first (a customer's token is told so here), then the live stream. */
async function start() {
  const response = await fetch("/v1/admin/ops", { headers: { Authorization: "Bearer " + token() } });
  if (response.status === 401 || response.status === 403) {
    showLogin(await problem(response));
    return;
  }
  showConsole();
  if (response.ok) render(await response.json());
  listen();
}

async function refresh() {
  const response = await fetch("/v1/admin/ops", { headers: { Authorization: "Bearer " + token() } });
  if (response.ok) render(await response.json());
}

/** Server-Sent Events over fetch, so the token can go in a header (EventSource sends none). */
async function listen() {
  const controller = new AbortController();
  stream = controller;
  setLive("connecting");
  try {
    const response = await fetch("/v1/admin/ops/stream", {
      headers: { Authorization: "Bearer " + token(), Accept: "text/event-stream" },
      signal: controller.signal,
    });
    if (response.status === 401 || response.status === 403) {
      showLogin(await problem(response));
      return;
    }
    if (!response.ok) throw new Error(await problem(response));
    setLive("live");
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const expired = handle(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (expired) {
          showLogin("your session expired: log in again");
          return;
        }
      }
    }
  } catch (e) {
    if (controller.signal.aborted) return;
    $("console-error").textContent = "the live view was interrupted: " + e.message;
  }
  if (stream === controller) {
    setLive("offline");
    setTimeout(() => stream === controller && listen(), RECONNECT_MS);
  }
}

/** One event; true when it says the token expired. */
function handle(block) {
  let event = "message";
  const data = [];
  block.split("\n").forEach((line) => {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trim());
  });
  if (event === "expired") return true;
  if (event === "snapshot" && data.length) render(JSON.parse(data.join("\n")));
  return false;
}

function setLive(state) {
  const live = $("live");
  live.className = "badge " + state;
  live.textContent = state;
}

function render(snapshot) {
  $("console-error").textContent = "";
  $("updated").textContent = "updated " + new Date(snapshot.at).toLocaleTimeString();
  renderServices(snapshot.status, snapshot.breakers || {});
  renderOutboxes(snapshot.outboxes || {});
  renderOrders(snapshot.orders || {}, snapshot.traceUrl);
}

function renderServices(status, breakers) {
  const overall = $("overall");
  overall.replaceChildren(status.error ? badge("DOWN") : badge(status.status));
  const rows = Object.entries(status.services || {}).map(([name, service]) =>
    el(
      "tr",
      { "data-service": name },
      el("td", {}, name),
      el("td", { class: "status" }, badge(service.status)),
      el(
        "td",
        { class: "instances" },
        (service.instances || []).map((i) =>
          el(
            "span",
            { class: "instance" },
            `pid ${i.pid ?? "?"} · ${i.ping}` + (i.latencyMs !== undefined ? ` · ${i.latencyMs.toFixed(1)} ms` : "")
          )
        )
      ),
      el("td", { class: "breaker" }, breakers[name] ? badge(breakers[name]) : "")
    )
  );
  if (status.error) rows.push(el("tr", {}, el("td", { colspan: 4, class: "error" }, status.error)));
  $("services").tBodies[0].replaceChildren(...rows);
}

function renderOutboxes(outboxes) {
  const rows = [];
  const letters = [];
  Object.entries(outboxes).forEach(([service, box]) => {
    if (box.error) {
      rows.push(el("tr", { "data-service": service }, el("td", {}, service), el("td", { colspan: 3, class: "error" }, box.error)));
      return;
    }
    rows.push(
      el(
        "tr",
        { "data-service": service },
        el("td", {}, service),
        el("td", { class: "num pending" }, String(box.pending)),
        el("td", { class: "num lag" }, `${Number(box.lagSeconds).toFixed(1)} s`),
        el("td", { class: "num dead" }, String(box.dead))
      )
    );
    (box.deadLetters || []).forEach((d) => letters.push(deadLetter(service, d)));
  });
  $("outboxes").tBodies[0].replaceChildren(...rows);
  $("dead-letters").tBodies[0].replaceChildren(...letters);
  $("dead-letters").hidden = letters.length === 0;
  $("no-dead-letters").hidden = letters.length > 0;
}

function deadLetter(service, d) {
  const button = el("button", { type: "button", class: "redrive", "data-id": d.id }, "Redrive");
  button.addEventListener("click", () => redrive(service, d.id, button));
  return el(
    "tr",
    { "data-dead-letter": d.id },
    el("td", {}, service),
    el("td", {}, d.destination),
    el("td", { class: "num" }, String(d.attempts)),
    el("td", {}, d.lastError || ""),
    el("td", {}, d.createdAt ? new Date(d.createdAt).toLocaleString() : ""),
    el("td", {}, button)
  );
}

async function redrive(service, id, button) {
  button.disabled = true;
  const response = await fetch(
    `/v1/admin/dead-letters/${encodeURIComponent(service)}/${encodeURIComponent(id)}/redrive`,
    { method: "POST", headers: { Authorization: "Bearer " + token() } }
  );
  if (!response.ok) {
    $("console-error").textContent = `redrive of ${id} failed: ` + (await problem(response));
    button.disabled = false;
    return;
  }
  await refresh();
}

function renderOrders(orders, traceUrl) {
  if (orders.error) {
    $("orders-rate").textContent = "-";
    $("orders-p99").textContent = "-";
    $("no-recent").hidden = false;
    $("no-recent").textContent = "orders cannot be read: " + orders.error;
    $("recent-orders").hidden = true;
    return;
  }
  $("orders-rate").textContent = Number(orders.placedPerSecond).toFixed(2);
  $("orders-p99").textContent = orders.p99Ms === null || orders.p99Ms === undefined ? "-" : `${orders.p99Ms} ms`;
  const rows = (orders.recent || []).map((o) =>
    el(
      "tr",
      { "data-order": o.id },
      el("td", {}, o.id),
      el("td", {}, o.status),
      el("td", {}, o.reason || ""),
      el("td", { class: "num" }, `${o.ms} ms`),
      el("td", {}, new Date(o.createdAt).toLocaleTimeString()),
      el(
        "td",
        {},
        traceUrl && o.traceId
          ? el("a", { href: traceUrl.replace("{traceId}", o.traceId), target: "_blank", rel: "noopener noreferrer", class: "trace" }, "trace")
          : ""
      )
    )
  );
  $("recent-orders").tBodies[0].replaceChildren(...rows);
  $("recent-orders").hidden = rows.length === 0;
  $("no-recent").hidden = rows.length > 0;
  $("no-recent").textContent = "None in the last 15 minutes.";
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", logIn);
  $("logout").addEventListener("click", () => showLogin(""));
  if (token()) start().catch((e) => showLogin("the gateway cannot be reached: " + e.message));
  else showLogin("");
});
