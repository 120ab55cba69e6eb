// Shared by the desktop and the wallboard: token handling, the REST helper, the push socket, DOM bits.

import { fmtDate, fmtMoney, t } from "/static/i18n.js";

const TOKEN_KEY = "callcenter.token";

/** The token from the URL fragment (then removed from the address bar) or from this tab's storage. */
export function takeToken() {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
  const fromUrl = (fragment.get("token") || "").trim();
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    fragment.delete("token");
    const rest = fragment.toString();
    // replaceState, so the token is not left in the history either
    history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token.trim());
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

/** FastAPI's `detail`, plain or a validation list, as one readable line. */
function detailText(data, fallback) {
  if (data && typeof data.detail === "string") return data.detail;
  if (data && Array.isArray(data.detail)) {
    return data.detail
      .map((d) => `${(d.loc || []).filter((p) => p !== "body").join(".")}: ${d.msg}`)
      .join("; ");
  }
  return fallback;
}

/** JSON over fetch with the bearer token; throws ApiError (status 0 when the server is unreachable). */
export async function api(path, { method = "GET", body, token = takeToken() } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch (err) {
    throw new ApiError(0, t("net.unreachable"));
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!res.ok) throw new ApiError(res.status, detailText(data, res.statusText));
  return data;
}

/**
 * A websocket that signs in with a hello frame, resumes with since/gen after a drop, and
 * reconnects by itself with capped, jittered backoff. Close code 1008 means the token is bad.
 */
export class PushSocket {
  constructor(path, { token, resume = true, onMessage, onStatus, onResync, onAuthFailed, onOpen }) {
    this.path = path;
    this.token = token;
    this.resume = resume;
    this.handlers = { onMessage, onStatus, onResync, onAuthFailed, onOpen };
    this.since = null;
    this.gen = null;
    this.attempt = 0;
    this.ws = null;
    this.timer = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000);
  }

  status(online) {
    if (this.handlers.onStatus) this.handlers.onStatus(online);
  }

  connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${location.host}${this.path}`);
    this.ws = ws;
    ws.onopen = () => {
      const hello = { type: "hello", token: this.token };
      const resuming = this.resume && this.since !== null;
      if (resuming) Object.assign(hello, { since: this.since, gen: this.gen });
      ws.send(JSON.stringify(hello));
      this.attempt = 0;
      this.status(true);
      if (this.handlers.onOpen) this.handlers.onOpen({ resumed: resuming });
    };
    ws.onmessage = (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return; // not ours to interpret; the protocol only sends JSON
      }
      if (typeof msg.seq === "number" && msg.gen) {
        this.since = msg.seq;
        this.gen = msg.gen;
      }
      if (msg.type === "resync") {
        if (this.handlers.onResync) this.handlers.onResync(msg);
        return;
      }
      if (this.handlers.onMessage) this.handlers.onMessage(msg);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.status(false);
      if (event.code === 1008) {
        this.stopped = true;
        if (this.handlers.onAuthFailed) this.handlers.onAuthFailed(event.reason);
        return;
      }
      if (!this.stopped) this.schedule();
    };
  }

  schedule() {
    const base = Math.min(10000, 500 * 2 ** this.attempt);
    this.attempt += 1;
    const delay = base / 2 + Math.random() * (base / 2);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

/** Create an element: h("div", {class: "x", onclick: fn}, "text", child, ...). Text is never HTML. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** The nodes of a render function, without the parts it left out (null / false). */
export function present(parts) {
  return parts.flat(Infinity).filter((p) => p !== null && p !== undefined && p !== false);
}

/** 75 -> "1:15", 3700 -> "1:01:40". */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

/** A date in the page's language (Intl). */
export function dateText(iso) {
  return fmtDate(iso);
}

/** An amount in the page's language (Intl), CNY unless the order says otherwise. */
export function money(amount, currency) {
  return fmtMoney(amount, currency);
}

export function label(slug) {
  return String(slug ?? "").replace(/[_-]+/g, " ");
}

/**
 * Wire the shared sign-in box: resolves with a token (from the URL, storage, or typed in).
 * `check(token)` must throw an ApiError for a token that does not fit this page.
 */
export function signIn({ box, form, input, error, check }) {
  return new Promise((resolve) => {
    const attempt = async (token, fromForm) => {
      try {
        const me = await check(token);
        storeToken(token);
        box.hidden = true;
        resolve({ token, me });
      } catch (err) {
        if (err instanceof ApiError && err.status === 0 && !fromForm) {
          setTimeout(() => attempt(token, false), 2000); // server away: keep the token, retry
          return;
        }
        forgetToken();
        box.hidden = false;
        error.textContent = err.message;
        input.focus();
      }
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (token) attempt(token, true);
    });
    const token = takeToken();
    if (token) attempt(token, false);
    else {
      box.hidden = false;
      input.focus();
    }
  });
}
