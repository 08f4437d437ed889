// Building the page from data without innerHTML: every value from the API (candidates' names,
// platforms' errors) is set as text, so none of it can ever run as markup.

let nextId = 0;

/** An element with attributes, listeners (`onclick`) and children (nodes or text). */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") element.className = value;
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name === "value") element.value = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...flatten(children));
  return element;
}

function flatten(children) {
  return children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : String(c)));
}

/** A fresh id for pairing a label (or a hint) with its input. */
export function uniqueId(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** A labelled form field; `input` gets an id, and the hint is read out with it. */
export function field(labelText, input, hint) {
  input.id = input.id || uniqueId("field");
  const hintElement = hint ? h("p", { class: "hint", id: `${input.id}-hint` }, hint) : null;
  if (hintElement) input.setAttribute("aria-describedby", hintElement.id);
  const problem = h("p", { class: "problem", id: `${input.id}-problem` });
  return h("div", { class: "field" }, h("label", { for: input.id }, labelText), input, hintElement, problem);
}

/** Show (or clear) a problem under a field made by `field`. */
export function markField(input, message) {
  const problem = document.getElementById(`${input.id}-problem`);
  if (problem) problem.textContent = message || "";
  if (message) {
    input.setAttribute("aria-invalid", "true");
    const described = [input.getAttribute("aria-describedby"), problem?.id].filter(Boolean);
    input.setAttribute("aria-describedby", [...new Set(described.join(" ").split(" "))].join(" "));
  } else {
    input.removeAttribute("aria-invalid");
  }
}

export function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

/** The URL if it is http(s), else null: a link from elsewhere must never be javascript:. */
export function safeHttpUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A link that opens outside the console, saying so to screen readers. */
export function externalLink(url, text) {
  const href = safeHttpUrl(url);
  if (!href) return null;
  return h("a", { href, target: "_blank", rel: "noopener noreferrer" }, text,
    h("span", { class: "visually-hidden" }, " (opens in a new tab)"));
}

/** An e-mail address that may wrap only before its "@" and its dots, never mid-word; whole in its title. */
export function emailAddress(address) {
  const parts = String(address).split(/(?=[@.])/);
  const pieces = parts.map((part) => h("span", { class: "email-part" }, part)); // each kept whole (a hyphen too)
  return h("span", { class: "email", title: address }, pieces.flatMap((piece, i) => (i ? [h("wbr"), piece] : [piece])));
}

export function spinner() {
  return h("span", { class: "spinner", "aria-hidden": "true" });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
