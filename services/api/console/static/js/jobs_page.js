// The jobs page: the organization's jobs, newest first, each a card (job_card.js) with its
// per-platform badges and buttons. Cards follow the API by polling: a job being acted on is followed
// closely by its own buttons; the whole list is read again every REFRESH_EVERY_MS (and when the tab
// comes back into view) for changes made elsewhere.

import { api } from "./api.js";
import { h } from "./dom.js";
import { createJobCard } from "./job_card.js";
import { createNewJobForm } from "./new_job_form.js";

const REFRESH_EVERY_MS = 2000;
const PAGE_SIZE = 50;
const MAX_REFRESHED = 200; // the API's largest page; older pages loaded beyond it are not refreshed

export function renderJobsPage(container, { operator }) {
  const cards = new Map();
  const list = h("ul", { class: "jobs", "aria-label": "Jobs" });
  const empty = h("p", { hidden: true }, "No jobs yet: create one with “New job”.");
  // A problem reading the list stays in one line (a toast every refresh would pile up).
  const trouble = h("p", { class: "problem", role: "status" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Load older jobs");
  let olderCursor = null;

  const newJob = createNewJobForm({
    onCreated(answer, platforms) {
      const card = showJobs([{ ...answer, company: "", location: "", created_at: new Date().toISOString() }])[0];
      card.actions.follow(platforms, answer);
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
  document.addEventListener("visibilitychange", refresh);
  return () => {
    clearInterval(timer);
    document.removeEventListener("visibilitychange", refresh);
  };
}
