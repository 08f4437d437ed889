// The applications page: filter by job, platform and date; where each application came from;
// and "Pull now", which asks the platforms for new applications and waits for the pull to end.

import { api } from "./api.js";
import { emailAddress, externalLink, field, formatTime, h, sleep } from "./dom.js";
import { knownPlatforms, platformName } from "./platforms.js";
import { toast } from "./toast.js";

const PAGE_SIZE = 50;
const SYNC_POLL_MS = 500;
const SYNC_WAIT_MS = 60000;

export function renderApplicationsPage(container) {
  const job = h("select", { name: "job_id" }, h("option", { value: "" }, "Any job"));
  const platform = h("select", { name: "platform" }, h("option", { value: "" }, "Any platform"),
    knownPlatforms().map((value) => h("option", { value }, platformName(value))));
  const from = h("input", { type: "date", name: "applied_from" });
  const to = h("input", { type: "date", name: "applied_to" });
  const filters = h("form", { class: "filters", "aria-label": "Filter applications" },
    field("Job", job), field("Platform", platform), field("Applied from", from), field("Applied to", to),
    h("div", { class: "field" }, h("button", { type: "submit" }, "Show applications")));
  const pull = h("button", { type: "button", class: "secondary" }, "Pull new applications now");
  const summary = h("p", { role: "status" });
  const rows = h("tbody");
  const table = h("div", { class: "table-wrap" }, h("table", {},
    h("caption", { class: "visually-hidden" }, "Applications"),
    h("thead", {}, h("tr", {}, ["Candidate", "Contact", "Job", "Platform", "Source", "Applied", "Resume"]
      .map((name) => h("th", { scope: "col" }, name)))), rows));
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Load more");
  container.append(h("h1", {}, "Applications"), filters, h("p", { class: "row" }, pull), summary, table, more);

  let cursor = null;
  const jobTitles = new Map();

  async function load({ append = false } = {}) {
    const params = { job_id: job.value, platform: platform.value, limit: PAGE_SIZE, cursor: append ? cursor : null,
      applied_from: startOfDay(from.value), applied_to: startOfDay(to.value, 1) };
    try {
      const page = await api("GET", "/jobs/publishing/applications/", { params });
      if (!append) rows.replaceChildren();
      rows.append(...page.items.map((item) => applicationRow(item, jobTitles)));
      cursor = page.next_cursor;
      more.hidden = cursor === null;
      summary.textContent = rows.children.length ? `${rows.children.length} application(s) shown.` : "No applications match these filters.";
    } catch (error) {
      summary.textContent = `Could not read the applications: ${error.message}`;
    }
  }

  pull.addEventListener("click", async () => {
    pull.setAttribute("aria-busy", "true");
    pull.textContent = "Pulling…";
    try {
      const body = { platform: platform.value || undefined, job_id: job.value ? Number(job.value) : undefined };
      const { items: syncs } = await api("POST", "/jobs/publishing/sync-applications/", { body });
      const finished = await Promise.all(syncs.map(waitForSync));
      const fresh = finished.reduce((sum, run) => sum + run.new, 0);
      const failed = finished.filter((run) => run.status !== "succeeded");
      if (failed.length) toast(`Pull from ${failed.map((r) => platformName(r.platform)).join(", ")} did not finish: ${failed[0].error ?? failed[0].status}`, "error");
      else toast(`Pulled: ${fresh} new application(s).`, "success");
      await load();
    } catch (error) {
      toast(`Could not pull: ${error.message}`, "error");
    } finally {
      pull.removeAttribute("aria-busy");
      pull.textContent = "Pull new applications now";
    }
  });
  filters.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  more.addEventListener("click", () => load({ append: true }));

  fillJobChoices(job, jobTitles).then(() => load());
}

async function waitForSync(run) {
  const deadline = Date.now() + SYNC_WAIT_MS;
  while (["pending", "running"].includes(run.status) && Date.now() < deadline) {
    await sleep(SYNC_POLL_MS);
    run = await api("GET", `/jobs/publishing/sync-applications/${run.id}/`);
  }
  return run;
}

async function fillJobChoices(select, titles) {
  try {
    const page = await api("GET", "/jobs/publishing/jobs/", { params: { limit: 200 } });
    for (const job of page.items) {
      titles.set(job.job_id, job.title);
      select.append(h("option", { value: job.job_id }, `#${job.job_id} ${job.title}`));
    }
  } catch {
    // The filter still works with "Any job"; the list below says what went wrong.
  }
}

function applicationRow(item, jobTitles) {
  const contact = [item.candidate_email && emailAddress(item.candidate_email), item.candidate_phone].filter(Boolean);
  return h("tr", { dataset: { applicationId: item.id } },
    h("td", {}, item.candidate_name),
    h("td", { class: "contact" }, contact.flatMap((c, i) => (i ? [h("br"), c] : [c]))),
    h("td", {}, jobTitles.has(item.job_id) ? `#${item.job_id} ${jobTitles.get(item.job_id)}` : `#${item.job_id}`),
    h("td", {}, platformName(item.platform)),
    h("td", { class: "source" }, item.source),
    h("td", {}, formatTime(item.applied_at)),
    h("td", {}, item.resume_url ? externalLink(item.resume_url, "Resume") : "—"));
}

/** A date input's day as the start of that day in the user's time zone, in ISO 8601 (UTC). */
function startOfDay(value, plusDays = 0) {
  if (!value) return null;
  const [year, month, day] = value.split("-").map(Number);
  return new Date(year, month - 1, day + plusDays).toISOString();
}
