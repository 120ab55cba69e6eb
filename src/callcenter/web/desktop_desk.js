// The desk as the server keeps it (GET /api/agents/{code}/desk): after a reload or a reconnect
// the page shows the live call, its customer and the open wrap-up exactly as before.

import { askDisposition, closeDisposition } from "/static/desktop_wrapup.js";

/** A desk call (epoch seconds, the screen_pop payload) as the page's pop object. */
function deskPop(c) {
  const m = c.pop;
  if (!m) return null;
  return {
    linkedid: c.linkedid, phase: c.phase === "wrap_up" ? "ended" : c.phase,
    ringingAt: (c.ringing_at || Date.now() / 1000) * 1000,
    answeredAt: c.answered_at ? c.answered_at * 1000 : null,
    call: m.call, caller: m.caller, complete: m.complete, error: m.error || null,
    record: m.bundle || null, talk_s: c.ended?.talk_s,
  };
}

/** Bring the page state `S` in line with the server's desk `d`. */
export function applyDesk(S, d) {
  if (d.presence) S.presence = d.presence;
  S.pausePending = d.pause_pending;
  const wrap = d.wrap_up;
  const until = wrap?.wrapup_until ? wrap.wrapup_until * 1000 : null;
  if (wrap && S.dispo?.linkedid === wrap.linkedid) S.dispo.until = until;
  else if (wrap) { // the form of the call that ended, with that call's customer
    const ended = deskPop(wrap);
    askDisposition(S, wrap.ended, ended, until);
    S.pop = ended;
    S.record = ended?.record || null;
  } else if (S.dispo) closeDisposition(S);
  const live = d.call ? deskPop(d.call) : null;
  if (live && S.pop?.linkedid === live.linkedid) {
    Object.assign(S.pop, { phase: live.phase, ringingAt: live.ringingAt, answeredAt: live.answeredAt });
  } else if (live) {
    S.pop = live;
    if (!S.dispo) S.record = live.record;
  } else if (!wrap && S.pop && S.pop.phase !== "ended") S.pop = null;
}
