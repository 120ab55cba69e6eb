// The work groups the agent takes work items from, apart from the voice queues: each skill group
// logged in or out (a checkbox each), and one toggle for all of them.

import { ApiError, api, h } from "/static/common.js";
import { groupName, t } from "/static/i18n.js";

const G = { code: null, state: null, groups: {}, queues: "", busy: false, notify: () => {} };
const $ = (id) => document.getElementById(id);

/** Start the box for agent `code`; `groups` are the desktop's (queue -> group), for names. */
export function initWorkGroups({ code, notify, groups }) {
  Object.assign(G, { code, notify, groups: groups || {} });
  return loadWorkGroups();
}

/** The state as the server has it (page load, reconnect). */
export async function loadWorkGroups() {
  try {
    G.state = await api(`/api/agents/${G.code}/work-groups`);
  } catch (err) {
    if (err.status !== 0) G.notify(`${t("wg.fail")}: ${err.message}`, "bad");
  }
  renderWorkGroups();
}

/** The agent's voice queues changed (a group that follows them may have changed too). */
export function onPresence(msg) {
  const queues = (msg.queues || []).join(",");
  if (queues !== G.queues) {
    G.queues = queues;
    loadWorkGroups();
  }
}

async function choose(logIn, groups) {
  G.busy = true;
  renderWorkGroups();
  try {
    const path = `/api/agents/${G.code}/work-${logIn ? "login" : "logout"}`;
    // the card's status line says the result: the notice bar stays free for an offer taken back
    G.state = await api(path, { method: "POST", body: groups ? { groups } : {} });
  } catch (err) {
    G.notify(`${t("wg.fail")}: ${err instanceof ApiError ? err.message : err}`, "bad");
  }
  G.busy = false;
  renderWorkGroups();
}

function groupText(slug) {
  const group = Object.values(G.groups).find((g) => g.slug === slug);
  return group ? groupName(group) : slug || "";
}

function groupRow(g) {
  const box = h("input", { type: "checkbox", checked: g.logged_in, disabled: G.busy });
  box.onchange = () => choose(box.checked, [g.group]);
  const how = g.chosen === null ? t("wg.follows") : "";
  return h("li", { class: `work-group ${g.logged_in ? "on" : "off"}`, "data-group": g.group },
    h("label", {}, box, " ", groupText(g.group)), how ? h("span", { class: "muted" }, ` · ${how}`) : null);
}

export function renderWorkGroups() {
  const box = $("work-groups");
  if (!box || !G.state) return;
  const on = G.state.logged_in.length > 0;
  const toggle = h("button", {
    class: on ? "btn" : "btn primary", type: "button", disabled: G.busy,
    "aria-pressed": String(on), "data-testid": "work-groups-toggle",
  }, t(on ? "wg.logout" : "wg.login"));
  toggle.onclick = () => choose(!on, null);
  const status = h("p", { "data-testid": "work-groups-status" },
    on ? t("wg.in", { groups: G.state.logged_in.map(groupText).join(", ") }) : t("wg.none"));
  box.replaceChildren(h("h2", {}, t("wg.title")), status,
    h("ul", { class: "results work-groups" }, ...G.state.groups.map(groupRow)), toggle);
}
