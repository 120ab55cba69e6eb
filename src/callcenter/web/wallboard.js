// The wallboard: one tile per group and the agent board, live from /ws/wallboard, ticking locally.

import { ApiError, PushSocket, api, clock, forgetToken, h, label, signIn } from "/static/common.js";

const $ = (id) => document.getElementById(id);
const STATE_ORDER = ["ringing", "on_call", "wrap_up", "available", "paused", "logged_out"];
const STATE_TEXT = {
  available: "Free", ringing: "Ringing", on_call: "On call", wrap_up: "Wrap-up",
  paused: "Paused", logged_out: "Logged out",
};
let snapshot = null;
let receivedAt = 0;

function pct(value) {
  return value === null || value === undefined ? "—" : `${Math.round(value)}%`;
}

function secs(value) {
  return value === null || value === undefined ? "—" : clock(value);
}

/** green at or above target, amber within 10 points of it, red below; grey with no calls yet. */
export function slTone(sl, target) {
  if (sl === null || sl === undefined) return "none";
  if (sl >= target) return "good";
  return sl >= target - 10 ? "warn" : "bad";
}

function stat(name, value, extra = {}) {
  return h("div", { class: "stat", ...extra }, h("span", { class: "stat-value" }, value), h("span", { class: "stat-name" }, name));
}

function groupTile(g) {
  const tone = slTone(g.sl_percent, g.sl_target_percent);
  const late = g.waiting > 0 && g.longest_wait_s > g.sl_target_s;
  const a = g.agents || {};
  const paused = Object.entries(g.paused_by_reason || {}).map(([r, n]) => `${r} ${n}`).join(", ");
  return h("article", { class: `tile sl-${tone}${late ? " late" : ""}`, "data-group": g.slug },
    h("header", { class: "tile-head" },
      h("div", {}, h("h3", {}, g.name), h("span", { class: "zh" }, g.name_zh)),
      h("div", { class: "sl", title: `answered within ${g.sl_target_s}s` },
        h("span", { class: "sl-value", "data-testid": "sl" }, pct(g.sl_percent)),
        h("span", { class: "sl-target" }, `SL target ${g.sl_target_percent}% / ${g.sl_target_s}s`))),
    h("div", { class: "tile-now" },
      stat("waiting", String(g.waiting), { "data-testid": "waiting", class: `stat big${g.waiting ? " hot" : ""}` }),
      stat("longest wait", g.waiting ? clock(g.longest_wait_s) : "—", {
        class: `stat big${late ? " hot" : ""}`, "data-tick": g.waiting ? g.longest_wait_s : null,
      })),
    h("div", { class: "tile-day" },
      stat("offered", String(g.offered)), stat("answered", String(g.answered)),
      stat("abandoned", String(g.abandoned)), stat("aband. rate", pct(g.abandon_rate)),
      stat("ASA", secs(g.asa_s)), stat("AHT", secs(g.aht_s))),
    h("footer", { class: "tile-agents" },
      h("span", { class: "dot st-available" }, `${a.available || 0} free`),
      h("span", { class: "dot st-on_call" }, `${(a.on_call || 0) + (a.ringing || 0)} busy`),
      h("span", { class: "dot st-wrap_up" }, `${a.wrap_up || 0} wrap-up`),
      h("span", { class: "dot st-paused", title: paused }, `${a.paused || 0} paused`),
      paused ? h("span", { class: "muted reasons" }, paused) : null,
      h("span", { class: "staffing", "data-testid": "staffing", title: "Erlang C for the SL target at the last interval's load" },
        `needed now: ${g.agents_needed ?? "—"}, logged in: ${loggedIn(a)}`)));
}

function loggedIn(a) {
  return Object.entries(a).filter(([state]) => state !== "logged_out").reduce((n, [, k]) => n + k, 0);
}

function agentCard(a) {
  return h("div", { class: `agent-card st-${a.state}`, "data-agent": a.code, "data-state": a.state },
    h("div", { class: "agent-name" }, a.name || a.code, h("span", { class: "muted" }, ` ${a.code}`)),
    h("div", { class: "agent-state" }, STATE_TEXT[a.state] || label(a.state),
      a.reason ? h("span", { class: "reason" }, ` · ${a.reason}`) : null),
    h("div", { class: "agent-time", "data-tick": a.time_in_state_s }, clock(a.time_in_state_s)),
    h("div", { class: "agent-stats muted" }, `${a.answered} answered${a.aht_s ? ` · AHT ${clock(a.aht_s)}` : ""}`));
}

function render() {
  const s = snapshot;
  $("groups").replaceChildren(...(s.groups || []).map(groupTile));
  const agents = [...(s.agents || [])].sort((x, y) =>
    STATE_ORDER.indexOf(x.state) - STATE_ORDER.indexOf(y.state) || x.code.localeCompare(y.code));
  $("agents").replaceChildren(...agents.map(agentCard));
  const count = (st) => agents.filter((a) => a.state === st).length;
  $("wb-agent-counts").textContent =
    `${count("available")} free · ${count("ringing") + count("on_call")} on calls · ${count("wrap_up")} wrap-up · ${count("paused")} paused`;
  const sum = (k) => (s.groups || []).reduce((n, g) => n + (g[k] || 0), 0);
  $("wb-totals").replaceChildren(
    stat("waiting", String(sum("waiting")), { class: `stat${sum("waiting") ? " hot" : ""}`, "data-testid": "total-waiting" }),
    stat("offered today", String(sum("offered"))), stat("answered", String(sum("answered"))),
    stat("abandoned", String(sum("abandoned"))));
  $("wb-day").textContent = s.day || "";
}

function tick() {
  if (snapshot) {
    const elapsed = (performance.now() - receivedAt) / 1000;
    for (const el of document.querySelectorAll("[data-tick]")) {
      const target = el.classList.contains("stat") ? el.querySelector(".stat-value") : el;
      target.textContent = clock(Number(el.dataset.tick) + elapsed);
    }
  }
  const tz = snapshot?.timezone;
  try {
    $("wb-time").textContent = new Date().toLocaleTimeString("en-GB", tz ? { timeZone: tz } : {});
  } catch {
    $("wb-time").textContent = new Date().toLocaleTimeString("en-GB");
  }
}

function setOnline(online) {
  $("offline").hidden = online;
  $("conn").textContent = online ? "● live" : "● offline";
  $("conn").className = `conn ${online ? "online" : "offline"}`;
  document.body.classList.toggle("is-offline", !online);
}

async function main() {
  const { token } = await signIn({
    box: $("signin"), form: $("signin-form"), input: $("signin-token"), error: $("signin-error"),
    check: async (t) => {
      const who = await api("/api/me", { token: t });
      if (!who.may_view_wallboard) throw new ApiError(403, "The wallboard needs a supervisor or admin token.");
      return who;
    },
  });
  $("app").hidden = false;
  setInterval(tick, 1000);
  tick();
  // Every connection starts with a full snapshot, so there is nothing to resume.
  new PushSocket("/ws/wallboard", {
    token,
    resume: false,
    onStatus: setOnline,
    onAuthFailed: () => { forgetToken(); location.reload(); },
    onMessage: (msg) => {
      if (msg.type !== "wallboard") return;
      snapshot = msg;
      receivedAt = performance.now();
      render();
      tick();
    },
  }).start();
}

main();
