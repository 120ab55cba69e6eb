// The wallboard: one tile per group and the agent board, live from /ws/wallboard, ticking locally.

import { ApiError, PushSocket, api, clock, forgetToken, h, label, signIn } from "/static/common.js";
import {
  fmtDay, fmtNumber, fmtPercent, fmtTime, groupName, groupOtherName, t, valueText, wireLanguageSwitches,
} from "/static/i18n.js";
import { mountCampaigns, renderCampaigns } from "/static/wallboard_campaigns.js";
import { mountQuality, renderQuality } from "/static/wallboard_quality.js";
import { forceParts, wireForceDialog } from "/static/wallboard_force.js";
import { superviseParts, watchMonitoring } from "/static/wallboard_supervise.js";
import { groupsInAlarm, renderAlarms, sparkline } from "/static/wallboard_trend.js";
import { renderWaiting } from "/static/wallboard_waiting.js";

const $ = (id) => document.getElementById(id);
const STATE_ORDER = ["ringing", "on_call", "wrap_up", "available", "paused", "logged_out"];
const STATE_KEY = {
  available: "wb.free", ringing: "st.ringing", on_call: "wb.on_call", wrap_up: "st.wrap_up",
  paused: "st.paused", logged_out: "st.logged_out",
};
let snapshot = null;
let receivedAt = 0;
let online = null;

function pct(value) {
  return fmtPercent(value);
}

