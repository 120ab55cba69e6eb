// The post an agent has in hand: "log a letter" and "log a remittance slip". A slip is matched to
// the order it pays (amount and member number): a sure match is shown and pre-chosen, several or
// near ones are offered to pick from, and "not sure" leaves the choice to the back office.

import { ApiError, api, h } from "/static/common.js";
import { t } from "/static/i18n.js";

const L = { code: null, notify: () => {}, match: null };
const $ = (id) => document.getElementById(id);

/** Wire the two forms for agent `code`; `notify(text, tone)` shows a line in the notice bar. */
export function initPostLog({ code, notify }) {
  Object.assign(L, { code, notify });
  $("log-letter-open").onclick = () => toggle("log-letter");
  $("log-slip-open").onclick = () => toggle("log-slip");
  $("log-letter").onsubmit = (ev) => { ev.preventDefault(); saveLetter(); };
  $("log-slip").onsubmit = (ev) => { ev.preventDefault(); saveSlip(); };
  $("log-slip-find").onclick = () => findOrders();
  $("log-slip").amount.oninput = () => clearOrders();
  $("log-slip").member_no.oninput = () => clearOrders();
}

/** Re-draw what was drawn in code (after a language switch). */
export function renderPostLog() {
  if (L.match) showOrders(L.match);
}

function toggle(id) {
  for (const other of ["log-letter", "log-slip"]) $(other).hidden = other !== id || !$(other).hidden;
  const form = $(id);
  if (!form.hidden) form.querySelector("input")?.focus();
}

function fail(form, err) {
  const text = err instanceof ApiError ? err.message : String(err);
  form.querySelector("[data-testid=log-error]").textContent = text;
  L.notify(`${t("log.fail")}: ${text}`, "bad");
}

function value(form, name) {
  return form[name].value.trim();
}

async function saveLetter() {
  const form = $("log-letter");
  const from = {};
  for (const name of ["member_no", "phone", "email"]) if (value(form, name)) from[name] = value(form, name);
  if (!Object.keys(from).length) {
    form.querySelector("[data-testid=log-error]").textContent = t("log.need_sender");
    return;
  }
  const body = { from, subject: value(form, "subject"), body: form.body.value };
  try {
    const item = await api(`/api/agents/${L.code}/work/letters`, { method: "POST", body });
    form.reset();
    form.querySelector("[data-testid=log-error]").textContent = "";
    form.hidden = true;
    L.notify(t("log.letter_saved", { id: item.id }), "good");
  } catch (err) {
    fail(form, err);
  }
}

function slipFields(form) {
  const member = value(form, "member_no");
  const amount = value(form, "amount").replace(",", ".");
  if (!member || !amount) {
    form.querySelector("[data-testid=log-error]").textContent = t("log.need_slip");
    return null;
  }
  return { member_no: member, amount };
}

async function findOrders() {
  const form = $("log-slip");
  const fields = slipFields(form);
  if (!fields) return;
  try {
    const query = new URLSearchParams(fields);
    const match = await api(`/api/agents/${L.code}/work/slip-match?${query}`);
    form.querySelector("[data-testid=log-error]").textContent = "";
    L.match = match;
    showOrders(match);
  } catch (err) {
    fail(form, err);
  }
}

function clearOrders() {
  L.match = null;
  $("log-slip-orders").replaceChildren();
}

function showOrders(match) {
  const box = $("log-slip-orders");
  const picked = box.querySelector("input:checked")?.value;
  const choices = match.candidates.map((c, n) => {
    const checked = picked ? picked === c.order_number : match.status === "matched" && n === 0;
    return h("label", { class: "slip-order", "data-order": c.order_number },
      h("input", { type: "radio", name: "slip-order", value: c.order_number, checked }),
      ` ${c.order_number} · ${c.total} · ${c.status} · ${c.reason}`);
  });
  if (match.status !== "matched" && match.candidates.length) {
    choices.push(h("label", { class: "slip-order" },
      h("input", { type: "radio", name: "slip-order", value: "", checked: !picked }),
      ` ${t("log.no_pick")}`));
  }
  box.replaceChildren(h("p", { "data-testid": "slip-status" }, t(`log.st.${match.status}`)), ...choices);
}

async function saveSlip() {
  const form = $("log-slip");
  const fields = slipFields(form);
  if (!fields) return;
  const order = $("log-slip-orders").querySelector("input:checked")?.value;
  const body = { ...fields, note: form.note.value };
  if (order) body.order_number = order;
  try {
    const out = await api(`/api/agents/${L.code}/work/slips`, { method: "POST", body });
    const sure = out.candidates.find((c) => c.order_id === out.item.order_id);
    const pays = out.item.order_id ? order || sure?.order_number : null;
    const id = out.item.id;
    L.notify(pays ? t("log.slip_saved", { id, order: pays }) : t("log.slip_saved_open", { id }), "good");
    form.reset();
    clearOrders();
    form.querySelector("[data-testid=log-error]").textContent = "";
    form.hidden = true;
  } catch (err) {
    fail(form, err);
  }
}
