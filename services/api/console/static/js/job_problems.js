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
    if (failed.length) retryOperation(failed[0].operation, [...new Set(failed.filter((f) => f.operation === failed[0].operation).map((f) => f.platform))]);
  });

  // Every posting: a platform holds several of a job in more places than it takes (one per part).
  const postings = () => status.postings ?? Object.values(status.platforms ?? {});

  /** "LinkedIn", or "LinkedIn 2" when the platform holds several postings of the job. */
  function nameOf(posting) {
    const several = postings().filter((p) => p.platform === posting.platform).length > 1;
    return several ? `${platformName(posting.platform)} ${posting.part}` : platformName(posting.platform);
  }

  function failedOperations() {
    return postings().filter((posting) => posting?.operation_status === "failed" && posting.status !== "failed")
      .map((posting) => ({ platform: posting.platform, name: nameOf(posting), operation: posting.operation, error: posting.last_error }));
  }

  function render() {
    const lines = postings().filter((posting) => posting?.status === "failed")
      .map((posting) => [`${nameOf(posting)} failed: `, posting.last_error || "no reason given"]);
    for (const failed of failedOperations()) {
      lines.push([`${failed.name}: ${OPERATION_NAMES[failed.operation] ?? failed.operation} failed: `,
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
