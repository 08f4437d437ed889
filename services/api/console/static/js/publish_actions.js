// A job's publish buttons, one per platform, each following its platform's state as the seed
// frontend's JobPublishActions did: "Publish to …" where it is not on the platform, a spinner while
// it is on its way, a disabled "Published ✓" where it is live, "Retry" where it failed, "Repost"
// where it was closed. One button per platform the organization is connected to (platforms.js), and
// "Publish everywhere": every connected platform the job is not yet on, offered while two or more are.

import { api } from "./api.js";
import { createActionButton } from "./action_button.js";
import { h } from "./dom.js";
import { cardPlatforms, connectedPlatforms, platformName, platformNames } from "./platforms.js";
import { platformAction, platformPosting } from "./posting_state.js";

const hidden = (text) => h("span", { class: "visually-hidden" }, text);

/** What each state's button says (visible words, and what a screen reader adds). */
const LABELS = {
  publish: (name) => [`Publish to ${name}`],
  busy: (name) => [`Publishing on ${name}…`],
  live: (name) => [`Published on ${name} ✓`],
  retry: (name) => ["Retry", hidden(" publishing on"), ` ${name}`],
  repost: (name) => [`Repost to ${name}`],
};

/** How each click is sent, and the words its button shows meanwhile. */
const REQUESTS = {
  publish: { kind: "publish", label: "Publishing…", done: "published", what: "Publish",
    path: () => "/jobs/publishing/publish/", body: (jobId, platforms) => ({ job_id: jobId, platforms }) },
  retry: { kind: "publish", label: "Retrying…", done: "published", what: "Retry",
    path: (jobId) => `/jobs/publishing/${jobId}/retry/`, body: (_, platforms) => ({ platforms }) },
  repost: { kind: "repost", label: "Reposting…", done: "reposted", what: "Repost",
    path: (jobId) => `/jobs/publishing/${jobId}/repost/`, body: (_, platforms) => ({ platforms }) },
};

/**
 * @param {{job: object, requests: object}} options
 *   job: the job's status as the API answers it; requests: the card's job_requests.
 */
export function createPublishActions({ job, requests }) {
  let status = job;
  const buttons = {};
  const everywhere = createActionButton({ action: "everywhere", onClick: () => send("publish", notYetOn(), everywhere) });
  const element = h("div", { class: "actions", role: "group", "aria-label": `Publish “${job.title}”` }, everywhere.element);

  /** A platform's button, made the first time the job or the organization has that platform. */
  function buttonOf(platform) {
    if (!buttons[platform]) {
      buttons[platform] = createActionButton({ action: platform, className: "platform-action", onClick: () => clicked(platform) });
      element.insertBefore(buttons[platform].element, everywhere.element);
    }
    return buttons[platform];
  }

  /** Connected platforms the job has never been sent to: what "Publish everywhere" publishes. */
  const notYetOn = () => connectedPlatforms().filter((p) => platformAction(platformPosting(status, p)) === "publish");

  function clicked(platform) {
    const action = platformAction(platformPosting(status, platform));
    if (REQUESTS[action]) send(action, [platform], buttons[platform]);
  }

  function send(action, platforms, button, answer) {
    const request = REQUESTS[action];
    let first = answer; // the new-job form has made the first request already
    return requests.run({
      ...request, button, targets: platforms,
      send: () => {
        const given = first;
        first = undefined;
        return given ?? api("POST", request.path(job.job_id), { body: request.body(job.job_id, platforms) });
      },
    });
  }

  function update(next) {
    status = next;
    for (const platform of cardPlatforms(next)) {
      const action = platformAction(platformPosting(next, platform));
      buttonOf(platform).rest(LABELS[action](platformName(platform)), { disabled: action === "live", busy: action === "busy" });
      buttons[platform].element.dataset.offers = action;
    }
    const targets = notYetOn();
    everywhere.rest(["Publish everywhere", hidden(`: ${platformNames(targets)}`)], { hidden: targets.length < 2 });
    everywhere.element.title = `Publish to ${platformNames(targets)}`;
  }

  update(job);
  return {
    element,
    update,
    lock: (on) => [everywhere, ...Object.values(buttons)].forEach((b) => b.lock(on)),
    /** Follow a publish requested elsewhere (the new-job form) as if its button had been clicked. */
    follow(platforms, answer) {
      return send("publish", platforms, platforms.length === 1 ? buttonOf(platforms[0]) : everywhere, answer);
    },
  };
}
