// The customer record on the desktop: profile, alerts, orders, open complaints, recent contacts.

import { dateText, h, label, money } from "/static/common.js";
import { t, valueText } from "/static/i18n.js";
import { recordingButton } from "/static/desktop_recording.js";

const ALERT_TONE = { overdue_complaint: "bad", credit_hold: "bad", repeat_caller: "warn" };

function segmentBadge(segment) {
  return h("span", { class: `badge seg-${segment}` }, valueText("seg", segment));
}

function profile(c, actions) {
  const facts = [
    [t("fact.member_no"), c.member_number],
    [t("fact.member_since"), dateText(c.member_since)],
    [t("fact.city"), c.city],
    [t("fact.language"), c.language],
    [t("fact.roles"), (c.roles || []).map((r) => valueText("role", r)).join(", ")],
    [t("fact.likes"), (c.preferred_genres || []).map(label).join(", ")],
    [t("fact.email"), c.email],
    [t("fact.birthday"), dateText(c.birthday)],
  ];
  if (c.credit_rating) facts.push([t("fact.credit"), c.credit_rating + (c.credit_hold ? t("fact.on_hold") : "")]);
  return h(
    "header",
    { class: "record-head" },
    h(
      "div",
      { class: "record-title" },
      h("h2", { class: "customer-name", "data-testid": "customer-name" }, c.name),
      segmentBadge(c.segment),
      c.do_not_call ? h("span", { class: "badge dnc" }, t("rec.dnc")) : null,
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
          title: t(c.do_not_call ? "rec.dnc_help" : "rec.call_help"),
          onclick: () => actions.onDial(c),
        },
        t("rec.call_back"),
      ),
      h("button", { class: "btn", type: "button", onclick: () => actions.onComplaint(c) }, t("complaint.new")),
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
      h("td", {}, valueText("ch", o.channel)),
      h("td", {}, h("span", { class: `badge os-${o.status}` }, valueText("os", o.status))),
      h("td", { class: "items" }, (o.items || []).map((i) => `${i.title}${i.quantity > 1 ? ` ×${i.quantity}` : ""}`).join("; ")),
      h("td", { class: "num" }, money(o.total, o.currency)),
    ),
  );
  return h(
    "section",
    { class: "block orders" },
    h("h3", {}, t("rec.orders")),
    rows.length
      ? h(
          "table",
          {},
          h("thead", {}, h("tr", {}, ["order", "placed", "channel", "status", "items", "total"].map((k) => h("th", {}, t(`rec.${k}`))))),
          h("tbody", {}, rows),
        )
      : h("p", { class: "muted" }, t("rec.no_orders")),
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
        h("span", { class: `badge sla sla-${c.sla_state}` }, valueText("sla", c.sla_state)),
      ),
      h(
        "div",
        { class: "muted" },
        `#${c.id} · ${valueText("cat", c.category)} · ${valueText("sev", c.severity)} · ${valueText("cs", c.status)} · ${valueText("esc", c.escalation_level)} · ${t("rec.open_for", { age: c.age_text })}`,
      ),
      c.escalation_level === "author_expert" || c.status === "resolved"
        ? null
        : h("button", { class: "btn small", type: "button", onclick: () => actions.onEscalate(c) }, t("rec.escalate")),
    ),
  );
  return h(
    "section",
    { class: "block complaints" },
    h("h3", {}, t("rec.complaints")),
    items.length ? h("ul", { class: "list" }, items) : h("p", { class: "muted" }, t("rec.none_open")),
  );
}

function contacts(list) {
  const items = (list || []).slice(0, 8).map((c) =>
    h(
      "li",
      {},
      h("span", { class: "when" }, dateText(c.started_at)),
      h("span", {}, `${valueText("ch", c.channel)} ${t(c.direction === "outbound" ? "rec.out" : "rec.in")}`),
      h("span", { class: "muted" }, [label(c.group_slug), c.agent_code ? t("rec.agent", { code: c.agent_code }) : ""].filter(Boolean).join(" · ")),
      h("span", {}, c.disposition_code ? valueText("dc", c.disposition_code) : c.outcome ? valueText("out", c.outcome) : ""),
      recordingButton(c),
    ),
  );
  return h(
    "section",
    { class: "block contacts" },
    h("h3", {}, t("rec.contacts")),
    items.length ? h("ul", { class: "contact-list" }, items) : h("p", { class: "muted" }, t("rec.first_contact")),
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
