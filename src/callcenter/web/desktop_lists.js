// The desktop's pick lists from the server: pause reasons, disposition codes, groups.

import { api, h } from "/static/common.js";
import { t, valueText } from "/static/i18n.js";

const $ = (id) => document.getElementById(id);

function fillSelect(select, values, prefix, placeholder) {
  const kept = select.value;
  const first = placeholder ? [h("option", { value: "" }, placeholder)] : [];
  select.replaceChildren(...first, ...values.map((v) => h("option", { value: v }, valueText(prefix, v))));
  if (kept && values.includes(kept)) select.value = kept;
}

/** Fill the selects from `S.lists` (again on a language switch). */
export function fillLists(S) {
  fillSelect($("pause-reason"), S.lists.reasons, "pr");
  // the disposition starts empty: a real code is never pre-chosen for the agent
  fillSelect($("dispo-code"), S.lists.dispositions, "dc", t("dispo.choose"));
}

/** Load the lists into `S.lists` and `S.groups` (queue -> group). */
export async function loadLists(S) {
  const [reasons, dispositions, groups] = await Promise.allSettled([
    api("/api/pause-reasons"), api("/api/dispositions"), api("/api/groups"),
  ]);
  S.lists = { reasons: reasons.value || [], dispositions: dispositions.value || [] };
  fillLists(S);
  for (const g of groups.value || []) S.groups[g.queue] = g;
}
