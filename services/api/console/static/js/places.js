// A job's places as the forms take them: one a line, since a place has commas of its own
// ("Bengaluru, India"). One place is sent as `location`, several as `locations` (docs/api.md).

import { h } from "./dom.js";

export const PLACES_HINT = "One place a line, such as “Bengaluru, India”; the job is posted in each.";

export function placesInput(props = {}) {
  return h("textarea", { name: "location", rows: 3, ...props });
}

/** The places written, in order, blank lines dropped. */
export function readPlaces(textarea) {
  return textarea.value.split("\n").map((line) => line.trim()).filter(Boolean);
}

/** `{location}` for one place (or none: the API then says it is missing), `{locations}` for several. */
export function placesBody(places) {
  return places.length > 1 ? { locations: places } : { location: places[0] ?? "" };
}
