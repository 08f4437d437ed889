// The example page's wiring: the key goes to JobpubPublishActions.configure (a property, never an
// attribute), then one element per size and variant, and every event the elements fire is listed.

import { JobpubPublishActions } from "./jobpub-publish-actions.js";

const LOOKS = [
  { size: "md", variant: "solid" },
  { size: "sm", variant: "outline" },
  { size: "lg", variant: "ghost" },
];
const EVENTS = ["publish-start", "publish-success", "publish-error", "publish-end"];

const form = document.getElementById("choose");
const elements = document.getElementById("elements");
const log = document.getElementById("events");

for (const type of EVENTS) {
  document.addEventListener(type, ({ detail }) => {
    const item = document.createElement("li");
    item.dataset.type = type;
    const where = detail.platform ?? (detail.platforms ?? []).join(", ");
    item.textContent = `${type}: job ${detail.jobId}${where ? ` on ${where}` : ""}${detail.message ? ` (${detail.message})` : ""}`;
    log.append(item);
  });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  JobpubPublishActions.configure({ apiKey: document.getElementById("api-key").value });
  const jobId = document.getElementById("job-id").value;
  elements.replaceChildren(...LOOKS.map(({ size, variant }) => {
    const element = document.createElement("jobpub-publish-actions");
    Object.entries({ "job-id": jobId, size, variant, label: `Publish job ${jobId} (${size}, ${variant})` })
      .forEach(([name, value]) => element.setAttribute(name, value));
    return element;
  }));
  log.replaceChildren();
  document.getElementById("shown").hidden = false;
});
