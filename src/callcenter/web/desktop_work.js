// The work tab: the item offered to the agent (accept / reject before the countdown runs out),
// the items the agent holds with the customer's record, completing one with a disposition, and
// sending one to another group.

import { ApiError, api, clock, h, present } from "/static/common.js";
import { groupName, t, valueText } from "/static/i18n.js";

const W = { code: null, items: new Map(), records: new Map(), dispositions: [], groups: {}, notify: () => {} };
const $ = (id) => document.getElementById(id);
const DONE = { accept: "work.accepted", reject: "work.rejected", complete: "work.completed" };
const GONE = ["withdrawn", "rejected", "done", "failed", "cancelled", "retry", "transferred"];

/** Start the tab for agent `code`; `groups` are the desktop's (queue -> group), for transfers;
 * `notify(text, tone)` shows a line in the notice bar. */
export function initWork({ code, notify, dispositions, groups }) {
  Object.assign(W, { code, notify, dispositions: dispositions || [], groups: groups || {} });
  setInterval(tickWork, 250);
  return loadWork();
}

/** The list as the server has it (page load, reconnect, a restarted backend). */
export async function loadWork() {
  try {
    const items = await api(`/api/agents/${W.code}/work`);
    W.items = new Map(items.map((i) => [i.id, i]));
    for (const i of items) fetchRecord(i);
  } catch (err) {
    if (err.status !== 0) W.notify(`${t("work.fail")}: ${err.message}`, "bad");
  }
  renderWork();
}

/** A pushed `work_offer` or `work_update`. */
export function onWorkMessage(msg) {
  if (msg.type === "work_offer") {
    W.items.set(msg.item_id, {
      id: msg.item_id, kind: msg.kind, group: msg.group, status: "offered", note: msg.note,
      caller: msg.caller, customer_id: msg.customer_id, priority: msg.priority, attempts: msg.attempts,
      expires_at: new Date(Date.now() + msg.timeout_s * 1000).toISOString(),
    });
    fetchRecord(W.items.get(msg.item_id));
    W.notify(t("work.offered", { kind: valueText("wk", msg.kind) }), "warn");
  } else if (msg.type === "work_update") {
    const item = W.items.get(msg.item_id);
    if (GONE.includes(msg.state)) {
      W.items.delete(msg.item_id);
      const gone = msg.outcome === "work_logout" ? "work.withdrawn_logout" : "work.withdrawn";
      if (msg.state === "withdrawn") W.notify(t(gone, { id: msg.item_id }), "warn");
      if (msg.state === "transferred" && item) {
        W.notify(t("work.moved_away", { id: msg.item_id, group: groupText(msg.group) }), "warn");
      }
      if (msg.state === "retry") W.notify(t("work.retry", { outcome: msg.outcome || "" }), "warn");
    } else if (item) {
      item.status = msg.state === "dialling" || msg.state === "answered" ? "in_progress" : msg.state;
      if (msg.outcome) item.outcome = msg.outcome;
    }
  }
  renderWork();
}

async function fetchRecord(item) {
  if (!item?.customer_id || W.records.has(item.customer_id)) return;
  try {
    W.records.set(item.customer_id, await api(`/api/customers/${item.customer_id}/bundle`));
    renderWork();
  } catch { /* the item is shown without the record */ }
}

async function act(item, action, body) {
  try {
    const out = await api(`/api/agents/${W.code}/work/${item.id}/${action}`, { method: "POST", body });
    if (action === "reject" || action === "complete") W.items.delete(item.id);
    else if (W.items.get(item.id)?.status === "offered") W.items.set(item.id, { ...item, ...out });
    // else the pushed frames got here first (dialling, or given back): they are newer
    W.notify(t(DONE[action], { id: item.id }), "good");
  } catch (err) {
    W.notify(`${t("work.fail")}: ${err instanceof ApiError ? err.message : err}`, "bad");
    if (err.status === 409) await loadWork();
  }
  renderWork();
}

function groupText(slug) {
  const group = Object.values(W.groups).find((g) => g.slug === slug);
  return group ? groupName(group) : slug || "";
}

