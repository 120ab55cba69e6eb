// The call card: who is calling (or why we cannot tell), where the call came from, its phase.

import { clock, h, label } from "/static/common.js";

const PHASE_TEXT = { ringing: "Ringing", connected: "Connected", ended: "Call ended" };

function groupName(groups, queue) {
  const g = groups[queue];
  return g ? `${g.name} · ${g.name_zh}` : label(queue);
}

/** What we know about the caller, when it is not simply one matched customer. */
function callerStatus(pop, actions) {
  const status = pop.caller?.status;
  const number = pop.call.caller || pop.caller?.e164;
  if (pop.error) return h("p", { class: "status-line tone-bad" }, `Customer record unavailable: ${pop.error}`);
  if (status === "pending") return h("p", { class: "status-line muted" }, "Looking up the caller…");
  if (status === "withheld") {
    return h("div", { class: "status-line caller-withheld" }, h("strong", {}, "Withheld number"),
      h("span", { class: "muted" }, " The caller hid their number: ask for the member number, then search."));
  }
  if (status === "unknown") {
    return h("div", { class: "status-line caller-unknown" }, h("strong", {}, "Unknown caller"),
      pop.call.caller_name ? h("span", {}, ` — network name “${pop.call.caller_name}”`) : null,
      number ? h("button", { class: "btn small inline", type: "button", onclick: () => actions.onSearch(number) }, "Search this number") : null);
  }
  if (status === "ambiguous") {
    const picked = pop.picked;
    return h("div", { class: "status-line caller-ambiguous" },
      h("strong", {}, "Several customers share this number"),
      h("span", { class: "muted" }, " — ask who is calling and pick:"),
      h("ul", { class: "candidates" }, (pop.caller.candidates || []).map((c) =>
        h("li", {}, h("button", {
          class: `btn candidate${picked === c.customer_id ? " picked" : ""}`, type: "button",
          onclick: () => actions.onPick(c.customer_id),
        }, h("strong", {}, c.name), ` ${label(c.segment)}`, c.reason ? h("span", { class: "muted" }, ` · ${c.reason}`) : null)))));
  }
  return null;
}

function transferBox(groups, actions) {
  const select = h("select", { "aria-label": "Transfer to group" },
    Object.values(groups).map((g) => h("option", { value: g.slug }, `${g.name} · ${g.name_zh}`)));
  return h("div", { class: "transfer" }, select,
    h("button", { class: "btn small", type: "button", onclick: () => actions.onTransfer(select.value) }, "Transfer"));
}

/** The call card's content for the current pop, or the idle message. */
export function renderCall(pop, groups, actions) {
  if (!pop) return [h("div", { class: "call-idle" }, "No call. Calls for you pop up here while the phone rings.")];
  const c = pop.call;
  const since = pop.phase === "connected" ? pop.answeredAt : pop.ringingAt;
  const name = pop.record?.customer?.name;
  return [
    h("div", { class: `call-band phase-${pop.phase}` },
      h("span", { class: "phase", "data-testid": "call-phase" }, PHASE_TEXT[pop.phase] || pop.phase),
      h("span", { class: "caller-id" }, name || c.caller_name || c.caller || "Withheld"),
      h("span", { class: "number mono" }, c.caller || ""),
      pop.phase === "ended" ? h("span", { class: "timer" }, clock(pop.talk_s))
        : h("span", { class: "timer", "data-since": since }, clock((Date.now() - since) / 1000))),
    h("div", { class: "call-meta" },
      h("span", {}, groupName(groups, c.queue)),
      h("span", {}, `waited ${clock(c.waited_s)}`),
      c.priority ? h("span", {}, `priority ${c.priority}`) : null,
      c.routing_reason ? h("span", { class: "muted" }, c.routing_reason) : null,
      pop.phase === "connected" ? transferBox(groups, actions) : null),
    callerStatus(pop, actions),
  ];
}
