// Campaign calls on the desktop: the pop's campaign part (script, offer) with the campaign's
// disposition form (sale with items, refused, wrong number, call back at …, do not call), the
// campaign login (the running campaigns of the agent's groups, to pick from) and preview mode:
// the record the agent holds, with Dial / Skip.

import { ApiError, api, h, present } from "/static/common.js";
import { t, valueText } from "/static/i18n.js";

const $ = (id) => document.getElementById(id);
const PREVIEW_KEY = "callcenter.preview_campaign";
const CODES = ["sale", "refused", "wrong_number", "callback", "do_not_call"];
// part: the campaign record on screen; held: the preview record; error: the form's last refusal
// joinable: the running campaigns of the agent's groups (null until loaded)
const C = { notify: () => {}, agent: null, joinable: null, part: null, held: null, campaignId: null, error: "", code: "" };

/** Wire the campaign login (the campaign chosen is remembered in this browser), preview mode
 * and the campaign card. */
export async function initCampaign({ code, notify }) {
  Object.assign(C, { agent: code, notify });
  C.campaignId = Number(localStorage.getItem(PREVIEW_KEY)) || null;
  renderCampaign();
  await loadJoinable();
}

/** The running campaigns the agent may join (their groups), from the server. */
export async function loadJoinable() {
  try {
    C.joinable = await api(`/api/agents/${C.agent}/campaigns`);
  } catch (err) { C.joinable = []; C.notify(`${t("cp.join")}: ${err.message}`, "bad"); }
  if (C.campaignId && !C.joinable.some((c) => c.id === C.campaignId)) C.campaignId = null;
  renderCampaign();
}

/** A screen-pop carried a campaign part: show the script, the offer and the form (null: a call
 * of no campaign, which clears a campaign card already recorded, never one still to record). */
export function onCampaignPop(part) {
  if (!part) {
    if (C.part?.closed) { C.part = null; renderCampaign(); }
    return;
  }
  if (C.part && C.part.recordId === part.record_id && C.part.campaignId === part.id) {
    Object.assign(C.part, { name: part.name || C.part.name });
  } else {
    C.part = {
      campaignId: part.id, recordId: part.record_id, name: part.name || "", who: part.record_name,
      number: part.number, script: part.script, offer: part.offer, codes: part.dispositions || CODES,
    };
    Object.assign(C, { error: "", code: "" });
  }
  renderCampaign();
}

let shown = "";  // what the card shows now: the desktop re-renders often, typed input must stay
let previewShown = "";

export function renderCampaign() {
  const card = $("campaign");
  card.hidden = !C.part;
  const p = C.part;
  const key = p ? JSON.stringify([p.campaignId, p.recordId, p.closed, C.code, C.error, document.documentElement.lang]) : "";
  if (p && key !== shown) card.replaceChildren(...present(campaignParts(p)));
  shown = key;
  const previewKey = JSON.stringify([C.held, C.campaignId, C.joinable, document.documentElement.lang]);
  if (previewKey !== previewShown) $("campaign-preview").replaceChildren(...present(previewParts()));
  previewShown = previewKey;
}

function campaignParts(p) {
  return [
    h("h2", {}, t("cp.title"), " ", h("span", { class: "muted", "data-testid": "campaign-name" }, p.name || `#${p.campaignId}`)),
    h("p", { class: "cp-who", "data-testid": "campaign-who" }, [p.who, p.number].filter(Boolean).join(" · ")),
    p.script ? h("div", { class: "cp-script" }, h("h3", {}, t("cp.script")),
      h("p", { "data-testid": "campaign-script", style: "white-space: pre-wrap" }, p.script)) : null,
    p.offer ? h("div", { class: "cp-offer" }, h("h3", {}, t("cp.offer")),
      h("p", { "data-testid": "campaign-offer" }, p.offer)) : null,
    p.closed ? h("p", { class: "good", "data-testid": "campaign-closed" }, p.closed) : dispoForm(p),
  ];
}

function dispoForm(p) {
  const code = h("select", { name: "code", "data-testid": "cp-code", required: true, onchange: (e) => { C.code = e.target.value; renderCampaign(); } },
    h("option", { value: "" }, t("dispo.choose")),
    ...p.codes.filter((c) => CODES.includes(c)).map((c) => h("option", { value: c, selected: c === C.code }, valueText("cpd", c))));
  return h("form", { id: "campaign-dispo", class: "cp-dispo", onsubmit: (e) => submit(e, p) },
    h("label", {}, h("span", {}, t("dispo.code")), code),
    C.code === "sale" ? [itemRow(), h("button", { type: "button", class: "btn ghost", onclick: (e) => e.target.before(itemRow()) }, t("cp.add_item"))] : null,
    C.code === "callback" ? h("label", {}, h("span", {}, t("cb.at")), h("input", { name: "callback_at", type: "datetime-local", required: true })) : null,
    h("p", { class: "error", role: "alert", "data-testid": "cp-error" }, C.error),
    h("button", { class: "btn primary", type: "submit" }, t("cp.save")));
}

