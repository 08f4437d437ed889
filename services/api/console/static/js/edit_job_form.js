// "Edit": a modal dialog with a job's title, description, location, salary and expiry. Only what
// was changed is sent (PATCH); the API's refusals stay in the dialog beside their fields, and once
// it accepts, the dialog closes and the card's Edit button follows the update to the platforms.

import { api } from "./api.js";
import { field, h, markField } from "./dom.js";

const PERIODS = ["yearly", "monthly", "hourly"];

/**
 * @param {{job: object, onSaved: (fields: object, answer: object) => void, onClosed: () => void}} options
 */
export function createEditDialog({ job, onSaved, onClosed }) {
  const inputs = {
    title: h("input", { name: "title", required: true, maxlength: 150 }),
    location: h("input", { name: "location", maxlength: 200 }),
    description: h("textarea", { name: "description", rows: 5 }),
    minimum: h("input", { name: "minimum", type: "number", min: 0, inputmode: "numeric" }),
    maximum: h("input", { name: "maximum", type: "number", min: 0, inputmode: "numeric" }),
    currency: h("input", { name: "currency", maxlength: 3, placeholder: "INR", autocapitalize: "characters" }),
    period: h("select", { name: "period" }, PERIODS.map((p) => h("option", { value: p }, p))),
    expires_at: h("input", { name: "expires_at", type: "datetime-local" }),
  };
  const problem = h("p", { class: "problem", role: "alert" });
  const save = h("button", { type: "submit" }, "Save changes");
  const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
  const headingId = `edit-${job.job_id}-heading`;
  const form = h("form", { method: "dialog", novalidate: true },
    h("h2", { id: headingId }, `Edit “${job.title}”`),
    field("Title", inputs.title), field("Location", inputs.location, "Empty keeps the current location."),
    field("Description", inputs.description, "Empty keeps the current description."),
    h("fieldset", {}, h("legend", {}, "Salary (empty keeps the current one)"),
      h("div", { class: "salary" }, field("Minimum", inputs.minimum), field("Maximum", inputs.maximum),
        field("Currency", inputs.currency), field("Period", inputs.period))),
    field("Expires", inputs.expires_at, "Empty keeps the current expiry; it must be in the future."),
    problem, h("div", { class: "row" }, save, cancel));
  const element = h("dialog", { class: "edit-dialog", "aria-labelledby": headingId }, form);
  let original = {};

  cancel.addEventListener("click", () => element.close());
  element.addEventListener("close", onClosed);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    Object.values(inputs).forEach((input) => markField(input, ""));
    problem.textContent = "";
    const fields = changedFields(inputs, original);
    if (!Object.keys(fields).length) {
      problem.textContent = "Nothing is changed: change a field, or cancel.";
      return;
    }
    save.setAttribute("aria-busy", "true");
    try {
      const answer = await api("PATCH", `/jobs/publishing/${job.job_id}/`, { body: fields });
      element.close();
      onSaved(fields, answer);
    } catch (error) {
      showProblems(error, inputs, problem);
    } finally {
      save.removeAttribute("aria-busy");
    }
  });

  return {
    element,
    /** Open the dialog on the job's current title and location (what the list knows of it). */
    open(current) {
      form.reset();
      original = { title: current.title ?? job.title, location: current.location ?? job.location ?? "" };
      inputs.title.value = original.title;
      inputs.location.value = original.location;
      problem.textContent = "";
      element.showModal();
      inputs.title.focus();
    },
  };
}

function changedFields(inputs, original) {
  const fields = {};
  for (const name of ["title", "location", "description"]) {
    const value = inputs[name].value.trim();
    if (value && value !== original[name]) fields[name] = value;
  }
  if (inputs.minimum.value || inputs.maximum.value || inputs.currency.value) {
    fields.salary = {
      minimum: Number(inputs.minimum.value || 0), maximum: Number(inputs.maximum.value || inputs.minimum.value || 0),
      currency: inputs.currency.value.trim().toUpperCase(), period: inputs.period.value,
    };
  }
  if (inputs.expires_at.value) fields.expires_at = new Date(inputs.expires_at.value).toISOString();
  return fields;
}

/** Each of the API's problems beside its field (a salary's beside its part); the rest above the buttons. */
function showProblems(error, inputs, problem) {
  const unplaced = [];
  for (const item of Array.isArray(error.detail) ? error.detail : []) {
    const path = (item.loc || []).filter((part) => part !== "body");
    const input = inputs[path[0] === "salary" ? path[1] ?? "minimum" : path[0]];
    if (input) markField(input, item.msg);
    else unplaced.push(item.msg);
  }
  problem.textContent = Array.isArray(error.detail) ? unplaced.join("; ") : error.message;
  const firstInvalid = Object.values(inputs).find((input) => input.getAttribute("aria-invalid") === "true");
  (firstInvalid ?? problem).focus?.();
}
