// The agent desktop: sign-in, live state over /ws/agent, the screen-pop, wrap-up and actions.

import { ApiError, PushSocket, api, clock, forgetToken, h, label, present, signIn } from "/static/common.js";
import { renderCall } from "/static/desktop_call.js";
import { renderRecord } from "/static/desktop_record.js";

const $ = (id) => document.getElementById(id);
const S = { code: null, presence: null, groups: {}, pop: null, record: null, dispo: null, socket: null };
const STATE_TEXT = {
  available: "Available", ringing: "Ringing", on_call: "On a call", wrap_up: "Wrap-up",
  paused: "Paused", logged_out: "Logged out",
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
  pill.textContent = STATE_TEXT[state] || "Unknown";
  pill.className = `pill st-${state}`;
  pill.dataset.state = state;
  const detail = [p?.reason, p?.queues?.length ? p.queues.map(label).join(", ") : null].filter(Boolean);
  $("state-detail").textContent = detail.join(" · ");
  $("state-detail").dataset.since = p?.since ? p.since * 1000 : "";
  $("btn-available").disabled = !["logged_out", "paused", "unknown"].includes(state);
  $("btn-available").textContent = state === "paused" ? "Resume" : state === "logged_out" || state === "unknown" ? "Log in" : "Available";
  $("btn-pause").disabled = ["logged_out", "paused"].includes(state);
  $("btn-logout").disabled = state === "logged_out";
}

async function control(action, body) {
  try {
    const out = await api(`/api/agents/${S.code}/${action}`, { method: "POST", body });
    if (action === "login" && out?.queues) notify(`Logged in to ${out.queues.map((q) => label(q.queue)).join(", ")}`, "good");
  } catch (err) {
    failed(`Could not ${action}`, err);
  }
}

async function refreshMe() {
  try {
    const me = await api("/api/me");
    if (me.presence) S.presence = me.presence;
    renderState();
  } catch (err) {
    if (err.status !== 0) failed("Could not load your state", err);
  }
}

// -- call and record ----------------------------------------------------------------------------

const actions = {
  onPick: (id) => loadRecord(id, true),
  onSearch: (q) => { $("search-q").value = q; search(q); },
  onTransfer: async (group) => {
    try {
      await api(`/api/agents/${S.code}/transfer`, { method: "POST", body: { group } });
      notify(`Transferring to ${label(group)}…`, "good");
    } catch (err) { failed("Transfer failed", err); }
  },
  onDial: async (c) => {
    try {
      await api(`/api/agents/${S.code}/dial`, { method: "POST", body: { customer_id: c.id } });
      notify(`Dialling ${c.name}… your phone rings first.`, "good");
    } catch (err) {
      if (err.status === 409) notify(`Call refused: ${err.message}`, "bad");
      else failed("Could not dial", err);
    }
  },
  onComplaint: (c) => openComplaint(c),
  onEscalate: async (complaint) => {
    try {
      const out = await api(`/api/complaints/${complaint.id}/escalate`, { method: "POST", body: {} });
      notify(`Complaint #${complaint.id} escalated to ${label(out.escalation_level)}`, "good");
      if (S.record) await loadRecord(S.record.customer.id, false);
    } catch (err) { failed("Could not escalate", err); }
  },
};

function renderCallCard() {
  const card = $("call-card");
  card.replaceChildren(...present(renderCall(S.pop, S.groups, actions)));
  card.className = `card call ${S.pop ? `phase-${S.pop.phase}` : "idle"}`;
  document.title = S.pop?.phase === "ringing"
    ? `☎ ${S.pop.record?.customer?.name || S.pop.call.caller || "Incoming call"} — Service Desk`
    : "Service Desk · 书友服务台";
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
  } catch (err) { failed("Could not load the customer", err); }
}

function onPop(msg) {
  const same = S.pop && S.pop.linkedid === msg.call.linkedid;
  const pop = same ? S.pop : { linkedid: msg.call.linkedid, phase: "ringing", ringingAt: Date.now() };
  Object.assign(pop, { call: msg.call, caller: msg.caller, complete: msg.complete, error: msg.error || null });
  if (msg.bundle) { pop.record = msg.bundle; S.record = msg.bundle; }
  else if (!same) { pop.record = null; S.record = null; }
  S.pop = pop;
  renderCallCard();
  renderRecordCard();
}

function onCallUpdate(msg) {
  if (!S.pop || S.pop.linkedid !== msg.linkedid) {
    if (msg.state === "ended" && msg.disposition_required) askDisposition(msg, null);
    return;
  }
  if (msg.state === "missed") {
    notify(`Missed call from ${S.pop.record?.customer?.name || S.pop.call.caller || "a withheld number"}`, "warn");
    S.pop = null;
  } else if (msg.state === "answered") {
    Object.assign(S.pop, { phase: "connected", answeredAt: Date.now() });
  } else if (msg.state === "ended") {
    Object.assign(S.pop, { phase: "ended", talk_s: msg.talk_s });
    if (msg.disposition_required) askDisposition(msg, S.pop);
  }
  renderCallCard();
}

// -- wrap-up ------------------------------------------------------------------------------------

