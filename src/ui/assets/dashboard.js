// The dashboard's only script (served from /ui/assets/, run under a CSP that allows no inline script).
// It keeps the caller's credential in sessionStorage, sends it only in the Authorization header, fills
// each [data-fragment] region with the server-rendered HTML fragment, follows a job's events over
// Server-Sent Events (reconnecting with Last-Event-ID), and sends the cancel request. Text from the
// API is only ever written with textContent; HTML comes only from the service's own fragments,
// which escape everything they show.

const STORAGE_KEY = "backend-agent.credential";
const RETRY_MS = 2000;
const REFRESH_MIN_MS = 1500;

/** @returns {string | null} */
function credential() {
  return sessionStorage.getItem(STORAGE_KEY);
}

/** @param {HeadersInit} [extra] */
function authHeaders(extra) {
  const headers = new Headers(extra);
  const key = credential();
  if (key) headers.set("Authorization", `Bearer ${key}`);
  return headers;
}

/** @param {string} message */
function notice(message) {
  const el = document.getElementById("notice");
  if (!el) return;
  el.textContent = message;
  el.hidden = message === "";
}

/** @param {string} [message] */
function showLogin(message) {
  const form = document.getElementById("login");
  const error = document.getElementById("login-error");
  const who = document.getElementById("who");
  if (who) who.hidden = true;
  if (error) {
    error.textContent = message ?? "";
    error.hidden = !message;
  }
  if (form) {
    form.hidden = false;
    document.getElementById("credential")?.focus();
  }
}

/** A 401: the stored credential was refused, or this service needs one. */
function refused() {
  showLogin(credential() ? "The credential was refused (401). Enter a valid API key or token." : undefined);
}

/**
 * The API's error message of `response`, in words.
 * @param {Response} response
 */
async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body && body.error && typeof body.error.message === "string") {
      return `${response.status}: ${body.error.message}`;
    }
  } catch {
    // Not JSON: fall through.
  }
  return `${response.status}: ${response.statusText || "request failed"}`;
}

/** @param {HTMLElement} region */
/** A region or the event log that failed in a way not handled where it happened: say so on the page. */
function failed() {
  notice("Something went wrong loading this page; reload to try again.");
}

async function loadRegion(region) {
  const url = region.dataset.fragment;
  if (!url) return;
  region.setAttribute("aria-busy", "true");
  let response;
  try {
    response = await fetch(url, { headers: authHeaders({ Accept: "text/html" }), credentials: "omit" });
  } catch {
    region.setAttribute("aria-busy", "false");
    notice("The service cannot be reached; try again.");
    return;
  }
  region.setAttribute("aria-busy", "false");
  if (response.status === 401) {
    region.replaceChildren();
    refused();
    return;
  }
  if (!response.ok) {
    const p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = await errorMessage(response);
    region.replaceChildren(p);
    return;
  }
  // Server-rendered by the service; every untrusted value in it is escaped there.
  region.innerHTML = await response.text();
  bindCancel(region);
}

function loadAll() {
  for (const region of document.querySelectorAll("[data-fragment]")) {
    if (region instanceof HTMLElement) loadRegion(region).catch(failed);
  }
}

let lastRefresh = 0;
let refreshTimer = 0;
function refreshOnEvent() {
  const wait = lastRefresh + REFRESH_MIN_MS - Date.now();
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = 0;
    lastRefresh = Date.now();
    for (const region of document.querySelectorAll("[data-refresh=events]")) {
      if (region instanceof HTMLElement) loadRegion(region).catch(failed);
    }
  }, Math.max(0, wait));
}

/** @param {HTMLElement} root */
function bindCancel(root) {
  for (const button of root.querySelectorAll("button[data-cancel]")) {
    if (!(button instanceof HTMLButtonElement)) continue;
    button.addEventListener("click", async () => {
      const id = button.dataset.cancel ?? "";
      button.disabled = true;
      button.textContent = "Cancelling…";
      try {
        const response = await fetch(`/v1/jobs/${encodeURIComponent(id)}/cancel`, {
          method: "POST",
          headers: authHeaders({ Accept: "application/json" }),
          credentials: "omit",
        });
        if (response.ok) {
          notice(response.status === 202 ? "The job is stopping." : "The job is cancelled.");
        } else {
          notice(`Cancel refused: ${await errorMessage(response)}`);
          button.disabled = false;
          button.textContent = "Cancel job";
        }
      } catch {
        notice("The cancel request did not reach the service; try again.");
        button.disabled = false;
        button.textContent = "Cancel job";
      }
      refreshOnEvent();
    });
  }
}

