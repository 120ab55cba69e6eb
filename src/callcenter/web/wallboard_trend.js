// Wallboard sparklines (calls waiting and service level over the last 24 hours by 15 minutes, per group) and
// alarms (SL under target, a wait over the limit, a pause over its reason's limit): red, listed
// at the top, and announced with a tone when they start.

import { clock, h } from "/static/common.js";
import { fmtPercent, groupName, t, valueText } from "/static/i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const W = 160;
const H = 34;
let announced = new Set();
let audio = null;

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

function line(values, max, cls) {
  const step = values.length > 1 ? W / (values.length - 1) : W;
  const pts = values.map((v, i) => (v === null || v === undefined ? null : `${(i * step).toFixed(1)},${(H - 2 - (v / max) * (H - 4)).toFixed(1)}`));
  const d = pts.filter(Boolean).join(" ");
  return d ? svg("polyline", { points: d, class: cls, fill: "none" }) : null;
}

/** One group's sparkline: waiting (amber) and SL % (green), oldest left, now right. */
export function sparkline(series, target) {
  const box = h("div", { class: "spark", "data-testid": "sparkline", title: t("wb.spark_help") });
  if (!series) return box;
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img" });
  const peak = Math.max(1, ...series.waiting.filter((v) => v !== null));
  if (target !== undefined) chart.append(svg("line", { x1: 0, x2: W, y1: H - 2 - (target / 100) * (H - 4), y2: H - 2 - (target / 100) * (H - 4), class: "spark-target" }));
  for (const el of [line(series.sl, 100, "spark-sl"), line(series.waiting, peak, "spark-waiting")]) if (el) chart.append(el);
  const known = series.waiting.filter((v) => v !== null).length;
  box.dataset.points = String(known);
  box.dataset.peak = String(known ? peak : 0);
  box.append(chart, h("span", { class: "spark-legend muted" }, t("wb.spark_legend", { peak })));
  return box;
}

function alarmText(a, groups, agents) {
  if (a.kind === "pause") {
    const agent = agents.find((x) => x.code === a.agent);
    return t("alarm.pause", { who: agent?.name || a.agent, time: clock(a.value), limit: clock(a.limit), reason: valueText("pr", agent?.reason || "") });
  }
  const g = groups.find((x) => x.slug === a.group);
  const name = g ? groupName(g) : a.group;
  return a.kind === "sl"
    ? t("alarm.sl", { group: name, sl: fmtPercent(a.value), target: fmtPercent(a.limit) })
    : t("alarm.wait", { group: name, wait: clock(a.value), limit: clock(a.limit) });
}

function tone() {
  try {
    audio = audio || new AudioContext();
    if (audio.state === "suspended") audio.resume();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 520;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.6);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.6);
  } catch {
    // no audio device: the alarm is still red on the board
  }
}

const key = (a) => `${a.kind}:${a.group || a.agent}`;

/** Groups (slugs) in alarm now. */
export function groupsInAlarm(alarms) {
  return new Set((alarms || []).filter((a) => a.group).map((a) => a.group));
}

/** The alarm list at the top; new alarms are announced (tone + the live region). */
export function renderAlarms(box, live, alarms, groups, agents) {
  const list = alarms || [];
  box.hidden = !list.length;
  box.replaceChildren(...list.map((a) => h("li", { class: `alarm alarm-${a.kind}`, "data-kind": a.kind, "data-group": a.group || "", "data-agent": a.agent || "" }, alarmText(a, groups, agents))));
  const fresh = list.filter((a) => !announced.has(key(a)));
  announced = new Set(list.map(key));
  if (!fresh.length) return;
  live.textContent = fresh.map((a) => alarmText(a, groups, agents)).join(" · ");
  document.body.dataset.alarmed = String(Number(document.body.dataset.alarmed || 0) + fresh.length);
  tone();
}
