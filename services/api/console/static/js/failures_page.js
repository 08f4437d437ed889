// Operators only: postings that failed, filtered like `jobpub failures list`, and replayed like
// `jobpub failures replay` — a chosen few, or every match after a dry run has counted them.

import { api } from "./api.js";
import { field, formatTime, h } from "./dom.js";
import { knownPlatforms, platformName } from "./platforms.js";
import { toast } from "./toast.js";

const PAGE_SIZE = 50;

export function renderFailuresPage(container) {
  const platform = h("select", { name: "platform" }, h("option", { value: "" }, "Any platform"),
    knownPlatforms().map((value) => h("option", { value }, platformName(value))));
  const errorContains = h("input", { name: "error_contains" });
  const since = h("input", { name: "since", type: "datetime-local" });
  const why = h("input", { name: "why", required: true, value: "" });
  const filters = h("form", { class: "filters", "aria-label": "Filter failures" },
    field("Platform", platform), field("Error contains", errorContains), field("Failed since", since),
    h("div", { class: "field" }, h("button", { type: "submit" }, "Show failures")));
  const summary = h("p", { role: "status" });
  const rows = h("tbody");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Load more");
  const replaySelected = h("button", { type: "button" }, "Replay selected");
  const replayAll = h("button", { type: "button", class: "secondary" }, "Replay every match…");
  const confirmation = h("div", { class: "panel", hidden: true, role: "group", "aria-label": "Confirm replay" });
  container.append(h("h1", {}, "Failures"), filters,
    h("div", { class: "panel" }, field("Why (recorded in the publishing log)", why),
      h("div", { class: "row" }, replaySelected, replayAll), confirmation),
    summary,
    h("div", { class: "table-wrap" }, h("table", {}, h("caption", { class: "visually-hidden" }, "Failed postings"),
      h("thead", {}, h("tr", {}, ["Replay", "Job", "Platform", "Failed", "Attempts", "Error"].map((n) => h("th", { scope: "col" }, n)))),
      rows)), more);
  let cursor = null;

  const currentFilters = () => ({
    platform: platform.value || undefined, error_contains: errorContains.value || undefined,
    since: since.value ? new Date(since.value).toISOString() : undefined,
  });

  async function load({ append = false } = {}) {
    try {
      const page = await api("GET", "/jobs/publishing/failures/", { params: { ...currentFilters(), limit: PAGE_SIZE, cursor: append ? cursor : null } });
      if (!append) rows.replaceChildren();
      rows.append(...page.items.map(failureRow));
      cursor = page.next_cursor;
      more.hidden = !cursor;
      summary.textContent = rows.children.length ? `${rows.children.length} failure(s) shown.` : "No failures match.";
    } catch (error) {
      summary.textContent = `Could not read the failures: ${error.message}`;
    }
  }

  async function replay(body) {
    if (!why.value.trim()) {
      why.focus();
      toast("Say why first: it goes into the publishing log.", "error");
      return null;
    }
    return api("POST", "/jobs/publishing/failures/replay/", { body: { ...body, why: why.value.trim() } });
  }

  replaySelected.addEventListener("click", async () => {
    const ids = [...rows.querySelectorAll("input[type=checkbox]:checked")].map((box) => Number(box.value));
    if (!ids.length) return toast("Tick the failures to replay first.", "error");
    try {
      const result = await replay({ posting_ids: ids });
      if (result) { toast(`Replayed ${result.replayed}, skipped ${result.skipped}.`, "success"); load(); }
    } catch (error) { toast(`Replay refused: ${error.message}`, "error"); }
  });

  replayAll.addEventListener("click", async () => {
    try {
      const counted = await replay({ all: true, ...currentFilters(), dry_run: true });
      if (!counted) return;
      const go = h("button", { type: "button" }, `Replay ${counted.matched} failure(s)`);
      const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
      confirmation.replaceChildren(h("p", {}, `${counted.matched} failure(s) match these filters.`), h("div", { class: "row" }, go, cancel));
      confirmation.hidden = false;
      go.focus();
      cancel.addEventListener("click", () => { confirmation.hidden = true; replayAll.focus(); });
      go.addEventListener("click", async () => {
        confirmation.hidden = true;
        const result = await replay({ all: true, ...currentFilters(), dry_run: false });
        if (result) { toast(`Replayed ${result.replayed}, skipped ${result.skipped}.`, "success"); load(); }
      });
    } catch (error) { toast(`Replay refused: ${error.message}`, "error"); }
  });
  filters.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  more.addEventListener("click", () => load({ append: true }));
  load();
}

function failureRow(failure) {
  const label = `Replay ${platformName(failure.platform)} posting ${failure.posting_id} of job ${failure.job_id}`;
  return h("tr", { dataset: { postingId: failure.posting_id } },
    h("td", {}, h("input", { type: "checkbox", value: failure.posting_id, "aria-label": label })),
    h("td", {}, h("a", { href: `#/jobs/${failure.job_id}/events` }, `#${failure.job_id}`, h("span", { class: "visually-hidden" }, " event log"))),
    h("td", {}, platformName(failure.platform)),
    h("td", {}, formatTime(failure.failed_at)),
    h("td", {}, failure.attempts),
    h("td", { class: "wrap" }, failure.error ?? ""));
}
