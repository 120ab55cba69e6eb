// Supervision on the wallboard: listen / whisper / barge buttons on an agent on a call, and a flag
// on every agent a supervisor hears now (polled from /api/monitoring).

import { api, h } from "/static/common.js";
import { t } from "/static/i18n.js";

const PHONE_KEY = "callcenter.supervisor_phone";
const MODES = ["listen", "whisper", "barge"];
let monitored = {};

/** The mode a supervisor hears this agent in now, or null. */
export function monitoredMode(code) {
  return monitored[code] || null;
}

/** The supervisor's own phone (interface), asked once and remembered in this browser. */
function supervisorPhone() {
  let phone = localStorage.getItem(PHONE_KEY);
  if (!phone) {
    phone = (window.prompt(t("sup.ask_phone")) || "").trim();
    if (!phone) return null;
    localStorage.setItem(PHONE_KEY, phone);
  }
  return phone;
}

async function monitor(code, mode, onError) {
  const supervisor = supervisorPhone();
  if (!supervisor) return;
  try {
    await api(`/api/agents/${encodeURIComponent(code)}/monitor`, { method: "POST", body: { mode, supervisor } });
  } catch (err) {
    onError(err.message);
  }
}

/** The flag and buttons of one agent card (buttons only while the agent is on a call). */
export function superviseParts(a, onError) {
  const mode = monitoredMode(a.code);
  const flag = mode ? h("div", { class: "agent-monitored", "data-testid": "monitored" }, t(`sup.flag.${mode}`)) : null;
  if (a.state !== "on_call") return [flag];
  const buttons = MODES.map((m) =>
    h("button", { type: "button", class: `sup-btn sup-${m}`, "data-mode": m, onclick: () => monitor(a.code, m, onError) }, t(`sup.${m}`)));
  return [flag, h("div", { class: "agent-supervise" }, buttons)];
}

/** Poll who is being monitored; `onChange` runs when that changes. */
export function watchMonitoring(onChange, everyMs = 2000) {
  const poll = async () => {
    try {
      const now = await api("/api/monitoring");
      if (JSON.stringify(now) !== JSON.stringify(monitored)) {
        monitored = now || {};
        onChange();
      }
    } catch {
      // offline or not allowed: the flags stay as they were
    }
  };
  poll();
  return setInterval(poll, everyMs);
}
