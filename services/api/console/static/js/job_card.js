// One job of the jobs page: its title and facts, a badge per posting (a platform holds one per
// group of the job's locations it takes: LinkedIn six, Indeed and the feed one), the publish
// buttons, the lifecycle buttons (edit, close, renew) and the problems alert, all following one status.

import { externalLink, formatTime, h } from "./dom.js";
import { createJobProblems } from "./job_problems.js";
import { createJobRequests } from "./job_requests.js";
import { createLifecycleActions } from "./lifecycle_actions.js";
import { cardPlatforms, platformName } from "./platforms.js";
import { createPublishActions } from "./publish_actions.js";

const STATUS_LABELS = {
  pending: "Pending", publishing: "Publishing", published: "Published", failed: "Failed", closed: "Closed",
};

/** @param {object} job a jobs-list item; @param {boolean} operator whether to link the event log */
export function createJobCard(job, operator) {
  const titleId = `job-${job.job_id}-title`;
  const title = h("h2", { id: titleId }, job.title);
  const meta = h("p", { class: "job-meta" });
  const badges = h("ul", { class: "badges", "aria-live": "polite", "aria-label": "Status of each posting" });
  const requests = createJobRequests({
    job,
    onStatus: (status) => update(status),
    onRefused: (refusal) => problems.refused(refusal),
    lockAll: (on) => [publish, lifecycle].forEach((group) => group.lock(on)),
  });
  const publish = createPublishActions({
    job,
    onStatus: (status) => update(status),
    onRefused: (refusal) => problems.refused(refusal),
    lockOthers: (on) => lifecycle.lock(on),
  });
  const lifecycle = createLifecycleActions({ job, requests });
  const problems = createJobProblems({ job, retryOperation: (operation, platforms) => lifecycle.retry(operation, platforms) });
  const log = operator ? h("p", {}, h("a", { href: `#/jobs/${job.job_id}/events` }, "Event log",
    h("span", { class: "visually-hidden" }, ` of “${job.title}”`))) : null;
  const element = h("li", { class: "job-card", dataset: { jobId: job.job_id }, "aria-labelledby": titleId },
    title, meta, badges, h("div", { class: "card-actions" }, publish.element, lifecycle.element), problems.element, log);
  let details = job;

  function update(status) {
    details = { ...details, ...status };
    title.textContent = details.title;
    meta.textContent = [`#${details.job_id}`, details.company, details.location, formatTime(details.created_at)]
      .filter(Boolean).join(" · ");
    for (const platform of cardPlatforms(status)) {
      const parts = (status.postings ?? []).filter((posting) => posting.platform === platform);
      if (!parts.length) renderBadge(badges, platform, status.platforms?.[platform], false);
      for (const posting of parts) renderBadge(badges, platform, posting, parts.length > 1);
    }
    requests.update(status);
    publish.update(status);
    lifecycle.update(details);
    problems.update(status);
  }

  update(job);
  return { jobId: job.job_id, element, update, actions: publish };
}

/** One posting's badge; `numbered` when the platform holds several postings of the job (their places tell them apart). */
function renderBadge(badges, platform, posting, numbered) {
  const state = posting?.status ?? "none";
  const part = String(posting?.part ?? 1);
  const places = numbered ? (posting?.locations ?? []).join("; ") : "";
  const shown = `${state} ${posting?.url ?? ""} ${places}`;
  let badge = badges.querySelector(`[data-platform="${platform}"][data-part="${part}"]`);
  if (badge?.dataset.shown === shown) return; // unchanged: nothing new for the live region to read
  const name = platformName(platform);
  const fresh = h("li", { class: "badge", dataset: { platform, part, status: state, shown } },
    h("span", { class: "badge-platform" }, numbered ? `${name} ${part}: ` : `${name}: `),
    h("span", { class: "badge-status" }, STATUS_LABELS[state] ?? "Not published"),
    places ? h("span", { class: "badge-places" }, ` (${places})`) : null,
    posting?.url && state === "published" ? [" · ", externalLink(posting.url, `View on ${name}`)] : null);
  if (badge) badge.replaceWith(fresh);
  else badges.append(fresh);
}
