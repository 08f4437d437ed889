// Under a job's buttons: why a platform failed (to publish, or an update, close or renew) and why
// a request was refused, in one alert, with one Retry for what trying again can mend (a failed
// operation, a request that did not reach the API). A failed publish is retried from its own button.

import { h } from "./dom.js";
import { platformName } from "./platforms.js";

const OPERATION_NAMES = { update: "the update", close: "closing", renew: "renewing" };

/**
 * @param {{job: object, retryOperation: (operation: string, platforms: string[]) => void}} options
 */
export function createJobProblems({ job, retryOperation }) {
  let status = job;
  let refusal = null; // {message, what, repeat}
  const messages = h("div", { role: "alert" });
  const retry = h("button", { type: "button", class: "secondary", dataset: { action: "retry-request" }, hidden: true },
    "Retry", h("span", { class: "visually-hidden" }, ` for “${job.title}”`));
  const element = h("div", { class: "alert problems", hidden: true }, messages, retry);

  retry.addEventListener("click", () => {
    if (refusal?.repeat) return refusal.repeat();
    const failed = failedOperations();
    if (failed.length) retryOperation(failed[0].operation, failed.filter((f) => f.operation === failed[0].operation).map((f) => f.platform));
  });

  function failedOperations() {
    return Object.entries(status.platforms).map(([platform, posting]) => ({ platform, posting }))
      .filter(({ posting }) => posting?.operation_status === "failed" && posting.status !== "failed")
      .map(({ platform, posting }) => ({ platform, operation: posting.operation, error: posting.last_error }));
  }

  function render() {
    const lines = Object.keys(status.platforms).filter((p) => status.platforms[p]?.status === "failed")
      .map((p) => [`${platformName(p)} failed: `, status.platforms[p].last_error || "no reason given"]);
    for (const failed of failedOperations()) {
      lines.push([`${platformName(failed.platform)}: ${OPERATION_NAMES[failed.operation] ?? failed.operation} failed: `,
        failed.error || "no reason given"]);
    }
    if (refusal) lines.push([`${refusal.what} refused: `, refusal.message]);
    const shown = JSON.stringify(lines);
    if (messages.dataset.shown !== shown) { // rebuilt only on change, so the alert is read out once
      messages.dataset.shown = shown;
      messages.replaceChildren(...lines.map(([what, why]) => h("p", {}, h("strong", {}, what), why)));
      retry.hidden = !(refusal?.repeat || failedOperations().length);
    }
    element.hidden = lines.length === 0;
  }

  render();
  return {
    element,
    update(next) { status = next; render(); },
    /** A request the API refused (or null when a new one starts). */
    refused(next) { refusal = next; render(); },
  };
}
