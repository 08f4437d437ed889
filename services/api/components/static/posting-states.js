// What a platform's posting allows, and when a request on it is over: the rules the publish
// component and the console's other buttons share. Plain functions of the status the API answers
// (GET /jobs/publishing/{job_id}/status/), nothing on screen.

const ON_ITS_WAY = new Set(["pending", "publishing"]);
const OPERATION_RUNNING = new Set(["pending", "running"]);

/**
 * The posting that speaks for a platform on a job's buttons: a job in more places than the
 * platform takes has several (`status.postings`, one per part). One still moving wins (a request
 * is not over until every part settles), then a failed one (what Retry mends), else the first.
 */
export function platformPosting(status, platform) {
  const parts = (status?.postings ?? []).filter((posting) => posting.platform === platform);
  if (parts.length < 2) return status?.platforms?.[platform];
  return parts.find((p) => ON_ITS_WAY.has(p.status) || OPERATION_RUNNING.has(p.operation_status))
    ?? parts.find((p) => p.status === "failed" || p.operation_status === "failed")
    ?? parts[0];
}

/** The one publish button a platform shows: publish, busy, live, retry or repost. */
export function platformAction(posting) {
  const status = posting?.status;
  if (!status) return "publish";
  if (ON_ITS_WAY.has(status)) return "busy";
  if (status === "published") return "live";
  if (status === "failed") return "retry";
  return "repost"; // closed
}

/** Live or on its way: what an edit or a close can still reach. */
export const isOpen = (posting) => posting?.status === "published" || ON_ITS_WAY.has(posting?.status);

/** The operation (update, close, renew) under way on this posting, if any. */
export const runningOperation = (posting) =>
  (posting && OPERATION_RUNNING.has(posting.operation_status) ? posting.operation : null);

/** A request of this kind on this posting is over (well or badly). */
export function isSettled(kind, posting) {
  if (!posting) return false;
  if (kind === "publish") return ["published", "failed", "closed"].includes(posting.status);
  // A repost starts from closed: only a new outcome ends it.
  if (kind === "repost") return ["published", "failed"].includes(posting.status);
  return posting.operation === kind && ["succeeded", "failed"].includes(posting.operation_status);
}

/** The posting really is where the request wanted it: nothing else counts as success. */
export function reachedGoal(kind, posting) {
  if (kind === "publish" || kind === "repost") return posting?.status === "published";
  if (posting?.operation !== kind || posting.operation_status !== "succeeded") return false;
  return kind !== "close" || posting.status === "closed";
}

/** Why a platform did not get what was asked: its failure's reason, or that it ended elsewhere. */
export function whyNot(kind, posting) {
  if (posting?.last_error) return posting.last_error;
  if (kind === "publish" && posting?.status === "closed") return "the posting is closed; repost it instead";
  return posting ? `it is ${posting.status}` : "no posting";
}