async function transfer(item, group, note) {
  try {
    await api(`/api/work-items/${item.id}/transfer`, { method: "POST", body: { group, note: note || null } });
    W.items.delete(item.id);
    W.notify(t("work.transferred", { id: item.id, group: groupText(group) }), "good");
  } catch (err) {
    W.notify(`${t("work.fail")}: ${err instanceof ApiError ? err.message : err}`, "bad");
    if (err.status === 409 || err.status === 403) await loadWork();
  }
  renderWork();
}

/** A group picker (every group but the item's own), a note and the Transfer button. */
function transferBox(item) {
  const others = Object.values(W.groups).filter((g) => g.slug !== item.group);
  const pick = h("select", { "aria-label": t("work.transfer_to"), "data-testid": "work-transfer-group" },
    h("option", { value: "" }, t("work.transfer_choose")),
    ...others.map((g) => h("option", { value: g.slug }, groupName(g))));
  const note = h("input", { type: "text", maxlength: 2000, placeholder: t("work.transfer_note"), "aria-label": t("work.transfer_note") });
  const go = h("button", { class: "btn", type: "button" }, t("work.transfer"));
  go.onclick = () => {
    if (!pick.value) { W.notify(t("work.need_group"), "warn"); return; }
    transfer(item, pick.value, note.value.trim());
  };
  return h("div", { class: "row transfer" }, pick, note, go);
}

function itemCard(item) {
  const record = W.records.get(item.customer_id);
  const who = record?.customer?.name || item.caller || t("work.unknown_customer");
  const head = h("h3", {}, `${valueText("wk", item.kind)} #${item.id} · ${who}`);
  const meta = h("p", { class: "muted" }, [groupText(item.group), item.note].filter(Boolean).join(" · "));
  const parts = [head, meta];
  if (record) {
    parts.push(h("p", { "data-testid": "work-customer" },
      [record.customer.member_number, record.customer.segment].filter(Boolean).join(" · ")));
  }
  if (item.status === "offered") {
    parts.push(h("p", { class: "countdown", "data-testid": "work-countdown", "data-until": Date.parse(item.expires_at) }, ""));
    const yes = h("button", { class: "btn primary", type: "button" }, t("work.accept"));
    const no = h("button", { class: "btn", type: "button" }, t("work.reject"));
    yes.onclick = () => act(item, "accept");
    no.onclick = () => act(item, "reject");
    parts.push(h("div", { class: "row" }, yes, no));
  } else {
    parts.push(h("p", { "data-testid": "work-status" }, t(`work.st.${item.status}`)));
    const pick = h("select", { "aria-label": t("work.disposition") },
      h("option", { value: "" }, t("dispo.choose")),
      ...W.dispositions.map((d) => h("option", { value: d }, valueText("dc", d))));
    const done = h("button", { class: "btn primary", type: "button" }, t("work.complete"));
    done.onclick = () => {
      if (!pick.value) { W.notify(t("work.need_disposition"), "warn"); return; }
      act(item, "complete", { disposition: pick.value });
    };
    parts.push(h("div", { class: "row" }, pick, done));
  }
  if (item.status !== "in_progress" || item.kind !== "callback") parts.push(transferBox(item));
  return h("li", { class: `work-item st-${item.status}`, "data-item": item.id }, ...parts);
}

export function renderWork() {
  const box = $("work");
  if (!box) return;
  const items = [...W.items.values()].sort((a, b) => a.id - b.id);
  const list = items.length
    ? h("ul", { class: "results" }, ...items.map(itemCard))
    : h("p", { class: "muted" }, t("work.none"));
  box.replaceChildren(...present([h("h2", {}, t("work.title"), ` (${items.length})`), list]));
  tickWork();
}

function tickWork() {
  for (const el of document.querySelectorAll("#work [data-until]")) {
    const left = Math.max(0, (Number(el.dataset.until) - Date.now()) / 1000);
    el.textContent = t("work.countdown", { left: clock(Math.ceil(left)) });
  }
}
