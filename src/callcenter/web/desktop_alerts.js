// Telling the agent a call is ringing: a short WebAudio ring and, when the tab is hidden, a
// browser notification. Keyboard shortcuts (listed on the page) for ready, pause and wrap-up.

let audio = null;

/** Two short tones, made in the browser (no sound file to download). */
export function ring() {
  try {
    audio = audio || new AudioContext();
    if (audio.state === "suspended") audio.resume();
    const start = audio.currentTime;
    for (const offset of [0, 0.45]) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.35);
      tone.connect(gain).connect(audio.destination);
      tone.start(start + offset);
      tone.stop(start + offset + 0.4);
    }
    document.body.dataset.rang = String(Number(document.body.dataset.rang || 0) + 1);
  } catch {
    // no audio device: the pop itself is still on screen
  }
}

/** Ask once for permission to notify, on the agent's first click (browsers want a gesture). */
export function askNotificationPermission() {
  if (!("Notification" in window) || Notification.permission !== "default") return;
  document.addEventListener("click", () => Notification.requestPermission().catch(() => {}), { once: true });
}

/** A new call rang: ring, and notify when the agent is looking at another tab or window. */
export function announcePop(pop, title) {
  ring();
  if (!document.hidden || !("Notification" in window) || Notification.permission !== "granted") return;
  const who = pop.record?.customer?.name || pop.call?.caller_name || pop.call?.caller || "";
  try {
    const note = new Notification(title, { body: who, tag: `call-${pop.linkedid}` });
    note.onclick = () => { window.focus(); note.close(); };
    document.body.dataset.notified = String(Number(document.body.dataset.notified || 0) + 1);
  } catch {
    // notifications refused by the browser: nothing else to do
  }
}

/** Alt+R ready/resume, Alt+P pause, Alt+D go to the disposition, Alt+S save it. */
export function wireShortcuts(handlers) {
  const keys = { r: handlers.ready, p: handlers.pause, d: handlers.disposition, s: handlers.save };
  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    const run = keys[event.key.toLowerCase()] || keys[(event.code || "").replace(/^Key/, "").toLowerCase()];
    if (!run) return;
    event.preventDefault();
    run();
  });
  askNotificationPermission();
}
