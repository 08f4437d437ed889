// The New job form's part for each platform's own fields (LinkedIn's job functions, Naukri's CTC
// in lakhs, …), built from what the API says each platform needs
// (GET /jobs/publishing/platforms/fields/), so a field or code list the adapter gains shows up here
// with no change. One group per connected platform that has fields; only the chosen platforms'
// groups show, and only their values are sent. The Edit dialog fills them with a job's stored values.

import { field, h, markField } from "./dom.js";
import { platformName, platformNeeds } from "./platforms.js";

const NOT_DISCLOSED = "not_disclosed";

/** @param {string[]} platforms the connected platforms */
export function createBoardFieldsInputs(platforms) {
  const groups = {}; // platform → {element, inputs: {name: {read, inputs}}}
  for (const platform of platforms) {
    const fields = platformNeeds(platform)?.fields ?? [];
    if (!fields.length) continue;
    const inputs = Object.fromEntries(fields.map((spec) => [spec.name, inputFor(platform, spec)]));
    const legend = h("legend", {}, `${platformName(platform)}'s fields`);
    groups[platform] = { inputs, element: h("fieldset", { dataset: { boardFields: platform } }, legend,
      Object.values(inputs).map((input) => input.element)) };
  }

  return {
    element: h("div", { class: "board-fields" }, Object.values(groups).map((group) => group.element)),
    /** Show the groups of the platforms a publish goes to. */
    show(chosen) {
      for (const [platform, group] of Object.entries(groups)) group.element.hidden = !chosen.includes(platform);
    },
    /** `board_fields` for the chosen platforms: each filled field, as the API takes it. */
    values(chosen) {
      const values = {};
      for (const platform of chosen.filter((p) => groups[p])) {
        const filled = Object.entries(groups[platform].inputs).map(([name, input]) => [name, input.read()])
          .filter(([, value]) => value !== undefined);
        values[platform] = Object.fromEntries(filled);
      }
      return values;
    },
    /** Fill every group from a job's stored `board_fields` (a field it lacks is emptied). */
    fill(stored) {
      for (const [platform, group] of Object.entries(groups)) {
        for (const [name, input] of Object.entries(group.inputs)) input.write(stored?.[platform]?.[name]);
      }
    },
    /** Put a problem (loc after "board_fields": platform, field, …) beside its input; false if none fits. */
    mark(platform, name, message, end) {
      const input = groups[platform]?.inputs[name];
      if (!input) return false;
      markField(input.inputs[end === "max" ? input.inputs.length - 1 : 0], message);
      return true;
    },
    clear() {
      Object.values(groups).forEach((g) => Object.values(g.inputs).forEach((i) => i.inputs.forEach((x) => markField(x, ""))));
    },
    firstInvalid() {
      return Object.values(groups).flatMap((g) => Object.values(g.inputs).flatMap((i) => i.inputs))
        .find((input) => input.getAttribute("aria-invalid") === "true");
    },
  };
}

function inputFor(platform, spec) {
  const label = spec.required ? spec.label : `${spec.label} (optional)`;
  const name = `${platform}.${spec.name}`;
  if (spec.type === "range") return rangeInput(name, label, spec);
  if (spec.type === "text") {
    const input = h("input", { name, maxlength: spec.max_length ?? undefined });
    return { element: field(label, input, spec.help || undefined), inputs: [input],
      read: () => input.value.trim() || undefined, write: (value) => { input.value = value ?? ""; } };
  }
  const multiple = spec.type === "codes";
  const options = (spec.choices ?? []).map((c) => h("option", { value: c.code }, c.label));
  const select = h("select", { name, multiple }, multiple ? options : [h("option", { value: "" }, "—"), ...options]);
  const read = multiple
    ? () => { const picked = [...select.selectedOptions].map((o) => o.value); return picked.length ? picked : undefined; }
    : () => select.value || undefined;
  // A stored code the list no longer has cannot be shown: it reads back as unset.
  const write = (value) => {
    const picked = new Set([value ?? []].flat().map(String));
    for (const option of select.options) option.selected = picked.has(option.value);
    if (!multiple && select.selectedIndex < 0) select.value = "";
  };
  const hint = [spec.help, multiple ? "Choose one or more." : ""].filter(Boolean).join(" ") || undefined;
  return { element: field(label, select, hint), inputs: [select], read, write };
}

/** A range as two numbers (and "not disclosed" where the platform allows withholding it). */
function rangeInput(name, label, spec) {
  const number = (end) => h("input", { name: `${name}.${end}`, type: "number", min: spec.minimum ?? undefined,
    max: spec.maximum ?? undefined, step: spec.whole_numbers ? 1 : "any", inputmode: "decimal" });
  const low = number("min");
  const high = number("max");
  const withheld = spec.may_be_not_disclosed ? h("input", { type: "checkbox", name: `${name}.withheld` }) : null;
  const parse = (input) => (input.value === "" ? null : Number(input.value));
  const read = () => {
    if (withheld?.checked) return NOT_DISCLOSED;
    if (low.value === "" && high.value === "") return undefined;
    return { min: parse(low), max: parse(high) };
  };
  const write = (value) => {
    if (withheld) withheld.checked = value === NOT_DISCLOSED;
    const range = value && typeof value === "object" ? value : {};
    low.value = range.min ?? "";
    high.value = range.max ?? "";
  };
  const parts = [field(`${label}: minimum`, low, spec.help || undefined), field(`${label}: maximum`, high)];
  if (withheld) parts.push(h("label", {}, withheld, ` ${spec.label}: not disclosed`));
  return { element: h("div", { class: "range" }, parts), inputs: [low, high], read, write };
}