function itemRow() {
  return h("div", { class: "row cp-item", "data-testid": "cp-item" },
    h("label", {}, h("span", {}, t("cp.item_title")), h("input", { name: "title", required: true, maxlength: 200 })),
    h("label", {}, h("span", {}, t("cp.item_qty")), h("input", { name: "quantity", type: "number", min: 1, value: 1, required: true })),
    h("label", {}, h("span", {}, t("cp.item_price")), h("input", { name: "unit_price", type: "number", min: 0, step: "0.01", required: true })));
}

async function submit(event, p) {
  event.preventDefault();
  const form = event.target;
  const body = { code: C.code };
  if (C.code === "callback") body.callback_at = new Date(form.callback_at.value).toISOString();
  if (C.code === "sale") {
    body.items = [...form.querySelectorAll(".cp-item")].map((row) => ({
      title: row.querySelector("[name=title]").value.trim(),
      quantity: Number(row.querySelector("[name=quantity]").value),
      unit_price: row.querySelector("[name=unit_price]").value,
    }));
  }
  try {
    const out = await api(`/api/campaigns/${p.campaignId}/records/${p.recordId}/disposition`, { method: "POST", body });
    const what = valueText("cpd", C.code);
    p.closed = out.order_number ? t("cp.sold", { order: out.order_number }) : t("cp.saved", { what });
    C.error = "";
    C.notify(p.closed, "good");
    if (C.held && C.held.record_id === p.recordId) { C.held = null; await nextRecord(); }
  } catch (err) {
    C.error = err instanceof ApiError ? err.message : String(err);
  }
  renderCampaign();
}

// -- preview mode ---------------------------------------------------------------------------

function previewParts() {
  const r = C.held;
  const list = C.joinable || [];
  const chosen = list.find((c) => c.id === C.campaignId);
  const select = h("select", { id: "campaign-choice", "data-testid": "campaign-choice", "aria-label": t("cp.choose") },
    ...list.map((c) => h("option", { value: c.id, selected: c.id === C.campaignId },
      `${c.name} · ${c.group} · ${valueText("wb.cp.mode", c.mode)}`)));
  return [
    h("h2", {}, t("cp.login")),
    C.joinable && !list.length ? h("p", { class: "muted", "data-testid": "campaign-list-none" }, t("cp.no_campaigns")) : null,
    h("form", { class: "row", hidden: !list.length, onsubmit: (e) => { e.preventDefault(); choose(Number(select.value)); } },
      select, h("button", { class: "btn", type: "submit", "data-testid": "preview-next" }, t("cp.join"))),
    h("button", { class: "btn ghost", type: "button", "data-testid": "campaign-list-refresh", onclick: loadJoinable }, t("cp.refresh")),
    chosen && chosen.mode !== "preview" ? h("p", { class: "good", "data-testid": "campaign-joined" }, t("cp.joined", { name: chosen.name })) : null,
    r === false ? h("p", { class: "muted", "data-testid": "preview-none" }, t("cp.none")) : null,
    r ? h("div", { class: "cp-held", "data-testid": "preview-record" },
      h("p", {}, h("strong", { "data-testid": "preview-name" }, r.name || "—"), " ", h("span", { "data-testid": "preview-number" }, r.number)),
      h("p", { class: "muted" }, t("cp.attempts", { n: r.attempts })),
      r.script ? h("p", { class: "cp-script", style: "white-space: pre-wrap" }, r.script) : null,
      r.dialled ? h("p", { class: "good", "data-testid": "preview-dialling" }, t("cp.dialling")) : null,
      h("div", { class: "row" },
        h("button", { class: "btn go", type: "button", disabled: r.dialled, "data-testid": "preview-dial", onclick: dial }, t("cp.dial")),
        h("button", { class: "btn", type: "button", "data-testid": "preview-skip", onclick: skip }, t("cp.skip")))) : null,
  ];
}

async function choose(id) {
  if (!id) return;
  C.campaignId = id;
  localStorage.setItem(PREVIEW_KEY, String(id));
  const chosen = (C.joinable || []).find((c) => c.id === id);
  if (chosen && chosen.mode !== "preview") { C.held = null; renderCampaign(); return; }  // the dialler connects calls
  await nextRecord();
}

async function nextRecord() {
  try {
    const out = await api(`/api/campaigns/${C.campaignId}/preview`);
    C.held = out.record || false;
  } catch (err) { C.held = null; C.notify(`${t("cp.preview")}: ${err.message}`, "bad"); }
  renderCampaign();
}

async function dial() {
  const r = C.held;
  try {
    const out = await api(`/api/campaigns/${C.campaignId}/preview/${r.record_id}/dial`, { method: "POST" });
    if (out.status === "do_not_call") { C.notify(t("cp.dnc_now"), "warn"); await nextRecord(); return; }
    r.dialled = true;
    onCampaignPop({ id: C.campaignId, record_id: r.record_id, record_name: r.name, number: r.number, script: r.script, offer: r.offer });
    C.notify(t("note.dialling", { name: r.name || r.number }), "good");
  } catch (err) { C.notify(`${t("cp.dial")}: ${err.message}`, "bad"); }
  renderCampaign();
}

async function skip() {
  try {
    const out = await api(`/api/campaigns/${C.campaignId}/preview/${C.held.record_id}/skip`, { method: "POST" });
    if (C.part && C.part.recordId === out.skipped) C.part = null;
    C.held = out.next || false;
  } catch (err) { C.notify(`${t("cp.skip")}: ${err.message}`, "bad"); }
  renderCampaign();
}
