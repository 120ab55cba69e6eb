// The agent desktop: sign-in, live state over /ws/agent, the screen-pop, wrap-up and actions.

import { ApiError, PushSocket, api, clock, forgetToken, label, present, signIn } from "/static/common.js";
import { announcePop, wireShortcuts } from "/static/desktop_alerts.js";
import { renderCall } from "/static/desktop_call.js";
import { refreshFigures, renderFigures, startFigures } from "/static/desktop_figures.js";
import { openComplaint, search, submitComplaint } from "/static/desktop_forms.js";
import { fillLists, loadLists } from "/static/desktop_lists.js";
import { renderRecord } from "/static/desktop_record.js";
import { applyDesk } from "/static/desktop_desk.js";
import { wireCallback } from "/static/desktop_callback.js";
import { askDisposition, renderDispoAbout, submitDisposition, tickWrapUp } from "/static/desktop_wrapup.js";
import { groupName, t, valueText, wireLanguageSwitches } from "/static/i18n.js";
import { initCampaign, onCampaignPop, renderCampaign } from "/static/desktop_campaign.js";
import { initWork, loadWork, onWorkMessage, renderWork } from "/static/desktop_work.js";
import { initWorkGroups, loadWorkGroups, onPresence, renderWorkGroups } from "/static/desktop_work_groups.js";
import { initPostLog, renderPostLog } from "/static/desktop_log.js";

const $ = (id) => document.getElementById(id);
// what the green button does in each state ("ready" ends wrap-up early)
const GO_ACTION = { logged_out: "login", unknown: "login", paused: "resume", wrap_up: "ready" };
const S = {
  code: null, presence: null, pausePending: null, groups: {}, pop: null, record: null, dispo: null, socket: null,
  online: true, lists: { reasons: [], dispositions: [] },
};

