// The wrap-up form: tied to the call that ended (never to the next one), with the queue's
// wrap-up time counting down, as app_queue's wrapuptime keeps the agent from ringing.

import { api, clock } from "/static/common.js";
import { fileCallback } from "/static/desktop_callback.js";
import { t } from "/static/i18n.js";

const $ = (id) => document.getElementById(id);

/** Open the form for the call that ended (`until`: end of wrap-up in ms, if known). */
export function askDisposition(S, ended, pop, until = null) {
  const who = pop?.record?.customer?.name || pop?.call?.caller || null;
  S.dispo = { linkedid: ended.linkedid, who, talk_s: ended.talk_s, until, record: pop?.record || null };
  renderDispoAbout(S);
  tickWrapUp(S, Date.now());
  $("dispo-error").textContent = "";
  $("disposition").reset();
  $("disposition").hidden = false;
  $("dispo-code").focus();
}

export function closeDisposition(S) {
  $("disposition").hidden = true;
  $("dispo-wrapup").hidden = true;
  S.dispo = null;
}

export function renderDispoAbout(S) {
  if (!S.dispo) return;
  const who = S.dispo.who || t("dispo.the_caller");
  $("dispo-about").textContent = t("dispo.about", { who, time: clock(S.dispo.talk_s) });
  tickWrapUp(S, Date.now());
}

/** The countdown of the wrap-up time (called every second). */
export function tickWrapUp(S, now) {
  const box = $("dispo-wrapup");
  if (!S.dispo?.until) { box.hidden = true; return; }
  const left = Math.ceil((S.dispo.until - now) / 1000);
  box.hidden = false;
  box.classList.toggle("over", left <= 0);
  box.textContent = left > 0 ? t("dispo.wrapup_left", { time: clock(left) }) : t("dispo.wrapup_over");
}

/** Save the disposition; `saved(linkedid)` runs once the server took it. */
export async function submitDisposition(event, S, saved) {
  event.preventDefault();
  const form = $("disposition");
  if (!S.dispo) return;
  if (!$("dispo-code").value) { // no code is pre-chosen: the agent has to pick one
    $("dispo-error").textContent = t("dispo.need_code");
    $("dispo-code").focus();
    return;
  }
  const settled = form.elements.settled.value;
  const body = { linkedid: S.dispo.linkedid, code: $("dispo-code").value, settled: settled === "yes" };
  const note = $("dispo-note").value.trim();
  if (note) body.note = note;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await fileCallback(S); // a promised callback first: a wrong time keeps the whole form
    await api(`/api/agents/${S.code}/disposition`, { method: "POST", body });
    closeDisposition(S);
    saved(body.linkedid);
  } catch (err) {
    $("dispo-error").textContent = err.message; // the form keeps what was typed
  } finally {
    button.disabled = false;
  }
}
