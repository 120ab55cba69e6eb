// Language of the pages: zh-CN unless this browser's user chose English (remembered in localStorage).
// t(key, values) gives a label; the fmt* helpers format numbers, percentages, dates and money by locale.

import { TEXT } from "/static/i18n_text.js";

const LANG_KEY = "callcenter.lang";
export const LANGUAGES = [["zh-CN", "中文"], ["en", "English"]];

export function lang() {
  return localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh-CN";
}

export function setLang(value) {
  localStorage.setItem(LANG_KEY, value === "en" ? "en" : "zh-CN");
}

/** The label `key` in the current language, with {name} placeholders filled from `values`. */
export function t(key, values = {}) {
  const entry = TEXT[key];
  const text = entry ? entry[lang() === "en" ? 1 : 0] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** A label for a value from the server (pause reason, disposition code): translated when known. */
export function valueText(prefix, value) {
  const key = `${prefix}.${value}`;
  return key in TEXT ? t(key) : String(value ?? "").replace(/[_-]+/g, " ");
}

/** A group's name in the current language (the seed and the wallboard carry both). */
export function groupName(group) {
  if (!group) return "";
  return lang() === "en" ? group.name || group.name_zh : group.name_zh || group.name;
}

/** The other language's name of a group, shown beside it. */
export function groupOtherName(group) {
  if (!group) return "";
  return lang() === "en" ? group.name_zh || "" : group.name || "";
}

export function fmtNumber(value) {
  return new Intl.NumberFormat(lang()).format(Number(value) || 0);
}

/** 87.4 -> "87%"; missing -> "—". */
export function fmtPercent(value) {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(lang(), { style: "percent", maximumFractionDigits: 0 }).format(value / 100);
}

export function fmtDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(String(iso)); // a calendar day: no zone shift
  const options = { year: "numeric", month: "short", day: "numeric" };
  return new Intl.DateTimeFormat(lang(), dateOnly ? { ...options, timeZone: "UTC" } : options).format(d);
}

/** A business day "2026-12-03" as a date, without shifting it through a time zone. */
export function fmtDay(day) {
  if (!day) return "";
  const [y, m, d] = String(day).split("-").map(Number);
  if (!y || !m || !d) return String(day);
  return new Intl.DateTimeFormat(lang(), {
    year: "numeric", month: "short", day: "numeric", weekday: "short", timeZone: "UTC",
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

export function fmtTime(date, timeZone) {
  const options = { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false };
  try {
    return new Intl.DateTimeFormat(lang(), timeZone ? { ...options, timeZone } : options).format(date);
  } catch {
    return new Intl.DateTimeFormat(lang(), options).format(date);
  }
}

export function fmtMoney(amount, currency) {
  const n = Number(amount);
  if (Number.isNaN(n)) return `${amount ?? ""} ${currency ?? ""}`.trim();
  try {
    return new Intl.NumberFormat(lang(), { style: "currency", currency: currency || "CNY" }).format(n);
  } catch {
    return `${currency || ""} ${n.toFixed(2)}`.trim();
  }
}

/** Translate the page's fixed text: data-i18n (text), data-i18n-placeholder, -aria-label, -title. */
export function applyText(root = document) {
  document.documentElement.lang = lang();
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const attr of ["placeholder", "aria-label", "title"]) {
    for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) {
      el.setAttribute(attr, t(el.getAttribute(`data-i18n-${attr}`)));
    }
  }
}

/** Fill every language switch of the page; a choice is stored, applied, then `onChange()` re-renders. */
export function wireLanguageSwitches(onChange) {
  for (const select of document.querySelectorAll("select.lang-switch")) {
    select.replaceChildren(...LANGUAGES.map(([value, name]) => {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = name;
      return option;
    }));
    select.value = lang();
    select.addEventListener("change", () => {
      setLang(select.value);
      for (const other of document.querySelectorAll("select.lang-switch")) other.value = lang();
      applyText();
      onChange();
    });
  }
  applyText();
}
