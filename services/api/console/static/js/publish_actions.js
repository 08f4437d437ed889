// A job card's publish buttons: the <jobpub-publish-actions> component any frontend can use
// (/components/jobpub-publish-actions.js), so the console and other pages share one
// implementation. The card feeds it the status its page reads (no polling of its own but while a
// publish of its own is followed), the session's key on each call, and the connected platforms;
// it turns the component's events into the console's toasts, the card's alert and its locks.

import "../../components/jobpub-publish-actions.js";
import { storedKey } from "./api.js";
import { connectedPlatforms, platformNames } from "./platforms.js";
import { toast } from "./toast.js";

const DONE = { publish: "published", retry: "published", repost: "reposted" };
const ASKED = { publish: "Publish", retry: "Retry", repost: "Repost" };

/**
 * @param {{job: object, onStatus: (status: object) => void, onRefused: (refusal: object|null) => void,
 *          lockOthers: (on: boolean) => void}} options
 *   onStatus: told of every status the component reads; onRefused: a refused request for the
 *   card's alert; lockOthers: disables the card's other buttons while a publish runs.
 */
export function createPublishActions({ job, onStatus, onRefused, lockOthers }) {
  const element = document.createElement("jobpub-publish-actions");
  element.setAttribute("job-id", job.job_id);
  element.setAttribute("label", `Publish “${job.title}”`);
  element.setAttribute("platforms", connectedPlatforms().join(" "));
  element.setAttribute("refresh-every", "0"); // the jobs page reads every job's status already
  element.getApiKey = storedKey;
  element.status = job;
  let title = job.title;

  element.addEventListener("status-change", (event) => onStatus(event.detail.status));
  element.addEventListener("publish-start", () => { onRefused(null); lockOthers(true); });
  element.addEventListener("publish-error", ({ detail }) => {
    if (detail.status !== undefined) onRefused({ message: detail.message, what: ASKED[detail.action], repeat: null });
    toast(`“${title}” was not ${DONE[detail.action]}: ${detail.message}`, "error");
  });
  element.addEventListener("publish-end", ({ detail }) => {
    lockOthers(false);
    const { action, platforms, published, failed } = detail;
    if (published.length && !failed.length) toast(`“${title}” is ${DONE[action]} on ${platformNames(published)}.`, "success");
    else if (!published.length && !failed.length) toast(`“${title}”: still working on ${platformNames(platforms)}; its badges will follow.`);
  });

  return {
    element,
    update(status) {
      title = status.title ?? title;
      element.status = status;
    },
    lock(on) { element.disabled = on; },
    /** Follow a publish requested elsewhere (the new-job form) as if its button had been clicked. */
    follow: (platforms, answer) => element.follow(platforms, answer),
  };
}