function num(value) {
  return fmtNumber(value);
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

/** Work items of the group: open, overdue, oldest age, done today, SLA %, callbacks due / made. */
function workRow(w) {
  return h("div", { class: "tile-day tile-work", "data-testid": "work" },
    stat(t("wb.work_open"), num(w.items_open), { "data-testid": "work-open" }),
    stat(t("wb.work_overdue"), num(w.items_overdue), { "data-testid": "work-overdue", class: `stat${w.items_overdue ? " hot" : ""}` }),
    stat(t("wb.work_oldest"), secs(w.oldest_age_s), { "data-testid": "work-oldest" }),
    stat(t("wb.work_done"), num(w.done_today), { "data-testid": "work-done" }),
    stat(t("wb.work_sla"), pct(w.sla_pct), { "data-testid": "work-sla" }),
    stat(t("wb.callbacks_due"), num(w.callbacks_due), { "data-testid": "callbacks-due" }),
    stat(t("wb.callbacks_made"), num(w.callbacks_made), { "data-testid": "callbacks-made" }));
}

function groupTile(g, alarmed, trend) {
  const tone = slTone(g.sl_percent, g.sl_target_percent);
  const late = g.waiting > 0 && g.longest_wait_s > g.sl_target_s;
  const a = g.agents || {};
  const paused = Object.entries(g.paused_by_reason || {}).map(([r, n]) => `${valueText("pr", r)} ${n}`).join(", ");
  return h("article", { class: `tile sl-${tone}${late ? " late" : ""}${alarmed ? " alarm" : ""}`, "data-group": g.slug, "data-alarm": alarmed ? "1" : "0" },
    h("header", { class: "tile-head" },
      h("div", {}, h("h3", {}, groupName(g)), h("span", { class: "zh" }, groupOtherName(g))),
      h("div", { class: "sl", title: t("wb.within", { s: g.sl_target_s }) },
        h("span", { class: "sl-value", "data-testid": "sl" }, pct(g.sl_percent)),
        h("span", { class: "sl-target" }, t("wb.target", { p: pct(g.sl_target_percent), s: g.sl_target_s })))),
    h("div", { class: "tile-now" },
      stat(t("wb.waiting"), num(g.waiting), { "data-testid": "waiting", class: `stat big${g.waiting ? " hot" : ""}` }),
      stat(t("wb.longest"), g.waiting ? clock(g.longest_wait_s) : "—", {
        class: `stat big${late ? " hot" : ""}`, "data-tick": g.waiting ? g.longest_wait_s : null,
      })),
    sparkline(trend, g.sl_target_percent),
    h("div", { class: "tile-day" },
      stat(t("wb.offered"), num(g.offered)), stat(t("wb.answered"), num(g.answered)),
      stat(t("wb.abandoned"), num(g.abandoned)), stat(t("wb.abandon_rate"), pct(g.abandon_rate)),
      stat(t("wb.asa"), secs(g.asa_s)), stat(t("wb.aht"), secs(g.aht_s)),
      stat(t("wb.fcr"), pct(g.fcr_percent), { "data-testid": "fcr", title: t("wb.fcr_help") })),
    g.work ? workRow(g.work) : null,
    h("footer", { class: "tile-agents" },
      h("span", { class: "dot st-available" }, t("wb.n_free", { n: num(a.available || 0) })),
      h("span", { class: "dot st-on_call" }, t("wb.n_busy", { n: num((a.on_call || 0) + (a.ringing || 0)) })),
      h("span", { class: "dot st-wrap_up" }, t("wb.n_wrap", { n: num(a.wrap_up || 0) })),
      h("span", { class: "dot st-paused", title: paused }, t("wb.n_paused", { n: num(a.paused || 0) })),
      paused ? h("span", { class: "muted reasons" }, paused) : null,
      h("span", { class: "staffing", "data-testid": "staffing", title: t("wb.staffing_help") },
        t("wb.staffing", { needed: g.agents_needed ?? "—", in: num(loggedIn(a)) }))));
}

function loggedIn(a) {
  return Object.entries(a).filter(([state]) => state !== "logged_out").reduce((n, [, k]) => n + k, 0);
}

function slugName(slug) {
  const group = (snapshot.groups || []).find((g) => g.slug === slug);
  return group ? groupName(group) : slug;
}

function agentCard(a) {
  const over = (snapshot.alarms || []).some((x) => x.kind === "pause" && x.agent === a.code);
  return h("div", { class: `agent-card st-${a.state}${over ? " alarm" : ""}`, "data-agent": a.code, "data-state": a.state },
    h("div", { class: "agent-name" }, a.name || a.code, h("span", { class: "muted" }, ` ${a.code}`)),
    h("div", { class: "agent-state" }, STATE_KEY[a.state] ? t(STATE_KEY[a.state]) : label(a.state),
      a.reason ? h("span", { class: "reason" }, ` · ${valueText("pr", a.reason)}`) : null,
      a.pause_pending ? h("span", { class: "reason pause-pending" }, ` · ${t("state.pause_pending", { reason: valueText("pr", a.pause_pending) })}`) : null),
    h("div", { class: "agent-time", "data-tick": a.time_in_state_s }, clock(a.time_in_state_s)),
    h("div", { class: "agent-stats muted" }, t("wb.agent_answered", { n: num(a.answered) }),
      a.aht_s ? ` · ${t("wb.agent_aht", { t: clock(a.aht_s) })}` : ""),
    a.work_groups?.length ? h("div", { class: "agent-work muted", "data-testid": "agent-work" },
      t("wb.agent_work", { groups: a.work_groups.map(slugName).join(", ") })) : null,
    superviseParts(a, (message) => { $("wb-supervise-error").textContent = message; }),
    forceParts(a));
}

function render() {
  const s = snapshot;
  if (!s) return;
  const alarmed = groupsInAlarm(s.alarms);
  $("groups").replaceChildren(...(s.groups || []).map((g) => groupTile(g, alarmed.has(g.slug), s.trend?.groups?.[g.slug])));
  renderAlarms($("wb-alarms"), $("wb-announce"), s.alarms, s.groups || [], s.agents || []);
  renderWaiting($("waiting-list"), s.waiting || [], s.groups || []);
  const agents = [...(s.agents || [])].sort((x, y) =>
    STATE_ORDER.indexOf(x.state) - STATE_ORDER.indexOf(y.state) || x.code.localeCompare(y.code));
  $("agents").replaceChildren(...agents.map(agentCard));
  const count = (st) => agents.filter((a) => a.state === st).length;
  $("wb-agent-counts").textContent = t("wb.counts", {
    free: num(count("available")), busy: num(count("ringing") + count("on_call")),
    wrap: num(count("wrap_up")), paused: num(count("paused")),
  });
  const sum = (k) => (s.groups || []).reduce((n, g) => n + (g[k] || 0), 0);
  $("wb-totals").replaceChildren(
    stat(t("wb.waiting"), num(sum("waiting")), { class: `stat${sum("waiting") ? " hot" : ""}`, "data-testid": "total-waiting" }),
    stat(t("wb.offered_today"), num(sum("offered"))), stat(t("wb.answered"), num(sum("answered"))),
    stat(t("wb.abandoned"), num(sum("abandoned"))));
  $("wb-day").textContent = fmtDay(s.day);
  $("wb-day").dataset.day = s.day || "";
}

function tick() {
  if (snapshot) {
    const elapsed = (performance.now() - receivedAt) / 1000;
    for (const el of document.querySelectorAll("[data-tick]")) {
      const target = el.classList.contains("stat") ? el.querySelector(".stat-value") : el;
      target.textContent = clock(Number(el.dataset.tick) + elapsed);
    }
  }
  $("wb-time").textContent = fmtTime(new Date(), snapshot?.timezone);
}

function setOnline(value) {
  online = value;
  if (value === null) return;
  $("offline").hidden = value;
  $("conn").textContent = t(value ? "conn.live" : "conn.offline");
  $("conn").className = `conn ${value ? "online" : "offline"}`;
  document.body.classList.toggle("is-offline", !value);
}

async function main() {
  wireLanguageSwitches(() => { setOnline(online); render(); tick(); renderQuality(); renderCampaigns(); });
  const { token } = await signIn({
    box: $("signin"), form: $("signin-form"), input: $("signin-token"), error: $("signin-error"),
    check: async (candidate) => {
      const who = await api("/api/me", { token: candidate });
      if (!who.may_view_wallboard) throw new ApiError(403, t("signin.need_supervisor"));
      return who;
    },
  });
  $("app").hidden = false;
  setInterval(tick, 1000);
  tick();
  watchMonitoring(render);
  mountQuality($("quality"));
  mountCampaigns($("campaigns"));
  wireForceDialog((message) => { $("wb-supervise-error").textContent = message; });
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
