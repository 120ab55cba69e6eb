// Quality scoring on the wallboard: a supervisor picks a finished call and a scorecard, rates each
// criterion, sends the score, and sees the calibration (how far the scorers of that call differ).

import { api, h } from "/static/common.js";
import { t } from "/static/i18n.js";

let cards = [];
let root = null;
let calibration = null;
let message = { text: "", error: false };

/** Load the scorecards and draw the panel into `into` (again on a language change). */
export async function mountQuality(into) {
  root = into;
  try {
    cards = await api("/api/quality/scorecards");
  } catch {
    cards = [];
  }
  renderQuality();
}

const value = (id) => (document.getElementById(id)?.value || "").trim();
const chosenCard = () => cards.find((c) => String(c.id) === value("qa-card")) || cards[0] || null;
const callPath = () => `/api/calls/${encodeURIComponent(value("qa-pbx") || "pbx1")}/${encodeURIComponent(value("qa-linkedid"))}`;

function say(text, error = false) {
  message = { text, error };
  const box = document.getElementById("qa-message");
  if (box) { box.textContent = text; box.className = error ? "error" : "muted"; }
}

function criterionRow(card, c, typed) {
  return h("label", { class: "qa-criterion" },
    h("span", {}, `${c.label} (${t("qa.weight")} ${c.weight})`),
    h("input", { type: "number", min: 0, max: card.scale, step: 1, required: true, "data-key": c.key, "aria-label": c.label, value: typed[c.key] || null }));
}

async function submit(event) {
  event.preventDefault();
  const card = chosenCard();
  if (!card) return;
  const ratings = {};
  for (const input of root.querySelectorAll(".qa-criterion input")) ratings[input.dataset.key] = Number(input.value);
  const comment = value("qa-comment") || null;
  try {
    const done = await api(`${callPath()}/scores`, { method: "POST", body: { scorecard_id: card.id, ratings, comment } });
    say(t("qa.scored", { total: Number(done.total).toFixed(1), agent: done.agent }));
  } catch (err) {
    say(err.message, true);
  }
}

async function calibrate() {
  const card = chosenCard();
  if (!card || !value("qa-linkedid")) return;
  try {
    calibration = await api(`${callPath()}/calibration?scorecard_id=${card.id}`);
    renderQuality();
  } catch (err) {
    calibration = null;
    renderQuality();
    say(err.message, true);
  }
}

function calibrationTable(c) {
  const head = h("tr", {}, h("th", {}, t("qa.criterion")), c.scorers.map((s) => h("th", {}, s)), h("th", {}, t("qa.spread")));
  const rows = c.criteria.map((k) => h("tr", { "data-key": k.key, class: k.agreed ? "" : "qa-apart" },
    h("td", {}, k.label), c.scorers.map((s) => h("td", {}, String(k.ratings[s] ?? "—"))), h("td", { "data-testid": "spread" }, String(k.spread))));
  const total = h("tr", { class: "qa-total" }, h("td", {}, t("qa.total")), c.scorers.map((s) => h("td", {}, String(c.totals[s]))),
    h("td", { "data-testid": "total-spread" }, String(c.total_spread)));
  return h("table", { id: "qa-calibration", class: "qa-calibration" }, head, rows, total);
}

/** Draw the panel: the call, the scorecard, one rating per criterion, comment, send, calibration. */
export function renderQuality() {
  if (!root) return;
  const kept = { pbx: value("qa-pbx") || "pbx1", linkedid: value("qa-linkedid"), card: value("qa-card"), comment: value("qa-comment") };
  const typed = {};  // what was rated so far survives a redraw (calibration, language)
  for (const input of root.querySelectorAll(".qa-criterion input")) typed[input.dataset.key] = input.value;
  if (!cards.length) {
    root.replaceChildren(h("h2", {}, t("qa.title")), h("p", { class: "muted" }, t("qa.no_cards")));
    return;
  }
  const select = h("select", { id: "qa-card", "aria-label": t("qa.card"), onchange: () => { calibration = null; renderQuality(); } },
    cards.map((c) => h("option", { value: c.id, selected: String(c.id) === kept.card }, `${c.group} · ${c.name}`)));
  const card = cards.find((c) => String(c.id) === kept.card) || cards[0];
  const form = h("form", { id: "qa-form", class: "qa-form", onsubmit: submit },
    h("label", {}, t("qa.pbx"), h("input", { id: "qa-pbx", value: kept.pbx, size: 6 })),
    h("label", {}, t("qa.linkedid"), h("input", { id: "qa-linkedid", value: kept.linkedid, required: true, size: 16 })),
    h("label", {}, t("qa.card"), select),
    h("div", { class: "qa-criteria" }, card.criteria.map((c) => criterionRow(card, c, typed))),
    h("label", {}, t("qa.comment"), h("input", { id: "qa-comment", value: kept.comment })),
    h("div", { class: "row" },
      h("button", { type: "submit", class: "btn primary", id: "qa-submit" }, t("qa.submit")),
      h("button", { type: "button", class: "btn", id: "qa-calibrate", onclick: calibrate }, t("qa.calibrate"))));
  root.replaceChildren(h("h2", {}, t("qa.title")), form,
    h("p", { id: "qa-message", class: message.error ? "error" : "muted", role: "status" }, message.text),
    calibration ? calibrationTable(calibration) : null);
}
