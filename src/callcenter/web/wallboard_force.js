// Supervisor actions on an agent from the wallboard: force pause / log out, with the reason
// recorded (the server audits both). One dialog outside the agent cards, which re-render live.

import { api, h } from "/static/common.js";
import { t, valueText } from "/static/i18n.js";

const $ = (id) => document.getElementById(id);
let target = null; // { code, name, action }
let reasons = [];

async function loadReasons() {
  if (!reasons.length) reasons = (await api("/api/pause-reasons")) || [];
  return reasons;
}

async function open(a, action) {
  target = { code: a.code, name: a.name || a.code, action };
  $("force-title").textContent = t(`force.${action}_title`, { name: target.name, code: a.code });
  const select = $("force-reason");
  select.hidden = action !== "pause";
  $("force-reason-label").hidden = action !== "pause";
  try {
    select.replaceChildren(...(await loadReasons()).map((r) => h("option", { value: r }, valueText("pr", r))));
  } catch { /* the pause is refused by the server with a reason if the list is unavailable */ }
  $("force-why").value = "";
  $("force-error").textContent = "";
  $("force-dialog").showModal();
}

async function submit(event, onDone) {
  event.preventDefault();
  if (!target) return;
  const why = $("force-why").value.trim() || undefined;
  const body = target.action === "pause" ? { reason: $("force-reason").value, why } : { why };
  try {
    const out = await api(`/api/agents/${encodeURIComponent(target.code)}/force-${target.action}`, { method: "POST", body });
    $("force-dialog").close();
    onDone(t(out?.pending ? "force.done_pending" : `force.done_${target.action}`, { name: target.name }));
    target = null;
  } catch (err) {
    $("force-error").textContent = err.message;
  }
}

/** Wire the dialog once; `onDone(message)` reports what was done. */
export function wireForceDialog(onDone) {
  $("force-form").addEventListener("submit", (event) => submit(event, onDone));
  $("force-cancel").onclick = () => { $("force-dialog").close(); target = null; };
}

/** The buttons of one agent card (none for an agent logged out). */
export function forceParts(a) {
  if (a.state === "logged_out") return null;
  const button = (action) => h("button", {
    type: "button", class: `sup-btn force-${action}`, onclick: () => open(a, action),
  }, t(`force.${action}`));
  return h("div", { class: "agent-force" }, a.state === "paused" ? null : button("pause"), button("logout"));
}
