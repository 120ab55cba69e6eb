// The customer record on the desktop: profile, alerts, orders, open complaints, recent contacts.

import { dateText, h, label, money } from "/static/common.js";

const SEGMENT_TEXT = { senior: "Senior member · 资深会员", vip: "VIP", regular: "Member" };
const SLA_TEXT = { ok: "within SLA", due_soon: "SLA due soon", overdue: "SLA overdue" };
const ALERT_TONE = { overdue_complaint: "bad", credit_hold: "bad", repeat_caller: "warn" };

function segmentBadge(segment) {
  return h("span", { class: `badge seg-${segment}` }, SEGMENT_TEXT[segment] || label(segment));
}

function profile(c, actions) {
  const facts = [
    ["Member no.", c.member_number],
    ["Member since", dateText(c.member_since)],
    ["City", c.city],
    ["Language", c.language],
    ["Roles", (c.roles || []).map(label).join(", ")],
    ["Likes", (c.preferred_genres || []).map(label).join(", ")],
    ["Email", c.email],
    ["Birthday", dateText(c.birthday)],
  ];
  if (c.credit_rating) facts.push(["Credit rating", c.credit_rating + (c.credit_hold ? " (on hold)" : "")]);
  return h(
    "header",
    { class: "record-head" },
    h(
      "div",
      { class: "record-title" },
      h("h2", { class: "customer-name", "data-testid": "customer-name" }, c.name),
      segmentBadge(c.segment),
      c.do_not_call ? h("span", { class: "badge dnc" }, "Do not call") : null,
    ),
    h(
      "dl",
      { class: "facts" },
      facts.filter(([, v]) => v).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
    ),
    h(
      "div",
      { class: "record-actions" },
      h(
        "button",
        {
          class: "btn",
          type: "button",
          // the server has the last word on do-not-call: it refuses, and the refusal is shown
          title: c.do_not_call ? "This customer asked not to be called" : "Call this customer",
          onclick: () => actions.onDial(c),
        },
        "☎ Call back",
      ),
      h("button", { class: "btn", type: "button", onclick: () => actions.onComplaint(c) }, "New complaint"),
    ),
  );
}

function alerts(list) {
  if (!list || !list.length) return null;
  return h(
    "ul",
    { class: "alerts" },
    list.map((a) => h("li", { class: `alert tone-${ALERT_TONE[a.code] || "info"}`, "data-code": a.code }, a.message)),
  );
}

function orders(list) {
  const rows = (list || []).map((o) =>
    h(
      "tr",
      {},
      h("td", { class: "mono" }, o.order_number),
      h("td", {}, dateText(o.placed_at)),
      h("td", {}, label(o.channel)),
      h("td", {}, h("span", { class: `badge os-${o.status}` }, label(o.status))),
      h("td", { class: "items" }, (o.items || []).map((i) => `${i.title}${i.quantity > 1 ? ` ×${i.quantity}` : ""}`).join("; ")),
      h("td", { class: "num" }, money(o.total, o.currency)),
    ),
  );
  return h(
    "section",
    { class: "block orders" },
    h("h3", {}, "Recent orders"),
    rows.length
      ? h(
          "table",
          {},
          h("thead", {}, h("tr", {}, ["Order", "Placed", "Channel", "Status", "Items", "Total"].map((t) => h("th", {}, t)))),
          h("tbody", {}, rows),
        )
      : h("p", { class: "muted" }, "No orders."),
  );
}

function complaints(list, actions) {
  const items = (list || []).map((c) =>
    h(
      "li",
      { class: `complaint sla-${c.sla_state}` },
      h(
        "div",
        { class: "complaint-main" },
        h("strong", {}, c.subject),
        h("span", { class: `badge sla sla-${c.sla_state}` }, SLA_TEXT[c.sla_state] || c.sla_state),
      ),
      h(
        "div",
        { class: "muted" },
        `#${c.id} · ${label(c.category)} · ${c.severity} · ${label(c.status)} · ${label(c.escalation_level)} · open ${c.age_text}`,
      ),
      c.escalation_level === "author_expert" || c.status === "resolved"
        ? null
        : h("button", { class: "btn small", type: "button", onclick: () => actions.onEscalate(c) }, "Escalate"),
    ),
  );
  return h(
    "section",
    { class: "block complaints" },
    h("h3", {}, "Open complaints"),
    items.length ? h("ul", { class: "list" }, items) : h("p", { class: "muted" }, "None open."),
  );
}

function contacts(list) {
  const items = (list || []).slice(0, 8).map((c) =>
    h(
      "li",
      {},
      h("span", { class: "when" }, dateText(c.started_at)),
      h("span", {}, `${label(c.channel)} ${c.direction === "outbound" ? "out" : "in"}`),
      h("span", { class: "muted" }, [label(c.group_slug), c.agent_code ? `agent ${c.agent_code}` : ""].filter(Boolean).join(" · ")),
      h("span", {}, label(c.disposition_code || c.outcome || "")),
    ),
  );
  return h(
    "section",
    { class: "block contacts" },
    h("h3", {}, "Recent contacts"),
    items.length ? h("ul", { class: "contact-list" }, items) : h("p", { class: "muted" }, "First contact."),
  );
}

/** The record card's content for one bundle. */
export function renderRecord(bundle, actions) {
  return [
    profile(bundle.customer, actions),
    alerts(bundle.alerts),
    h("div", { class: "record-grid" }, orders(bundle.orders), complaints(bundle.complaints, actions)),
    contacts(bundle.contacts),
  ];
}
