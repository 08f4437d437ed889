// The console's view of a posting's state: the rules themselves live with the publish component
// (/components/posting-states.js), so its buttons and the console's agree; this adds the wording.

import { platformName } from "./platforms.js";

export {
  isOpen, isSettled, platformPosting, reachedGoal, runningOperation, whyNot,
} from "../../components/posting-states.js";

/** "LinkedIn: reason; Naukri: reason" for a {platform: reason} map (the API's `skipped`). */
export function namedReasons(reasons) {
  return Object.entries(reasons || {}).map(([platform, why]) => `${platformName(platform)}: ${why}`).join("; ");
}
