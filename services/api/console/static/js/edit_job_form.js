// "Edit": a modal dialog with a job's title, description, places (one a line), salary, expiry and
// the own fields of each platform it is on (board_fields_inputs.js, filled with the stored values).
// Only what was changed is sent (PATCH; board_fields only for the platforms whose values changed,
// since the API replaces a named platform's block); the API's refusals stay in the dialog beside
// their fields, and once it accepts, the dialog closes and the card's Edit button follows the update.

import { api } from "./api.js";
import { createBoardFieldsInputs } from "./board_fields_inputs.js";
import { field, h, markField } from "./dom.js";
import { PLACES_HINT, placesBody, placesInput, readPlaces } from "./places.js";
import { connectedPlatforms } from "./platforms.js";

const PERIODS = ["yearly", "monthly", "hourly"];

/**
 * @param {{job: object, onSaved: (fields: object, answer: object) => void, onClosed: () => void}} options
 */
export function createEditDialog({ job, onSaved, onClosed }) {
  const inputs = {
    title: h("input", { name: "title", required: true, maxlength: 150 }),
    location: placesInput(),
    description: h("textarea", { name: "description", rows: 5 }),
    minimum: h("input", { name: "minimum", type: "number", min: 0, inputmode: "numeric" }),
    maximum: h("input", { name: "maximum", type: "number", min: 0, inputmode: "numeric" }),
    currency: h("input", { name: "currency", maxlength: 3, placeholder: "INR", autocapitalize: "characters" }),
    period: h("select", { name: "period" }, PERIODS.map((p) => h("option", { value: p }, p))),
    expires_at: h("input", { name: "expires_at", type: "datetime-local" }),
  };
  const boardFields = createBoardFieldsInputs(connectedPlatforms());
  const problem = h("p", { class: "problem", role: "alert" });
  const save = h("button", { type: "submit" }, "Save changes");
  const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
  const headingId = `edit-${job.job_id}-heading`;
  const form = h("form", { method: "dialog", novalidate: true },
    h("h2", { id: headingId }, `Edit “${job.title}”`),
    field("Title", inputs.title), field("Location", inputs.location, `${PLACES_HINT} Empty keeps the current places.`),
    field("Description", inputs.description, "Empty keeps the current description."),
    h("fieldset", {}, h("legend", {}, "Salary (empty keeps the current one)"),
      h("div", { class: "salary" }, field("Minimum", inputs.minimum), field("Maximum", inputs.maximum),
        field("Currency", inputs.currency), field("Period", inputs.period))),
    field("Expires", inputs.expires_at, "Empty keeps the current expiry; it must be in the future."),
    boardFields.element, problem, h("div", { class: "row" }, save, cancel));
  const element = h("dialog", { class: "edit-dialog", "aria-labelledby": headingId }, form);
  let original = {};
  // What the last accepted edit stored, and the job as the card knew it then: the card reads the
  // places and board fields only from the jobs list, so until its next read they are the older ones.
  let accepted = null;

  cancel.addEventListener("click", () => element.close());
  element.addEventListener("close", onClosed);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    Object.values(inputs).forEach((input) => markField(input, ""));
    boardFields.clear();
    problem.textContent = "";
    const fields = changedFields(inputs, original);
    const boards = changedBoardFields(boardFields, original.boards);
    if (Object.keys(boards).length) fields.board_fields = boards;
    if (!Object.keys(fields).length) {
      problem.textContent = "Nothing is changed: change a field, or cancel.";
      return;
    }
    save.setAttribute("aria-busy", "true");
    try {
      const answer = await api("PATCH", `/jobs/publishing/${job.job_id}/`, { body: fields });
      accepted = { fields, basis: original.known };
      element.close();
      onSaved(fields, answer);
    } catch (error) {
      showProblems(error, inputs, boardFields, problem);
    } finally {
      save.removeAttribute("aria-busy");
    }
  });

  return {
    element,
    /** Open the dialog on the job as the card knows it (its places and board fields from the jobs list). */
    open(current) {
      form.reset();
      const known = stored(current, job);
      const latest = accepted && sameJson(accepted.basis, known) ? withEdit(known, accepted.fields) : known;
      original = { title: current.title ?? job.title, places: latest.places, known };
      inputs.title.value = original.title;
      inputs.location.value = latest.places.join("\n");
      const onJob = Object.keys(current.platforms ?? job.platforms ?? {});
      boardFields.show(onJob);
      boardFields.fill(latest.boardFields);
      original.boards = boardFields.values(onJob); // as the inputs read them back, so unchanged is equal
      problem.textContent = "";
      element.showModal();
      inputs.title.focus();
    },
  };
}

/** The job's places and board fields as the card knows them. */
function stored(current, job) {
  const places = current.locations ?? job.locations ?? [current.location ?? job.location].filter(Boolean);
  return { places: [...places], boardFields: current.board_fields ?? job.board_fields ?? {} };
}

function withEdit(known, fields) {
  const places = fields.locations ?? (fields.location ? [fields.location] : known.places);
  return { places, boardFields: { ...known.boardFields, ...fields.board_fields } };
}

const sameJson = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function changedFields(inputs, original) {
  const fields = {};
  for (const name of ["title", "description"]) {
    const value = inputs[name].value.trim();
    if (value && value !== original[name]) fields[name] = value;
  }
  const places = readPlaces(inputs.location);
  if (places.length && !sameJson(places, original.places)) Object.assign(fields, placesBody(places));
  if (inputs.minimum.value || inputs.maximum.value || inputs.currency.value) {
    fields.salary = {
      minimum: Number(inputs.minimum.value || 0), maximum: Number(inputs.maximum.value || inputs.minimum.value || 0),
      currency: inputs.currency.value.trim().toUpperCase(), period: inputs.period.value,
    };
  }
  if (inputs.expires_at.value) fields.expires_at = new Date(inputs.expires_at.value).toISOString();
  return fields;
}

/** Only the platforms whose values differ from what the dialog opened with, each as a whole block. */
function changedBoardFields(boardFields, before) {
  const now = boardFields.values(Object.keys(before));
  return Object.fromEntries(Object.entries(now).filter(([platform, values]) => !sameJson(values, before[platform])));
}

const FIELD_OF = { locations: "location" }; // one field takes one place or several

/** Each of the API's problems beside its field (a salary's beside its part); the rest above the buttons. */
function showProblems(error, inputs, boardFields, problem) {
  const unplaced = [];
  for (const item of Array.isArray(error.detail) ? error.detail : []) {
    const path = (item.loc || []).filter((part) => part !== "body");
    if (path[0] === "board_fields" && boardFields.mark(path[1], path[2], item.msg, path.at(-1))) continue;
    const input = inputs[path[0] === "salary" ? path[1] ?? "minimum" : FIELD_OF[path[0]] ?? path[0]];
    if (input) markField(input, item.msg);
    else unplaced.push(item.msg);
  }
  problem.textContent = Array.isArray(error.detail) ? unplaced.join("; ") : error.message;
  const firstInvalid = Object.values(inputs).find((input) => input.getAttribute("aria-invalid") === "true");
  (firstInvalid ?? boardFields.firstInvalid() ?? problem).focus?.();
}
