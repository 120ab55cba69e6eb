// A callback promised from the disposition form: a `callback` work item due at the chosen time,
// filed (once) before the disposition is saved, so a wrong time is refused while nothing is lost.

import { api } from "/static/common.js";
import { t } from "/static/i18n.js";

const $ = (id) => document.getElementById(id);

/** Show the time field only while "promise a callback" is ticked. */
export function wireCallback() {
  const box = $("dispo-callback");
  const sync = () => { $("dispo-callback-when").hidden = !box.checked; };
  box.addEventListener("change", sync);
  $("disposition").addEventListener("reset", () => setTimeout(sync));
  sync();
}

/** File the promised callback if asked (and not filed yet for this form); throws with a reason. */
export async function fileCallback(S) {
  if (!$("dispo-callback").checked || S.dispo.callbackFiled) return null;
  const when = $("dispo-callback-at").value;
  if (!when) throw new Error(t("cb.need_time"));
  const body = { linkedid: S.dispo.linkedid, due_at: new Date(when).toISOString() };
  const note = $("dispo-note").value.trim();
  if (note) body.note = note;
  const filed = await api(`/api/agents/${S.code}/callbacks`, { method: "POST", body });
  S.dispo.callbackFiled = filed.id;
  return filed;
}