function askDisposition(msg, pop) {
  S.dispo = { linkedid: msg.linkedid };
  const who = pop?.record?.customer?.name || pop?.call?.caller || "the caller";
  $("dispo-about").textContent = `Call with ${who}, talked ${clock(msg.talk_s)}. Record what it was about.`;
  $("dispo-error").textContent = "";
  $("disposition").reset();
  $("disposition").hidden = false;
  $("dispo-code").focus();
}

async function submitDisposition(event) {
  event.preventDefault();
  const form = $("disposition");
  const settled = form.elements.settled.value;
  const body = { linkedid: S.dispo.linkedid, code: $("dispo-code").value, settled: settled === "yes" };
  const note = $("dispo-note").value.trim();
  if (note) body.note = note;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await api(`/api/agents/${S.code}/disposition`, { method: "POST", body });
    form.hidden = true;
    S.dispo = null;
    if (S.pop && S.pop.linkedid === body.linkedid) { S.pop = null; renderCallCard(); }
    notify("Disposition saved.", "good");
  } catch (err) {
    $("dispo-error").textContent = err.message; // the form keeps what was typed
  } finally {
    button.disabled = false;
  }
}

// -- search and complaints ----------------------------------------------------------------------

async function search(q) {
  const list = $("search-results");
  list.replaceChildren(h("li", { class: "muted" }, "Searching…"));
  try {
    const found = await api(`/api/customers?q=${encodeURIComponent(q)}&limit=20`);
    list.replaceChildren(...(found.length ? found.map((c) => h("li", {}, h("button", {
      class: "result", type: "button", onclick: () => loadRecord(c.id, false),
    }, h("strong", {}, c.name), h("span", { class: `badge seg-${c.segment}` }, label(c.segment)),
    h("span", { class: "muted" }, ` ${c.member_number}${c.city ? ` · ${c.city}` : ""}`)))) : [h("li", { class: "muted" }, "No customer found.")]));
  } catch (err) {
    list.replaceChildren(h("li", { class: "error" }, err.message));
  }
}

function openComplaint(customer) {
  const form = $("complaint-form");
  form.dataset.customer = customer.id;
  $("complaint-for").textContent = `for ${customer.name}`;
  form.querySelector(".error").textContent = "";
  form.hidden = false;
  form.elements.subject.focus();
}

async function submitComplaint(event) {
  event.preventDefault();
  const form = $("complaint-form");
  const f = form.elements;
  const body = {
    customer_id: Number(form.dataset.customer), category: f.category.value,
    severity: f.severity.value, subject: f.subject.value.trim(), description: f.description.value.trim(),
  };
  try {
    const out = await api("/api/complaints", { method: "POST", body });
    notify(`Complaint #${out.id} opened.`, "good");
    form.reset();
    form.hidden = true;
    if (S.record && S.record.customer.id === body.customer_id) await loadRecord(body.customer_id, false);
  } catch (err) {
    form.querySelector(".error").textContent = err.message;
  }
}

// -- start --------------------------------------------------------------------------------------

function fillSelect(select, values) {
  select.replaceChildren(...values.map((v) => h("option", { value: v }, label(v))));
}

async function loadLists() {
  const [reasons, dispositions, groups] = await Promise.allSettled([
    api("/api/pause-reasons"), api("/api/dispositions"), api("/api/groups"),
  ]);
  fillSelect($("pause-reason"), reasons.value || []);
  fillSelect($("dispo-code"), dispositions.value || []);
  for (const g of groups.value || []) S.groups[g.queue] = g;
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
}

function setOnline(online) {
  $("offline").hidden = online;
  $("conn").textContent = online ? "● online" : "● offline";
  $("conn").className = `conn ${online ? "online" : "offline"}`;
  document.body.classList.toggle("is-offline", !online);
}

async function main() {
  const { token, me } = await signIn({
    box: $("signin"), form: $("signin-form"), input: $("signin-token"), error: $("signin-error"),
    check: async (t) => {
      const who = await api("/api/me", { token: t });
      if (!who.agent_code) throw new ApiError(403, "This desktop needs an agent token.");
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
  $("btn-available").onclick = () => control(S.presence?.state === "paused" ? "resume" : "login");
  $("btn-pause").onclick = () => control("pause", { reason: $("pause-reason").value });
  $("btn-logout").onclick = () => control("logout");
  $("btn-signout").onclick = () => { forgetToken(); S.socket?.stop(); location.reload(); };
  $("disposition").addEventListener("submit", submitDisposition);
  $("complaint-form").addEventListener("submit", submitComplaint);
  $("complaint-form").querySelector("[data-cancel]").onclick = () => { $("complaint-form").hidden = true; };
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); const q = $("search-q").value.trim(); if (q) search(q); });
  setInterval(tick, 1000);
  await loadLists();
  S.socket = new PushSocket("/ws/agent", {
    token,
    onStatus: setOnline,
    onOpen: ({ resumed }) => { if (!resumed) refreshMe(); },
    onResync: () => refreshMe(),
    onAuthFailed: () => { forgetToken(); location.reload(); },
    onMessage: (msg) => {
      if (msg.type === "agent_state" && msg.agent === S.code) { S.presence = msg; renderState(); }
      else if (msg.type === "screen_pop") onPop(msg);
      else if (msg.type === "call_update") onCallUpdate(msg);
    },
  });
  S.socket.start();
}

main();
