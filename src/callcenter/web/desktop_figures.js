// The agent's own figures today on the desktop: calls handled, AHT, FCR %, time paused, and the
// callers waiting now in the agent's queues (with the longest wait).

import { api, clock, h } from "/static/common.js";
import { fmtNumber, fmtPercent, t } from "/static/i18n.js";

const $ = (id) => document.getElementById(id);
let figures = null;
let fetchedAt = 0;

function stat(key, value, testid) {
  return h("div", { class: "my-stat", "data-testid": testid },
    h("span", { class: "my-value" }, value), h("span", { class: "my-name" }, t(key)));
}

/** Draw the card (also on a language switch and every second while paused). */
export function renderFigures() {
  const box = $("my-figures");
  if (!box || !figures) return;
  const paused = figures.paused_s + (figures.paused_now ? (Date.now() - fetchedAt) / 1000 : 0);
  box.replaceChildren(
    stat("my.calls", fmtNumber(figures.answered), "my-calls"),
    stat("my.aht", figures.aht_s === null ? "—" : clock(figures.aht_s), "my-aht"),
    stat("my.fcr", fmtPercent(figures.fcr_percent), "my-fcr"),
    stat("my.paused", clock(paused), "my-paused"),
    stat("my.waiting", figures.waiting_in_my_queues
      ? `${fmtNumber(figures.waiting_in_my_queues)} · ${clock(figures.longest_wait_s)}` : "0", "my-waiting"));
}

/** Fetch the figures now (after a call, a pause) and then every `everyMs`. */
export async function refreshFigures(code) {
  try {
    figures = await api(`/api/agents/${encodeURIComponent(code)}/today`);
    fetchedAt = Date.now();
    renderFigures();
  } catch {
    // offline: the card keeps the last figures
  }
}

export function startFigures(code, everyMs = 5_000) {
  refreshFigures(code);
  setInterval(() => refreshFigures(code), everyMs);
  setInterval(() => { if (figures?.paused_now) renderFigures(); }, 1000);
}
