// Which platforms this organization can publish to, and what each needs of a job, read from the
// API once per load (and again whenever the connections page reads them), so a platform jobpub
// gains (Indeed, say), a field a platform gains or a new version of a code list shows up without
// a console change. Display names, renewal and fields come from the adapters
// (GET /jobs/publishing/platforms/fields/); the small map below names platforms until then.

import { api } from "./api.js";

const NAMES = { linkedin: "LinkedIn", naukri: "Naukri", indeed: "Indeed", feed: "Job feed" };
const FIELDS = "/jobs/publishing/platforms/fields/";

let connected = [];
let known = Object.keys(NAMES);
let described = {}; // platform → {display_name, renews, min_description, fields}

export const platformName = (platform) => described[platform]?.display_name ?? NAMES[platform] ?? platform;
/** Whether the API renews a posting there (the adapter's `renews`); elsewhere it answers 409. */
export const isRenewable = (platform) => described[platform]?.renews === true;
/** What a connected platform needs of a job: {min_description, fields: [...]}, or null if not known. */
export const platformNeeds = (platform) => described[platform] ?? null;

/** The platforms a publish can use now (configured and enabled), in the API's order. */
export const connectedPlatforms = () => connected;

/** A job card's platforms: the connected ones, then any other the job is on (a since-disabled one). */
export const cardPlatforms = (status) => [...new Set([...connected, ...Object.keys(status?.platforms ?? {})])];

/** Every platform the console knows of: the named ones and any the organization has configured. */
export const knownPlatforms = () => known;

/** "LinkedIn", "LinkedIn and Naukri", "LinkedIn, Naukri and Job feed". */
export function platformNames(platforms) {
  const names = platforms.map(platformName);
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** Take the API's connections answer as the current truth. */
export function rememberConnections(answer) {
  connected = [...(answer?.connected ?? [])];
  const configured = (answer?.items ?? []).map((c) => c.platform);
  known = [...new Set([...Object.keys(NAMES), ...configured, ...connected])];
}

/** Read the connections and what each needs; on failure keep what was known (a job card still shows its own platforms). */
export async function loadConnections() {
  const needs = api("GET", FIELDS).catch(() => null); // without it the form shows no platform's own fields
  try {
    const answer = await api("GET", "/jobs/publishing/platforms/");
    rememberConnections(answer);
    return answer;
  } catch {
    return null;
  } finally {
    const items = (await needs)?.items;
    if (items) described = Object.fromEntries(items.map((item) => [item.platform, item]));
  }
}
