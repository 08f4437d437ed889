// Toasts: one short message per outcome, read out by screen readers through the live region
// in index.html; an error toast is an alert, so it interrupts.

const SHOWN_FOR_MS = 6000;

export function toast(message, kind = "info") {
  const region = document.getElementById("toasts");
  const item = document.createElement("div");
  item.className = `toast toast-${kind}`;
  if (kind === "error") item.setAttribute("role", "alert");
  const text = document.createElement("span");
  text.textContent = message;
  const close = document.createElement("button");
  close.type = "button";
  close.textContent = "×";
  close.setAttribute("aria-label", "Dismiss");
  close.addEventListener("click", () => item.remove());
  item.append(text, close);
  region.append(item);
  setTimeout(() => item.remove(), SHOWN_FOR_MS);
}
