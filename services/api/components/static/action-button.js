// One button with the seed frontend's states: its resting label (which the posting's state
// decides), a spinner while a request runs, then a check mark or a failure for RESET_AFTER_MS
// before it rests again. Unavailable means aria-disabled, so a focused button keeps its focus.
// The publish component's buttons and the console's Edit, Close and Renew are all made here.

export const RESET_AFTER_MS = 3000;

/** An element with attributes and children (nodes, or text: never parsed as markup). */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** A spinner a screen reader skips (aria-busy says the same); styled by its page or shadow root. */
export const spinner = () => el("span", { class: "spinner", "aria-hidden": "true" });

/**
 * @param {{action: string, className?: string, onClick: () => void}} options
 *   action: the button's data-action (tests and styles find it by this).
 */
export function createActionButton({ action, className, onClick }) {
  const element = el("button", { type: "button", "data-action": action, "data-state": "idle", ...(className ? { class: className } : {}) });
  let resting = { label: [], disabled: false, hidden: false, busy: false };
  let mode = "idle"; // idle, running, success or error
  let locked = false;
  let timer = null;
  let onRest = () => {};

  element.addEventListener("click", () => {
    if (element.getAttribute("aria-disabled") !== "true") onClick();
  });

  function paint() {
    const busy = mode === "running" || (mode === "idle" && resting.busy);
    element.dataset.state = mode === "idle" ? (busy ? "busy" : "idle") : mode === "running" ? "busy" : mode;
    element.classList.toggle("is-success", mode === "success");
    element.classList.toggle("is-error", mode === "error");
    element.hidden = mode === "idle" && resting.hidden;
    if (busy) element.setAttribute("aria-busy", "true");
    else element.removeAttribute("aria-busy");
    const unavailable = locked || busy || (mode === "idle" && resting.disabled);
    if (unavailable) element.setAttribute("aria-disabled", "true");
    else element.removeAttribute("aria-disabled");
    if (mode === "idle") element.replaceChildren(...(resting.busy ? [spinner()] : []), ...resting.label);
  }

  function show(next, content) {
    clearTimeout(timer);
    mode = next;
    element.replaceChildren(...content);
    paint();
  }

  return {
    element,
    /** The label and availability the posting's state calls for; shown whenever no outcome is. */
    rest(label, { disabled = false, hidden = false, busy = false } = {}) {
      resting = { label, disabled, hidden, busy };
      paint();
    },
    running(text) { show("running", [spinner(), text]); },
    /** A check mark ("success") or a failure ("error"), then back to rest after RESET_AFTER_MS. */
    outcome(kind, text) {
      show(kind, [text]);
      timer = setTimeout(() => { mode = "idle"; paint(); onRest(); }, RESET_AFTER_MS);
    },
    /** Back to rest at once (an outcome the page tells some other way). */
    settle() { clearTimeout(timer); mode = "idle"; paint(); },
    /** While another request runs, nothing else can be asked. */
    lock(on) { locked = on; paint(); },
    /** Told when an outcome has given way to the resting label. */
    set onRest(callback) { onRest = callback; },
    get isRunning() { return mode === "running"; },
  };
}