/**
 * One job event as a list item, written with textContent only.
 * @param {{seq: number, at: string, kind: string, message: string}} event
 */
function eventItem(event) {
  const li = document.createElement("li");
  li.dataset.seq = String(event.seq);
  li.dataset.kind = event.kind;
  const time = document.createElement("time");
  time.dateTime = event.at;
  time.textContent = new Date(event.at).toLocaleTimeString();
  const kind = document.createElement("span");
  kind.className = "kind";
  kind.textContent = event.kind;
  const message = document.createElement("span");
  message.className = "message";
  message.textContent = event.message;
  li.append(time, " ", kind, " ", message);
  return li;
}

/**
 * Follows the job's event stream at `log.dataset.events`, resuming after the last event seen.
 * @param {HTMLOListElement} log
 */
async function followEvents(log) {
  const url = log.dataset.events;
  const status = document.getElementById("stream-status");
  const say = (/** @type {string} */ text) => {
    if (status) status.textContent = text;
  };
  let lastId = "";
  let ended = false;
  while (!ended) {
    const headers = authHeaders({ Accept: "text/event-stream" });
    if (lastId) headers.set("Last-Event-ID", lastId);
    try {
      const response = await fetch(url ?? "", { headers, credentials: "omit", cache: "no-store" });
      if (response.status === 401) {
        refused();
        return;
      }
      if (!response.ok || !response.body) {
        say(`Events unavailable: ${await errorMessage(response)}`);
        if (response.status === 404 || response.status === 403) return;
      } else {
        say("Live: new events appear as they happen.");
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, "\n");
          let cut;
          while ((cut = buffer.indexOf("\n\n")) !== -1) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const message = parseBlock(block);
            if (message.id !== undefined) lastId = message.id;
            if (message.event === "end") {
              ended = true;
              let final = "";
              try {
                final = JSON.parse(message.data).status ?? "";
              } catch {
                // Keep the generic wording.
              }
              say(`The job ended${final ? `: ${final}` : ""}. No more events.`);
              refreshOnEvent();
            } else if (message.data) {
              log.append(eventItem(JSON.parse(message.data)));
              refreshOnEvent();
            }
          }
        }
      }
    } catch {
      // The connection dropped: reconnect below, resuming after lastId.
    }
    if (!ended) {
      say("Disconnected; reconnecting…");
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

/**
 * One Server-Sent Events message block.
 * @param {string} block
 */
function parseBlock(block) {
  /** @type {{id?: string, event?: string, data: string}} */
  const message = { data: "" };
  const data = [];
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") message.id = value;
    else if (field === "event") message.event = value;
    else if (field === "data") data.push(value);
  }
  message.data = data.join("\n");
  return message;
}

function start() {
  const form = document.getElementById("login");
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("credential");
    if (!(input instanceof HTMLInputElement)) return;
    const value = input.value.trim();
    input.value = "";
    if (!value) return;
    sessionStorage.setItem(STORAGE_KEY, value);
    if (form instanceof HTMLElement) form.hidden = true;
    begin();
  });
  document.getElementById("forget")?.addEventListener("click", () => {
    sessionStorage.removeItem(STORAGE_KEY);
    location.reload();
  });
  // Without a stored credential the data is asked for all the same: a service run with
  // AUTH_DISABLED=true answers, and any other answers 401, which shows the sign-in form.
  begin();
}

function begin() {
  const who = document.getElementById("who");
  if (who) who.hidden = !credential();
  notice("");
  loadAll();
  const log = document.getElementById("event-log");
  if (log instanceof HTMLOListElement && log.dataset.events) followEvents(log).catch(failed);
}

start();
