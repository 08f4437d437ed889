// A job card's edit, close and renew requests (its publish buttons are the publish component's), one at a time: the clicked
// button spins, the card follows the job's status until every platform acted on has settled, and
// the button and a toast say how it ended. Success means the platforms really reached the wanted
// state; a refusal (409: nothing to do) or a platform that ended elsewhere is an error.

import { api } from "./api.js";
import { sleep } from "./dom.js";
import { platformNames } from "./platforms.js";
import { isSettled, namedReasons, platformPosting, reachedGoal, whyNot } from "./posting_state.js";
import { toast } from "./toast.js";

const POLL_EVERY_MS = 400;
// Retries of a transient failure can take minutes; past this the badges keep following it.
const FOLLOW_FOR_MS = 120000;
const names = platformNames;

/**
 * @param {{job: object, onStatus: (status: object) => void, onRefused: (refusal: object|null) => void,
 *          lockAll: (on: boolean) => void}} options
 *   onStatus: told of every status read; onRefused: told of a refused request (message, and
 *   `repeat` when trying again could help) and of its end (null); lockAll: disables the card's buttons.
 */
export function createJobRequests({ job, onStatus, onRefused, lockAll }) {
  let busy = false;
  let status = job;
  const title = () => status.title ?? job.title; // an edit may have changed it

  /**
   * @param {object} request
   *   button: an action button; kind: update, close or renew; targets: the
   *   platforms asked for; send: () => the API's answer; done/label: the button's words.
   */
  async function run(request) {
    const { button, kind, send, done } = request;
    if (busy) return;
    busy = true;
    onRefused(null);
    lockAll(true);
    button.running(request.label);
    try {
      const answer = await send();
      showStatus(answer);
      const skipped = answer.skipped || {};
      const acted = request.targets.filter((p) => !(p in skipped) && p in answer.platforms);
      if (Object.keys(skipped).length) toast(`“${title()}”: not ${done} on ${namedReasons(skipped)}`);
      const outcome = acted.length ? await follow(kind, acted) : answer;
      report(request, acted, outcome);
    } catch (error) {
      refused(request, error);
    } finally {
      busy = false;
      lockAll(false);
    }
  }

  async function follow(kind, platforms) {
    const deadline = Date.now() + FOLLOW_FOR_MS;
    while (!platforms.every((p) => isSettled(kind, platformPosting(status, p)))) {
      if (Date.now() > deadline) return null;
      await sleep(POLL_EVERY_MS);
      showStatus(await api("GET", `/jobs/publishing/${job.job_id}/status/`));
    }
    return status;
  }

  function report({ button, kind, done, targets }, acted, outcome) {
    if (outcome === null) {
      button.settle();
      toast(`“${title()}”: still working on ${names(acted)}; its badges will follow.`);
      return;
    }
    const missed = acted.filter((p) => !reachedGoal(kind, platformPosting(outcome, p)));
    if (missed.length || !acted.length) {
      button.outcome("error", "✕ Failed");
      const reasons = Object.fromEntries(missed.map((p) => [p, whyNot(kind, platformPosting(outcome, p))]));
      toast(`“${title()}” was not ${done} on ${names(missed.length ? missed : targets)}. ${namedReasons(reasons)}`, "error");
      return;
    }
    button.outcome("success", `✓ ${done[0].toUpperCase()}${done.slice(1)}`);
    toast(`“${title()}” is ${done} on ${names(acted)}.`, "success");
  }

  function refused(request, error) {
    const useless = error.status === 409 || error.status === 422 || error.status === 404;
    request.button.outcome("error", error.status === 409 ? "✕ Nothing to do" : "✕ Failed");
    onRefused({ message: error.message, what: request.what, repeat: useless ? null : () => run(request) });
    toast(`“${title()}”: ${error.message}`, "error");
    // The card may be out of date (that is how a useless request gets asked): read where the job stands.
    api("GET", `/jobs/publishing/${job.job_id}/status/`).then(showStatus, () => {});
  }

  function showStatus(next) {
    status = next;
    onStatus(next);
  }

  return {
    run,
    get busy() { return busy; },
    /** A newer status read elsewhere (the page's refresh). */
    update(next) { status = next; },
  };
}
