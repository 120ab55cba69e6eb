// Telemarketing campaigns on the wallboard: one tile per running (or paused) campaign with its
// dialled, answered, connected and abandoned calls, the abandon rate of each window against the
// cap, the dial level, agents, list left and sales; polled from GET /api/campaigns.

import { api, h } from "/static/common.js";
import { fmtNumber, lang, t } from "/static/i18n.js";

const POLL_MS = 5000;
const WINDOWS = ["1h", "24h", "30d"];
let root = null;
let campaigns = [];
let timer = null;

/** Poll the live campaigns and draw them into `into` (hidden while none runs or not allowed). */
export function mountCampaigns(into) {
  root = into;
  clearInterval(timer);
  refresh();
  timer = setInterval(refresh, POLL_MS);
}

async function refresh() {
  try {
    campaigns = await api("/api/campaigns?state=running&state=paused");
  } catch (err) {
    if (err.status === 403) clearInterval(timer); // a wallboard viewer who may not see campaigns
    campaigns = [];
  }
  renderCampaigns();
}

function pct(value, digits = 1) {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(lang(), { style: "percent", maximumFractionDigits: digits }).format(value / 100);
}

function stat(name, value, attrs = {}) {
  return h("div", { class: "stat", ...attrs }, h("span", { class: "stat-value" }, value), h("span", { class: "stat-name" }, name));
}

function tile(c) {
  const rates = c.abandon_rate || {};
  const cap = c.abandon_cap_pct;
  return h("article", { class: `tile campaign-tile cp-${c.state}`, "data-campaign": c.id, "data-testid": "campaign-tile" },
    h("header", { class: "tile-head" },
      h("div", {}, h("h3", { "data-testid": "cp-name" }, c.name),
        h("span", { class: "muted" }, `${t(`wb.cp.mode.${c.mode}`)} · ${t(`st.cp.${c.state}`)}`)),
      h("span", { class: "muted", "data-testid": "cp-cap" }, t("wb.cp.cap", { p: pct(cap) }))),
    h("div", { class: "tile-day" },
      stat(t("wb.cp.dialled"), fmtNumber(c.dialled), { "data-testid": "cp-dialled" }),
      stat(t("wb.cp.answered"), fmtNumber(c.answered), { "data-testid": "cp-answered" }),
      stat(t("wb.cp.connected"), fmtNumber(c.connected), { "data-testid": "cp-connected" }),
      stat(t("wb.cp.abandoned"), fmtNumber(c.abandoned), { "data-testid": "cp-abandoned" })),
    h("div", { class: "tile-day" },
      ...WINDOWS.map((w) => stat(t(`wb.cp.abandon_${w}`), pct(rates[w]), {
        "data-testid": `cp-abandon-${w}`, class: `stat${rates[w] > cap ? " hot" : ""}`,
      }))),
    h("div", { class: "tile-day" },
      stat(t("wb.cp.dial_level"), fmtNumber(Math.round((c.dial_level || 0) * 100) / 100), { "data-testid": "cp-dial-level" }),
      stat(t("wb.cp.agents"), fmtNumber(c.agents), { "data-testid": "cp-agents" }),
      stat(t("wb.cp.list_left"), fmtNumber(c.list_left), { "data-testid": "cp-list-left" }),
      stat(t("wb.cp.sales"), fmtNumber(c.sales), { "data-testid": "cp-sales" })));
}

/** Draw the tiles again (new figures, a language change). */
export function renderCampaigns() {
  if (!root) return;
  root.hidden = campaigns.length === 0;
  root.replaceChildren(h("h2", {}, t("wb.cp.title")), h("div", { class: "wb-groups" }, ...campaigns.map(tile)));
}
