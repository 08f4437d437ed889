// The jobs page: the organization's jobs, newest first, each with its per-platform badges and
// publish buttons. Badges follow the API by polling: a job being published is followed closely
// by its own buttons; the whole list is read again every REFRESH_EVERY_MS for changes made elsewhere.

import { api } from "./api.js";
import { externalLink, formatTime, h, PLATFORM_NAMES, PLATFORMS } from "./dom.js";
import { createNewJobForm } from "./new_job_form.js";
import { createPublishActions } from "./publish_actions.js";

const REFRESH_EVERY_MS = 2000;
const PAGE_SIZE = 50;
const MAX_REFRESHED = 200; // the API's largest page; older pages loaded beyond it are not refreshed

const STATUS_LABELS = {
  pending: "Pending", publishing: "Publishing", published: "Published", failed: "Failed", closed: "Closed",
};

export function renderJobsPage(container, { operator }) {
  const cards = new Map();
  const list = h("ul", { class: "jobs", "aria-label": "Jobs" });
  const empty = h("p", { hidden: true }, "No jobs yet: create one with “New job”.");
  // A problem reading the list stays in one line (a toast every refresh would pile up).
  const trouble = h("p", { class: "problem", role: "status" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Load older jobs");
  let olderCursor = null;

  const newJob = createNewJobForm({
    onCreated(answer, choice) {
      const card = showJobs([{ ...answer, company: "", location: "", created_at: new Date().toISOString() }])[0];
      card.actions.follow(choice, answer);
      refresh();
    },
  });
  container.append(h("h1", {}, "Jobs"), newJob, trouble, empty, list, more);

  function showJobs(items) {
    return items.map((job) => {
      let card = cards.get(job.job_id);
      if (card) {
        card.update(job);
      } else {
        card = createJobCard(job, operator);
        cards.set(job.job_id, card);
        // Newest first: before the first card of an older job.
        const olderCard = [...list.children].find((element) => Number(element.dataset.jobId) < job.job_id);
        list.insertBefore(card.element, olderCard ?? null);
      }
      return card;
    });
  }

  async function refresh() {
    if (document.hidden) return;
    try {
      const limit = Math.min(MAX_REFRESHED, Math.max(PAGE_SIZE, cards.size));
      const page = await api("GET", "/jobs/publishing/jobs/", { params: { limit } });
      showJobs(page.items);
      if (olderCursor === null && page.next_cursor && cards.size <= page.items.length) olderCursor = page.next_cursor;
      empty.hidden = cards.size > 0;
      more.hidden = olderCursor === null;
      trouble.textContent = "";
    } catch (error) {
      if (error.status !== 401) trouble.textContent = `Could not read the jobs: ${error.message}`;
    }
  }

  more.addEventListener("click", async () => {
    try {
      const page = await api("GET", "/jobs/publishing/jobs/", { params: { limit: PAGE_SIZE, cursor: olderCursor } });
      showJobs(page.items);
      olderCursor = page.next_cursor;
      more.hidden = olderCursor === null;
    } catch (error) {
      trouble.textContent = `Could not read older jobs: ${error.message}`;
    }
  });

  refresh();
  const timer = setInterval(refresh, REFRESH_EVERY_MS);
  return () => clearInterval(timer);
}

function createJobCard(job, operator) {
  const titleId = `job-${job.job_id}-title`;
  const title = h("h2", { id: titleId }, job.title);
  const meta = h("p", { class: "job-meta" });
  const badges = h("ul", { class: "badges", "aria-live": "polite", "aria-label": "Status on each platform" });
  const actions = createPublishActions({ job, onStatus: (status) => update(status) });
  const log = operator ? h("p", {}, h("a", { href: `#/jobs/${job.job_id}/events` }, "Event log",
    h("span", { class: "visually-hidden" }, ` of “${job.title}”`))) : null;
  const element = h("li", { class: "job-card", dataset: { jobId: job.job_id }, "aria-labelledby": titleId },
    title, meta, badges, actions.element, log);
  let details = job;

  function update(status) {
    details = { ...details, ...status };
    meta.textContent = [`#${details.job_id}`, details.company, details.location, formatTime(details.created_at)]
      .filter(Boolean).join(" · ");
    for (const platform of PLATFORMS) renderBadge(badges, platform, status.platforms[platform]);
    actions.update(status);
  }

  update(job);
  return { jobId: job.job_id, element, update, actions };
}

function renderBadge(badges, platform, posting) {
  const state = posting?.status ?? "none";
  const shown = `${state} ${posting?.url ?? ""}`;
  let badge = badges.querySelector(`[data-platform="${platform}"]`);
  if (badge?.dataset.shown === shown) return; // unchanged: nothing new for the live region to read
  const name = PLATFORM_NAMES[platform];
  const fresh = h("li", { class: "badge", dataset: { platform, status: state, shown } },
    h("span", { class: "badge-platform" }, `${name}: `),
    h("span", { class: "badge-status" }, STATUS_LABELS[state] ?? "Not published"),
    posting?.url && state === "published" ? [" · ", externalLink(posting.url, `View on ${name}`)] : null);
  if (badge) badge.replaceWith(fresh);
  else badges.append(fresh);
}
