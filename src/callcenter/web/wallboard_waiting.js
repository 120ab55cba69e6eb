// The wallboard's list of callers waiting now: group, wait (ticking), segment, priority.

import { clock, h } from "/static/common.js";
import { fmtNumber, groupName, t, valueText } from "/static/i18n.js";

function who(c) {
  return c.caller_name || c.caller || t("call.withheld_number");
}

/** The rows of the waiting list (highest priority, then longest wait first, as the server sorts). */
export function waitingRows(waiting, groupsBySlug) {
  if (!waiting.length) return [h("tr", { class: "empty" }, h("td", { colspan: "5", class: "muted" }, t("wb.nobody_waiting")))];
  return waiting.map((c) => {
    const group = groupsBySlug[c.group];
    return h("tr", { "data-linkedid": c.linkedid, "data-group": c.group },
      h("td", { class: "w-group" }, group ? groupName(group) : c.group),
      h("td", { class: "w-caller" }, who(c)),
      h("td", { class: "w-wait", "data-tick": c.wait_s }, clock(c.wait_s)),
      h("td", { class: "w-segment" }, c.segment ? valueText("seg", c.segment) : "—"),
      h("td", { class: "w-priority" }, c.priority === null || c.priority === undefined ? "—" : fmtNumber(c.priority)));
  });
}

/** The whole section: heading with the count, then the table. */
export function renderWaiting(box, waiting, groups) {
  const bySlug = Object.fromEntries(groups.map((g) => [g.slug, g]));
  const head = h("tr", {}, ...["wb.w_group", "wb.w_caller", "wb.w_wait", "wb.w_segment", "wb.w_priority"].map((k) => h("th", {}, t(k))));
  box.replaceChildren(
    h("h2", {}, t("wb.waiting_callers"), h("span", { class: "muted", "data-testid": "waiting-count" }, ` ${fmtNumber(waiting.length)}`)),
    h("table", { class: "wb-waiting-table" }, h("thead", {}, head), h("tbody", {}, ...waitingRows(waiting, bySlug))));
}
