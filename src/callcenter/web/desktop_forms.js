// The desktop's side forms: customer search and a new complaint for the customer on screen.

import { api, h } from "/static/common.js";
import { t, valueText } from "/static/i18n.js";

const $ = (id) => document.getElementById(id);

/** Search customers; a click on a result calls `pick(customerId)`. */
export async function search(q, pick) {
  const list = $("search-results");
  list.replaceChildren(h("li", { class: "muted" }, t("search.busy")));
  try {
    const found = await api(`/api/customers?q=${encodeURIComponent(q)}&limit=20`);
    list.replaceChildren(...(found.length ? found.map((c) => h("li", {}, h("button", {
      class: "result", type: "button", onclick: () => pick(c.id),
    }, h("strong", {}, c.name), h("span", { class: `badge seg-${c.segment}` }, valueText("seg", c.segment)),
    h("span", { class: "muted" }, ` ${c.member_number}${c.city ? ` · ${c.city}` : ""}`)))) : [h("li", { class: "muted" }, t("search.none"))]));
  } catch (err) {
    list.replaceChildren(h("li", { class: "error" }, err.message));
  }
}

export function openComplaint(customer) {
  const form = $("complaint-form");
  form.dataset.customer = customer.id;
  $("complaint-for").textContent = t("complaint.for", { name: customer.name });
  form.querySelector(".error").textContent = "";
  form.hidden = false;
  form.elements.subject.focus();
}

/** Open the complaint; `notify` tells the agent, `saved(customerId)` refreshes the record. */
export async function submitComplaint(event, { notify, saved }) {
  event.preventDefault();
  const form = $("complaint-form");
  const f = form.elements;
  const body = {
    customer_id: Number(form.dataset.customer), category: f.category.value,
    severity: f.severity.value, subject: f.subject.value.trim(), description: f.description.value.trim(),
  };
  try {
    const out = await api("/api/complaints", { method: "POST", body });
    notify(t("note.complaint", { id: out.id }), "good");
    form.reset();
    form.hidden = true;
    await saved(body.customer_id);
  } catch (err) {
    form.querySelector(".error").textContent = err.message;
  }
}
