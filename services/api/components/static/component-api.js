// How the publish component reaches the jobpub API: where it is (the element's api-base, the
// page's configure({apiBase}), else the API that served this file), the key (asked for on every
// call, so a token that rotates is always current; never written into the page or a log), and the
// organization's platforms, read once per page and API however many elements there are.

const FALLBACK_NAMES = { linkedin: "LinkedIn", naukri: "Naukri", indeed: "Indeed", feed: "Job feed" };
// This file is served at <api>/components/…: one folder up is the API itself.
const SERVING_API = new URL("../", import.meta.url).href;

const pageSettings = { apiKey: null, getApiKey: null, apiBase: null };
const connectedLookups = new Map(); // api base → Promise<string[]>
const nameLookups = new Map(); // api base → Promise<{platform: display name}>

export class ApiProblem extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Settings for every element on the page: {apiKey} or {getApiKey: () => key or a promise of one}, and {apiBase}. */
export function configure({ apiKey, getApiKey, apiBase } = {}) {
  if (apiKey !== undefined) pageSettings.apiKey = apiKey;
  if (getApiKey !== undefined) pageSettings.getApiKey = getApiKey;
  if (apiBase !== undefined) pageSettings.apiBase = apiBase;
}

/** The API's address with a trailing slash, so paths resolve under any prefix it is served at. */
export function apiBase(attribute) {
  const base = new URL(attribute || pageSettings.apiBase || SERVING_API, document.baseURI).href;
  return base.endsWith("/") ? base : `${base}/`;
}

/** The page's key: its getApiKey callback if it gave one, else its apiKey. */
export async function pageKey() {
  return pageSettings.getApiKey ? pageSettings.getApiKey() : pageSettings.apiKey;
}

/**
 * One call to the API. `key` is asked for now, not earlier; resolves to the JSON answer.
 * @throws {ApiProblem} with the HTTP status (0 when the API did not answer) and a readable message
 */
export async function callApi({ base, key }, method, path, body) {
  const headers = {};
  const current = await key();
  if (current) headers["X-API-Key"] = current;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(new URL(path, base), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiProblem(0, "The jobpub API did not answer.");
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiProblem(response.status, describeProblem(response.status, data?.detail));
  return data;
}

function describeProblem(status, detail) {
  if (status === 401) return "The API key was not accepted: it is missing, wrong or revoked.";
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((problem) => problem.msg).join("; ");
  return `The API answered with status ${status}.`;
}

function remembered(lookups, connection, read) {
  if (!lookups.has(connection.base)) {
    const lookup = read();
    lookups.set(connection.base, lookup);
    lookup.catch(() => lookups.delete(connection.base)); // a failure is asked again next time
  }
  return lookups.get(connection.base);
}

/** The platforms a publish can use now (GET /jobs/publishing/platforms/ `connected`). */
export const connectedPlatforms = (connection) =>
  remembered(connectedLookups, connection, () =>
    callApi(connection, "GET", "jobs/publishing/platforms/").then((answer) => answer.connected ?? []));

/** Each platform's display name from its adapter; the fallback names when that cannot be read. */
export const displayNames = (connection) =>
  remembered(nameLookups, connection, () =>
    callApi(connection, "GET", "jobs/publishing/platforms/fields/")
      .then((answer) => Object.fromEntries((answer.items ?? []).map((item) => [item.platform, item.display_name]))))
    .catch(() => ({}));

export const platformName = (names, platform) => names[platform] ?? FALLBACK_NAMES[platform] ?? platform;

/** "LinkedIn", "LinkedIn and Naukri", "LinkedIn, Naukri and Job feed". */
export function listNames(names, platforms) {
  const words = platforms.map((platform) => platformName(names, platform));
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}
