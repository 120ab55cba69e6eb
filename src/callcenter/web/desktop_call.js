// The call card: who is calling (or why we cannot tell), where the call came from, its phase.

import { clock, h, label } from "/static/common.js";
import { groupName, groupOtherName, t, valueText } from "/static/i18n.js";

function groupText(groups, queue) {
  const g = groups[queue];
  return g ? `${groupName(g)} · ${groupOtherName(g)}` : label(queue);
}

/** What we know about the caller, when it is not simply one matched customer. */
function callerStatus(pop, actions) {
  const status = pop.caller?.status;
  const number = pop.call.caller || pop.caller?.e164;
  if (pop.error) return h("p", { class: "status-line tone-bad" }, t("call.record_unavailable", { error: pop.error }));
  if (status === "pending") return h("p", { class: "status-line muted" }, t("call.looking_up"));
  if (status === "withheld") {
    return h("div", { class: "status-line caller-withheld" }, h("strong", {}, t("call.withheld")),
      h("span", { class: "muted" }, t("call.withheld_help")));
  }
  if (status === "unknown") {
    return h("div", { class: "status-line caller-unknown" }, h("strong", {}, t("call.unknown")),
      pop.call.caller_name ? h("span", {}, t("call.network_name", { name: pop.call.caller_name })) : null,
      number ? h("button", { class: "btn small inline", type: "button", onclick: () => actions.onSearch(number) }, t("call.search_number")) : null);
  }
  if (status === "ambiguous") {
    const picked = pop.picked;
    return h("div", { class: "status-line caller-ambiguous" },
      h("strong", {}, t("call.ambiguous")),
      h("span", { class: "muted" }, t("call.ambiguous_help")),
      h("ul", { class: "candidates" }, (pop.caller.candidates || []).map((c) =>
        h("li", {}, h("button", {
          class: `btn candidate${picked === c.customer_id ? " picked" : ""}`, type: "button",
          onclick: () => actions.onPick(c.customer_id),
        }, h("strong", {}, c.name), ` ${valueText("seg", c.segment)}`, c.reason ? h("span", { class: "muted" }, ` · ${c.reason}`) : null)))));
  }
  return null;
}

function transferBox(groups, actions) {
  const select = h("select", { "aria-label": t("call.transfer_to") },
    Object.values(groups).map((g) => h("option", { value: g.slug }, `${groupName(g)} · ${groupOtherName(g)}`)));
  return h("div", { class: "transfer" }, select,
    h("button", { class: "btn small", type: "button", onclick: () => actions.onTransfer(select.value) }, t("call.transfer")));
}

/** The call card's content for the current pop, or the idle message. */
export function renderCall(pop, groups, actions) {
  if (!pop) return [h("div", { class: "call-idle" }, t("call.idle"))];
  const c = pop.call;
  const since = pop.phase === "connected" ? pop.answeredAt : pop.ringingAt;
  const name = pop.record?.customer?.name;
  return [
    h("div", { class: `call-band phase-${pop.phase}` },
      h("span", { class: "phase", "data-testid": "call-phase" }, t(`phase.${pop.phase}`)),
      h("span", { class: "caller-id" }, name || c.caller_name || c.caller || t("call.withheld")),
      h("span", { class: "number mono" }, c.caller || ""),
      pop.phase === "ended" ? h("span", { class: "timer" }, clock(pop.talk_s))
        : h("span", { class: "timer", "data-since": since }, clock((Date.now() - since) / 1000))),
    h("div", { class: "call-meta" },
      c.direction === "outbound"
        ? h("span", { "data-testid": "call-direction" }, t("call.outbound"))
        : h("span", {}, groupText(groups, c.queue)),
      c.direction === "outbound" ? null : h("span", {}, t("call.waited", { time: clock(c.waited_s) })),
      c.priority ? h("span", {}, t("call.priority", { priority: c.priority })) : null,
      c.routing_reason ? h("span", { class: "muted" }, c.routing_reason) : null,
      pop.phase === "connected" ? transferBox(groups, actions) : null),
    callerStatus(pop, actions),
  ];
}
