// A job's publish buttons, one per platform, each following its platform's state as the seed
// frontend's JobPublishActions did: "Publish to …" where it is not on the platform, a spinner while
// it is on its way, a disabled "Published ✓" where it is live, "Retry" where it failed, "Repost"
// where it was closed. "Publish to both" is offered only while both can be published.

import { api } from "./api.js";
import { createActionButton } from "./action_button.js";
import { h, PLATFORM_NAMES, PLATFORMS } from "./dom.js";
import { platformAction } from "./posting_state.js";

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
  for (const platform of PLATFORMS) {
    buttons[platform] = createActionButton({ action: platform, onClick: () => clicked(platform) });
  }
  buttons.both = createActionButton({ action: "both", onClick: () => send("publish", PLATFORMS, buttons.both) });
  const element = h("div", { class: "actions", role: "group", "aria-label": `Publish “${job.title}”` },
    PLATFORMS.map((p) => buttons[p].element), buttons.both.element);

  function clicked(platform) {
    const action = platformAction(status.platforms[platform]);
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
    const actions = PLATFORMS.map((p) => platformAction(next.platforms[p]));
    PLATFORMS.forEach((platform, index) => {
      const action = actions[index];
      buttons[platform].rest(LABELS[action](PLATFORM_NAMES[platform]),
        { disabled: action === "live", busy: action === "busy" });
      buttons[platform].element.dataset.offers = action;
    });
    buttons.both.rest(["Publish to both"], { hidden: !actions.every((a) => a === "publish") });
  }

  update(job);
  return {
    element,
    update,
    lock: (on) => Object.values(buttons).forEach((b) => b.lock(on)),
    /** Follow a publish requested elsewhere (the new-job form) as if its button had been clicked. */
    follow(choice, answer) {
      const platforms = choice === "both" ? PLATFORMS : [choice];
      return send("publish", platforms, buttons[choice], answer);
    },
  };
}
