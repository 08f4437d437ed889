// Which platforms this organization can publish to, read from the API once per load (and again
// whenever the connections page reads them), so a platform jobpub gains (Indeed, say) shows up
// without a console change. Names come from a small map; an unknown platform shows its raw name.

import { api } from "./api.js";

const NAMES = { linkedin: "LinkedIn", naukri: "Naukri", indeed: "Indeed", feed: "Job feed" };
// Where the API renews a posting (shared/operations.py RENEWABLE_PLATFORMS); elsewhere it answers 409.
const RENEWABLE = new Set(["linkedin", "feed"]);

let connected = [];
let known = Object.keys(NAMES);

export const platformName = (platform) => NAMES[platform] ?? platform;
export const isRenewable = (platform) => RENEWABLE.has(platform);

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

/** Read the connections; on failure keep what was known (a job card still shows its own platforms). */
export async function loadConnections() {
  try {
    const answer = await api("GET", "/jobs/publishing/platforms/");
    rememberConnections(answer);
    return answer;
  } catch {
    return null;
  }
}
