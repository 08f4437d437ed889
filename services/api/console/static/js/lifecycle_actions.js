// A live job's Edit, Close and Renew buttons. Each is offered only where it can do something (a
// platform live or on its way; Renew where a renewable platform is live: LinkedIn or the feed, never
// Naukri), spins while its operation runs (also one asked for in another tab), and shows ✓ when the
// operation succeeded.

import { api } from "./api.js";
import { createActionButton } from "../../components/action-button.js";
import { h } from "./dom.js";
import { createEditDialog } from "./edit_job_form.js";
import { cardPlatforms, isRenewable, platformNames } from "./platforms.js";
import { isOpen, platformPosting, runningOperation } from "./posting_state.js";

const hidden = (text) => h("span", { class: "visually-hidden" }, text);

/**
 * @param {{job: object, requests: object}} options
 *   job: the job's status as the API answers it; requests: the card's job_requests.
 */
export function createLifecycleActions({ job, requests }) {
  let status = job;
  let lastEdit = null; // the fields of this tab's latest edit: what "Retry" sends again
  const buttons = {
    edit: createActionButton({ action: "edit", className: "secondary", onClick: () => dialog.open(status) }),
    close: createActionButton({ action: "close", className: "secondary", onClick: () => change("close", openPlatforms()) }),
    renew: createActionButton({ action: "renew", className: "secondary", onClick: () => change("renew", renewable()) }),
  };
  const dialog = createEditDialog({
    job,
    onSaved: (fields, answer) => edit(fields, answer),
    onClosed: () => buttons.edit.element.focus(),
  });
  const element = h("div", { class: "actions", role: "group", "aria-label": `Manage “${job.title}”` },
    Object.values(buttons).map((b) => b.element), dialog.element);

  const onJob = () => cardPlatforms(status).filter((p) => p in status.platforms); // in the card's order
  const openPlatforms = () => onJob().filter((p) => isOpen(platformPosting(status, p)));
  const renewable = () => onJob().filter((p) => isRenewable(p) && platformPosting(status, p)?.status === "published");

  function change(operation, platforms) {
    const words = { close: ["Closing…", "closed", "Close"], renew: ["Renewing…", "renewed", "Renew"] }[operation];
    return requests.run({
      button: buttons[operation], kind: operation, targets: platforms, label: words[0], done: words[1], what: words[2],
      send: () => api("POST", `/jobs/publishing/${job.job_id}/${operation}/`, { body: { platforms } }),
    });
  }

  function edit(fields, answer) {
    lastEdit = fields;
    let first = answer; // the dialog made the first request (its refusals stay in the dialog)
    return requests.run({
      button: buttons.edit, kind: "update", targets: onJob(),
      label: "Saving…", done: "updated", what: "Edit",
      send: () => {
        const given = first;
        first = undefined;
        return given ?? api("PATCH", `/jobs/publishing/${job.job_id}/`, { body: fields });
      },
    });
  }

  function update(next) {
    status = next;
    const open = openPlatforms().length > 0;
    const running = (operation) => onJob().some((p) => runningOperation(platformPosting(next, p)) === operation);
    buttons.edit.rest(["Edit", hidden(` “${job.title}”`)], { hidden: !open, busy: running("update") });
    buttons.close.rest(["Close", hidden(` “${job.title}” on every platform`)], { hidden: !open, busy: running("close") });
    const renewing = renewable();
    buttons.renew.rest(["Renew", hidden(` “${job.title}” on ${platformNames(renewing)}`)],
      { hidden: renewing.length === 0, busy: running("renew") });
  }

  update(job);
  return {
    element,
    update,
    lock: (on) => Object.values(buttons).forEach((b) => b.lock(on)),
    /** Try a failed operation again: close and renew as asked; an edit with this tab's fields, else the form. */
    retry(operation, platforms) {
      if (operation !== "update") return change(operation, platforms);
      if (lastEdit) return edit(lastEdit, undefined);
      return dialog.open(status);
    },
  };
}
