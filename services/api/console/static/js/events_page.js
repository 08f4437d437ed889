// A job's publishing log, oldest first: what happened, on which platform, when, under which
// correlation id, with each event's payload behind a disclosure.

import { api } from "./api.js";
import { formatTime, h } from "./dom.js";
import { platformName } from "./platforms.js";

const PAGE_SIZE = 200;

export function renderEventsPage(container, { jobId }) {
  const summary = h("p", { role: "status" });
  const rows = h("tbody");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Load more");
  container.append(h("p", {}, h("a", { href: "#/jobs" }, "← Jobs")), h("h1", {}, `Event log of job #${jobId}`), summary,
    h("div", { class: "table-wrap" }, h("table", {}, h("caption", { class: "visually-hidden" }, "Events, oldest first"),
      h("thead", {}, h("tr", {}, ["Time", "Event", "Platform", "Correlation id", "Payload"].map((n) => h("th", { scope: "col" }, n)))),
      rows)), more);
  let cursor = null;

  async function load() {
    try {
      const page = await api("GET", `/jobs/publishing/${jobId}/events/`, { params: { limit: PAGE_SIZE, cursor } });
      rows.append(...page.items.map(eventRow));
      cursor = page.next_cursor;
      more.hidden = !cursor;
      summary.textContent = `${rows.children.length} event(s).`;
    } catch (error) {
      summary.textContent = `Could not read the log: ${error.message}`;
    }
  }
  more.addEventListener("click", load);
  load();
}

function eventRow(event) {
  return h("tr", { dataset: { eventType: event.event_type } },
    h("td", {}, formatTime(event.created_at)),
    h("td", {}, event.event_type),
    h("td", {}, (event.platform ? platformName(event.platform) : "—")),
    h("td", { class: "wrap" }, event.correlation_id ?? ""),
    h("td", { class: "wrap" }, h("details", {}, h("summary", {}, "Payload"), h("pre", {}, JSON.stringify(event.payload, null, 2)))));
}
