// Recordings on the desktop: play a past call from the customer's history (with seeking), and
// pause / resume the recording of the live call.

import { api, h } from "/static/common.js";
import { t } from "/static/i18n.js";

/** A "play" button for a contact that was a call; it opens an <audio> player under the row. */
export function recordingButton(contact) {
  if (!contact.call_linkedid || !contact.pbx) return null;
  const path = `/api/calls/${encodeURIComponent(contact.pbx)}/${encodeURIComponent(contact.call_linkedid)}/recording`;
  const button = h("button", { type: "button", class: "link play-recording", "data-linkedid": contact.call_linkedid }, t("rec.play"));
  button.addEventListener("click", async () => {
    const row = button.closest("li");
    row.querySelector(".recording")?.remove();
    try {
      const link = await api(`${path}/link`, { method: "POST" });
      row.append(h("audio", { class: "recording", controls: true, preload: "metadata", src: link.url }));
    } catch (err) {
      row.append(h("span", { class: "recording error" }, err.message));
    }
  });
  return button;
}

/** Pause (true) or resume (false) the recording of the agent's live call. */
export async function muteRecording(code, paused) {
  const verb = paused ? "pause" : "resume";
  return api(`/api/agents/${encodeURIComponent(code)}/recording/${verb}`, { method: "POST" });
}