function notify(text, tone = "info") {
  const box = $("notice");
  box.textContent = text;
  box.className = `notice tone-${tone}`;
  box.hidden = false;
  clearTimeout(notify.timer);
  if (tone !== "bad") notify.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

function failed(what, err) {
  notify(`${what}: ${err instanceof ApiError ? err.message : err}`, "bad");
}

// -- agent state --------------------------------------------------------------------------------

function renderState() {
  const p = S.presence;
  const state = p?.state || "unknown";
  const pill = $("state-pill");
  pill.textContent = t(`st.${state}`);
  pill.className = `pill st-${state}`;
  pill.dataset.state = state;
  const queues = (p?.queues || []).map((q) => (S.groups[q] ? groupName(S.groups[q]) : label(q)));
  const pending = S.pausePending ? t("state.pause_pending", { reason: valueText("pr", S.pausePending) }) : null;
  const detail = [p?.reason ? valueText("pr", p.reason) : null, pending, queues.join(", ")].filter(Boolean);
  $("state-detail").textContent = detail.join(" · ");
  $("state-detail").dataset.since = p?.since ? p.since * 1000 : "";
  $("btn-available").disabled = !(state in GO_ACTION);
  $("btn-available").textContent = t(`btn.${GO_ACTION[state] || "available"}`);
  $("btn-pause").disabled = ["logged_out", "paused"].includes(state);
  $("btn-logout").disabled = state === "logged_out";
}

async function control(action, body) {
  try {
    const out = await api(`/api/agents/${S.code}/${action}`, { method: "POST", body });
    if (action === "login" && out?.queues) {
      const names = out.queues.map((q) => (S.groups[q.queue] ? groupName(S.groups[q.queue]) : label(q.queue)));
      notify(t("note.logged_in", { queues: names.join(", ") }), "good");
    }
    if (action === "pause" && out?.pending) { // the call goes on; the pause starts after it
      S.pausePending = out.reason;
      notify(t("note.pause_pending", { reason: valueText("pr", out.reason) }), "warn");
    } else if (["pause", "resume", "ready"].includes(action)) S.pausePending = null;
    if (action === "ready" && S.dispo) S.dispo.until = Date.now(); // the countdown is over
    renderState();
  } catch (err) {
    failed(t("fail.action", { action: t(`act.${action}`) }), err);
  }
}

// -- call and record ----------------------------------------------------------------------------

const actions = {
  onPick: (id) => loadRecord(id, true),
  onSearch: (q) => { $("search-q").value = q; search(q, (id) => loadRecord(id, false)); },
  onTransfer: async (group) => {
    try {
      await api(`/api/agents/${S.code}/transfer`, { method: "POST", body: { group } });
      notify(t("note.transferring", { group: groupName(S.groups[group]) || label(group) }), "good");
    } catch (err) { failed(t("fail.transfer"), err); }
  },
  onDial: async (c) => {
    try {
      await api(`/api/agents/${S.code}/dial`, { method: "POST", body: { customer_id: c.id } });
      notify(t("note.dialling", { name: c.name }), "good");
    } catch (err) {
      if (err.status === 409) notify(t("note.refused", { reason: err.message }), "bad");
      else failed(t("fail.dial"), err);
    }
  },
  onComplaint: (c) => openComplaint(c),
  onEscalate: async (complaint) => {
    try {
      const out = await api(`/api/complaints/${complaint.id}/escalate`, { method: "POST", body: {} });
      notify(t("note.escalated", { id: complaint.id, level: valueText("esc", out.escalation_level) }), "good");
      if (S.record) await loadRecord(S.record.customer.id, false);
    } catch (err) { failed(t("fail.escalate"), err); }
  },
};

function renderCallCard() {
  const card = $("call-card");
  card.replaceChildren(...present(renderCall(S.pop, S.groups, actions)));
  card.className = `card call ${S.pop ? `phase-${S.pop.phase}` : "idle"}`;
  document.title = S.pop?.phase === "ringing"
    ? `☎ ${S.pop.record?.customer?.name || S.pop.call.caller || t("call.incoming")} — ${t("app.desk")}`
    : t("app.desk");
}

function renderRecordCard() {
  const card = $("record");
  card.hidden = !S.record;
  if (S.record) card.replaceChildren(...present(renderRecord(S.record, actions)));
}

async function loadRecord(id, picked) {
  try {
    S.record = await api(`/api/customers/${id}/bundle`);
    if (picked && S.pop) { S.pop.picked = id; S.pop.record = S.record; renderCallCard(); }
    renderRecordCard();
  } catch (err) { failed(t("fail.customer"), err); }
}

function onPop(msg) {
  const same = S.pop && S.pop.linkedid === msg.call.linkedid;
  const pop = same ? S.pop : { linkedid: msg.call.linkedid, phase: "ringing", ringingAt: Date.now() };
  Object.assign(pop, { call: msg.call, caller: msg.caller, complete: msg.complete, error: msg.error || null });
  // while the wrap-up form of an earlier call is open, the record pane keeps that customer
  const formOpen = S.dispo && S.dispo.linkedid !== pop.linkedid;
  if (msg.bundle) pop.record = msg.bundle;
  else if (!same) pop.record = null;
  if (!formOpen && (msg.bundle || !same)) S.record = pop.record;
  S.pop = pop;
  if (msg.campaign || !same) onCampaignPop(msg.campaign || null);
  renderCallCard();
  renderRecordCard();
  if (!same) announcePop(pop, t("call.incoming"));
  if (formOpen && (!same || msg.bundle)) {
    const who = pop.record?.customer?.name || pop.call.caller || t("call.withheld_number");
    notify(t("note.pop_waiting", { who }), "warn");
  }
}

function onCallUpdate(msg) {
  if (!S.pop || S.pop.linkedid !== msg.linkedid) {
    if (msg.state === "ended" && msg.disposition_required) { askDisposition(S, msg, null); loadDesk(); }
    return;
  }
  if (msg.state === "missed") {
    notify(t("note.missed", { who: S.pop.record?.customer?.name || S.pop.call.caller || t("call.withheld_number") }), "warn");
    S.pop = null;
  } else if (msg.state === "answered") {
    Object.assign(S.pop, { phase: "connected", answeredAt: Date.now() });
  } else if (msg.state === "ended") {
    Object.assign(S.pop, { phase: "ended", talk_s: msg.talk_s });
    if (msg.disposition_required) { askDisposition(S, msg, S.pop); loadDesk(); }
  }
  renderCallCard();
}

function dispositionSaved(linkedid) {
  refreshFigures(S.code); // FCR counts the call now
  if (S.pop && S.pop.linkedid === linkedid) S.pop = null;
  else if (S.pop) S.record = S.pop.record || null; // the next caller's record, held back till now
  renderCallCard();
  renderRecordCard();
  notify(t("note.saved"), "good");
}

// -- the desk as the server has it (page load, reconnect, end of a call) ------------------------

async function loadDesk() {
  let d;
  try {
    d = await api(`/api/agents/${S.code}/desk`);
  } catch (err) {
    if (err.status !== 0) failed(t("fail.state"), err);
    return;
  }
  applyDesk(S, d);
  renderState();
  renderCallCard();
  renderRecordCard();
}

// -- start --------------------------------------------------------------------------------------

function rerender() {
  fillLists(S);
  renderState();
  renderCallCard();
  renderRecordCard();
  renderDispoAbout(S);
  renderFigures();
  renderWork(); renderWorkGroups();
  renderCampaign();
  renderPostLog();
  setOnline(S.online);
}

function tick() {
  const now = Date.now();
  for (const el of document.querySelectorAll("[data-since]")) {
    const since = Number(el.dataset.since);
    if (!since) continue;
    if (el.classList.contains("timer")) el.textContent = clock((now - since) / 1000);
  }
  const pill = $("state-pill");
  const since = Number($("state-detail").dataset.since);
  pill.title = since ? `for ${clock((now - since) / 1000)}` : "";
  tickWrapUp(S, now);
}

function setOnline(online) {
  S.online = online;
  $("offline").hidden = online;
  $("conn").textContent = t(online ? "conn.online" : "conn.offline");
  $("conn").className = `conn ${online ? "online" : "offline"}`;
  document.body.classList.toggle("is-offline", !online);
}

async function main() {
  wireLanguageSwitches(rerender);
  renderCallCard();
  const { token, me } = await signIn({
    box: $("signin"), form: $("signin-form"), input: $("signin-token"), error: $("signin-error"),
    check: async (candidate) => {
      const who = await api("/api/me", { token: candidate });
      if (!who.agent_code) throw new ApiError(403, t("signin.need_agent"));
      return who;
    },
  });
  S.code = me.agent_code;
  S.presence = me.presence;
  $("agent-name").textContent = me.agent_name || "";
  $("agent-code").textContent = `#${me.agent_code}`;
  $("app").hidden = false;
  renderState();
  renderCallCard();
  $("btn-available").onclick = () => control(GO_ACTION[S.presence?.state] || "login");
  $("btn-pause").onclick = () => control("pause", { reason: $("pause-reason").value });
  $("btn-logout").onclick = () => control("logout");
  $("btn-signout").onclick = () => { forgetToken(); S.socket?.stop(); location.reload(); };
  $("disposition").addEventListener("submit", (event) => submitDisposition(event, S, dispositionSaved));
  wireCallback();
  $("complaint-form").addEventListener("submit", (event) => submitComplaint(event, {
    notify,
    saved: (customerId) => (S.record?.customer.id === customerId ? loadRecord(customerId, false) : null),
  }));
  $("complaint-form").querySelector("[data-cancel]").onclick = () => { $("complaint-form").hidden = true; };
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); const q = $("search-q").value.trim(); if (q) search(q, (id) => loadRecord(id, false)); });
  wireShortcuts({
    ready: () => { if (!$("btn-available").disabled) $("btn-available").click(); },
    pause: () => { if (!$("btn-pause").disabled) $("btn-pause").click(); },
    disposition: () => { if (!$("disposition").hidden) $("dispo-code").focus(); },
    save: () => { if (!$("disposition").hidden) $("disposition").requestSubmit(); },
  });
  setInterval(tick, 1000);
  initPostLog({ code: S.code, notify }); // needs nothing loaded: its buttons work at once
  await loadLists(S);
  await loadDesk();
  startFigures(S.code);
  await initCampaign({ code: S.code, notify });
  await initWork({ code: S.code, notify, dispositions: S.lists.dispositions, groups: S.groups });
  await initWorkGroups({ code: S.code, notify, groups: S.groups });
  S.socket = new PushSocket("/ws/agent", {
    token,
    onStatus: setOnline,
    onOpen: ({ resumed }) => { if (!resumed) { loadDesk(); loadWork(); loadWorkGroups(); } },
    onResync: () => { loadDesk(); loadWork(); loadWorkGroups(); },
    onAuthFailed: () => { forgetToken(); location.reload(); },
    onMessage: (msg) => {
      if (msg.type === "agent_state" && msg.agent === S.code) {
        S.presence = msg;
        if (msg.state === "paused") S.pausePending = null;
        renderState();
        onPresence(msg); // a work group that follows the voice queues may have changed
        refreshFigures(S.code); // a pause began or ended, a call was counted
      }
      else if (msg.type === "screen_pop") onPop(msg);
      else if (msg.type === "call_update") onCallUpdate(msg);
      else if (msg.type.startsWith("work_")) onWorkMessage(msg);
    },
  });
  S.socket.start();
}

main();
