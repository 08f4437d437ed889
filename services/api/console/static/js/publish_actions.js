// A job's three publish buttons, behaving like the seed frontend's JobPublishActions: the clicked
// button spins while the platforms work, then shows a check mark or a failure for RESET_AFTER_MS
// before going back to its label; each outcome is also a toast. Below the buttons, every platform
// that failed shows its error and one Retry button, for as long as it stays failed.

import { api } from "./api.js";
import { h, PLATFORM_NAMES, PLATFORMS, sleep, spinner } from "./dom.js";
import { toast } from "./toast.js";

export const RESET_AFTER_MS = 3000;
const POLL_EVERY_MS = 400;
// Retries of a transient failure can take minutes; past this the badges keep following it.
const FOLLOW_FOR_MS = 120000;
const SETTLED = new Set(["published", "failed", "closed"]);

const CHOICES = [
  { choice: "linkedin", label: "LinkedIn", targets: ["linkedin"] },
  { choice: "naukri", label: "Naukri", targets: ["naukri"] },
  { choice: "both", label: "both", targets: PLATFORMS },
];

/**
 * @param {{job: object, onStatus: (status: object) => void}} options
 *   job: the job's status as the API answers it; onStatus: told of every status read here.
 */
export function createPublishActions({ job, onStatus }) {
  let busy = false;
  let resetTimer = null;
  let status = job;
  let refused = null; // a request the API refused outright (422…): its message and a way to repeat it

  const buttons = Object.fromEntries(CHOICES.map(({ choice, label }) => {
    const button = h("button", { type: "button", dataset: { action: choice } });
    // "LinkedIn" on screen, "Publish to LinkedIn" to a screen reader.
    button.idleLabel = () => (choice === "both" ? ["Publish to both"] : [h("span", { class: "visually-hidden" }, "Publish to "), label]);
    return [choice, button];
  }));
  const retryButton = h("button", { type: "button", class: "secondary", dataset: { action: "retry" }, hidden: true });
  retryButton.idleLabel = () => ["Retry", h("span", { class: "visually-hidden" }, ` publishing “${job.title}”`)];
  const messages = h("div", { role: "alert" });
  const alertPanel = h("div", { class: "alert problems", hidden: true }, messages, retryButton);
  const element = h("div", { class: "publish-actions" },
    h("div", { class: "actions", role: "group", "aria-label": `Publish “${job.title}”` }, Object.values(buttons)),
    alertPanel);

  for (const { choice, targets } of CHOICES) {
    buttons[choice].addEventListener("click", () =>
      run(buttons[choice], targets, () => api("POST", "/jobs/publishing/publish/", { body: { job_id: job.job_id, platforms: [choice] } })));
  }
  retryButton.addEventListener("click", retry);
  resetButtons();

  function retry() {
    if (refused) return refused.repeat();
    const failed = failedPlatforms();
    return run(retryButton, failed, () =>
      api("POST", `/jobs/publishing/${job.job_id}/retry/`, { body: { platforms: failed } }));
  }

  async function run(button, targets, request) {
    if (busy || button.getAttribute("aria-disabled") === "true") return;
    busy = true;
    clearTimeout(resetTimer);
    refused = null;
    resetButtons();
    Object.values(buttons).concat(retryButton).forEach((b) => b.setAttribute("aria-disabled", "true"));
    show(button, "busy", "Publishing…");
    try {
      showStatus(await request());
      const outcome = await followUntilSettled(targets);
      reportOutcome(button, targets, outcome);
    } catch (error) {
      refused = { message: error.message, repeat: () => run(retryButton, targets, request) };
      show(button, "error", "✕ Failed");
      toast(`“${job.title}”: ${error.message}`, "error");
    } finally {
      busy = false;
      Object.values(buttons).concat(retryButton).forEach((b) => b.removeAttribute("aria-disabled"));
      renderAlert();
      resetTimer = setTimeout(resetButtons, RESET_AFTER_MS);
    }
  }

  async function followUntilSettled(targets) {
    const deadline = Date.now() + FOLLOW_FOR_MS;
    while (!targets.every((p) => SETTLED.has(status.platforms[p]?.status))) {
      if (Date.now() > deadline) return null;
      await sleep(POLL_EVERY_MS);
      showStatus(await api("GET", `/jobs/publishing/${job.job_id}/status/`));
    }
    return status;
  }

  function reportOutcome(button, targets, outcome) {
    const names = targets.map((p) => PLATFORM_NAMES[p]).join(" and ");
    if (outcome === null) {
      show(button, "idle");
      toast(`“${job.title}” is still publishing on ${names}; its badges will follow.`);
      return;
    }
    const failed = targets.filter((p) => outcome.platforms[p]?.status === "failed");
    if (failed.length) {
      show(button, "error", "✕ Failed");
      const reasons = failed.map((p) => `${PLATFORM_NAMES[p]}: ${outcome.platforms[p].last_error || "failed"}`);
      toast(`“${job.title}” was not published. ${reasons.join("; ")}`, "error");
    } else {
      show(button, "success", "✓ Published");
      toast(`“${job.title}” is published on ${names}.`, "success");
    }
  }

  function show(button, mode, text) {
    button.classList.toggle("is-success", mode === "success");
    button.classList.toggle("is-error", mode === "error");
    button.dataset.state = mode;
    if (mode === "busy") button.setAttribute("aria-busy", "true");
    else button.removeAttribute("aria-busy");
    button.replaceChildren(...(mode === "idle" ? button.idleLabel() : [mode === "busy" ? spinner() : "", text]));
  }

  function resetButtons() {
    const retryHadFocus = document.activeElement === retryButton;
    Object.values(buttons).concat(retryButton).forEach((b) => {
      if (!busy) b.removeAttribute("aria-disabled");
      show(b, "idle");
    });
    renderAlert();
    if (retryHadFocus && retryButton.hidden) buttons.both.focus();
  }

  function failedPlatforms() {
    return PLATFORMS.filter((p) => status.platforms[p]?.status === "failed");
  }

  function renderAlert() {
    const lines = failedPlatforms().map((p) => [`${PLATFORM_NAMES[p]} failed: `, status.platforms[p].last_error || "no reason given"]);
    if (!lines.length && refused) lines.push(["Not published: ", refused.message]);
    const text = JSON.stringify(lines);
    if (messages.dataset.shown !== text) { // rebuilt only on change, so the alert is read out once
      messages.dataset.shown = text;
      messages.replaceChildren(...lines.map(([name, reason]) => h("p", {}, h("strong", {}, name), reason)));
    }
    retryButton.hidden = !lines.length && retryButton.dataset.state === "idle";
    alertPanel.hidden = retryButton.hidden && !lines.length;
    alertPanel.classList.toggle("alert", lines.length > 0); // no red frame around a retry's check mark
  }

  function showStatus(next) {
    status = next;
    onStatus(next);
  }

  return {
    element,
    /** A newer status read elsewhere (the page's refresh). */
    update(next) {
      status = next;
      if (!busy) renderAlert();
    },
    /** Follow a publish requested elsewhere (the new-job form) as if its button had been clicked. */
    follow(choice, answer) {
      const { targets } = CHOICES.find((c) => c.choice === choice);
      return run(buttons[choice], targets, async () => answer);
    },
  };
}
