// "New job": a job's fields and where to publish it (every connected platform, or one of them), sent
// as one publish request (the API creates the job and requests the platforms in one transaction).
// Refusals are shown per field, each platform's own fields (board_fields_inputs.js) included.

import { api } from "./api.js";
import { field, h, markField } from "./dom.js";
import { createBoardFieldsInputs } from "./board_fields_inputs.js";
import { PLACES_HINT, placesBody, placesInput, readPlaces } from "./places.js";
import { connectedPlatforms, platformName, platformNames, platformNeeds } from "./platforms.js";
import { toast } from "./toast.js";

const EMPLOYMENT_TYPES = ["full_time", "part_time", "contract", "internship", "temporary", "volunteer"];
const WORKPLACE_TYPES = ["on_site", "hybrid", "remote"];
const humanize = (value) => value.replace("_", " ").replace(/^./, (c) => c.toUpperCase());

export function createNewJobForm({ onCreated }) {
  const inputs = {
    title: h("input", { name: "title", required: true, maxlength: 150 }),
    company: h("input", { name: "company", required: true }),
    location: placesInput({ required: true }),
    apply_url: h("input", { name: "apply_url", type: "url", required: true, placeholder: "https://…" }),
    description: h("textarea", { name: "description", rows: 6, required: true }),
    employment_type: h("select", { name: "employment_type" }, EMPLOYMENT_TYPES.map((t) => h("option", { value: t }, humanize(t)))),
    workplace_type: h("select", { name: "workplace_type" }, WORKPLACE_TYPES.map((t) => h("option", { value: t }, humanize(t)))),
    skills: h("input", { name: "skills" }),
  };
  const platformChoice = choiceOfPlatforms(connectedPlatforms());
  const boardFields = createBoardFieldsInputs(connectedPlatforms());
  const problem = h("p", { class: "problem", role: "alert" });
  const submit = h("button", { type: "submit" }, "Create and publish");
  const form = h("form", { novalidate: true },
    field("Title", inputs.title), field("Company", inputs.company), field("Location", inputs.location, PLACES_HINT),
    field("Apply URL", inputs.apply_url),
    field("Description", inputs.description, descriptionHint(connectedPlatforms())),
    field("Employment type", inputs.employment_type), field("Workplace", inputs.workplace_type),
    field("Skills", inputs.skills, "Separated by commas."), platformChoice, boardFields.element, problem, submit);
  const chosen = () => {
    const choice = form.querySelector("input[name=platforms]:checked")?.value;
    return choice === "everywhere" ? connectedPlatforms() : [choice].filter(Boolean);
  };
  platformChoice.addEventListener("change", () => boardFields.show(chosen()));
  boardFields.show(chosen());

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    Object.values(inputs).forEach((input) => markField(input, ""));
    boardFields.clear();
    problem.textContent = "";
    const platforms = chosen();
    const job = { ...jobFromInputs(inputs), board_fields: boardFields.values(platforms) };
    submit.setAttribute("aria-disabled", "true");
    try {
      const answer = await api("POST", "/jobs/publishing/publish/", { body: { job, platforms } });
      form.reset();
      boardFields.show(chosen());
      form.closest("details").open = false; // the new job's card, first in the list, takes over
      toast(`“${answer.title}” is created; publishing…`);
      onCreated(answer, platforms);
    } catch (error) {
      showProblems(error, inputs, boardFields, problem);
    } finally {
      submit.removeAttribute("aria-disabled");
    }
  });

  return h("details", { class: "panel" }, h("summary", {}, "New job"), form);
}

/** "Everywhere" (the default) and each connected platform alone; with none, where to connect one. */
function choiceOfPlatforms(connected) {
  const legend = h("legend", {}, "Publish to");
  if (!connected.length) return h("fieldset", {}, legend, h("p", { class: "problem" }, "No platform is connected: set one up under Connections."));
  const choices = connected.length > 1 ? ["everywhere", ...connected] : connected;
  return h("fieldset", {}, legend, choices.map((value, index) => h("label", {},
    h("input", { type: "radio", name: "platforms", value, checked: index === 0 }), " ",
    value === "everywhere" ? `Everywhere connected: ${platformNames(connected)}` : `${platformName(value)} only`)));
}

function jobFromInputs(inputs) {
  const job = {};
  for (const name of ["title", "company", "apply_url", "description", "employment_type", "workplace_type"]) {
    job[name] = inputs[name].value.trim();
  }
  Object.assign(job, placesBody(readPlaces(inputs.location)));
  job.skills = inputs.skills.value.split(",").map((s) => s.trim()).filter(Boolean);
  return job;
}

/** "LinkedIn needs at least 100 characters, Naukri 50.", from what each platform says it takes. */
function descriptionHint(connected) {
  const needs = connected.map((p) => [p, platformNeeds(p)?.min_description]).filter(([, n]) => n);
  if (!needs.length) return undefined;
  const [[first, least], ...rest] = needs;
  const others = rest.map(([p, n]) => `${platformName(p)} ${n}`);
  return `${platformName(first)} needs at least ${least} characters${others.length ? `, ${others.join(", ")}` : ""}.`;
}

/** Put each of the API's problems beside its field; what names no field goes above the button. */
function showProblems(error, inputs, boardFields, problem) {
  const unplaced = [];
  for (const item of Array.isArray(error.detail) ? error.detail : []) {
    const [where, job, given, ...rest] = item.loc ?? [];
    const name = given === "locations" ? "location" : given; // one field takes one place or several
    const inJob = where === "body" && job === "job";
    if (inJob && name === "board_fields" && boardFields.mark(rest[0], rest[1], item.msg, rest.at(-1))) continue;
    if (inJob && inputs[name]) markField(inputs[name], item.msg);
    else unplaced.push(item.msg);
  }
  problem.textContent = unplaced.length || !Array.isArray(error.detail) ? (unplaced.join("; ") || error.message) : "";
  const firstInvalid = Object.values(inputs).find((input) => input.getAttribute("aria-invalid") === "true");
  (firstInvalid ?? boardFields.firstInvalid() ?? problem).focus?.();
}
