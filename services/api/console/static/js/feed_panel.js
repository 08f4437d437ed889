// The job feed's connection: no credentials to type, only its public address (an Indeed XML feed
// the organization gives to job boards, and a page per job), turned on, off, or given a new address
// (the old one then answers 404). The address is read from GET .../platforms/feed/, never the list.

import { api } from "./api.js";
import { externalLink, h } from "./dom.js";
import { loadConnections, platformName } from "./platforms.js";
import { toast } from "./toast.js";

const FEED = "/jobs/publishing/platforms/feed/";
const NO_BASE_URL = "The server has no public address (JOBPUB_PUBLIC_BASE_URL is not set): the feed cannot be reached yet.";

/** @param {object|undefined} initial the feed's entry of the connections list, if configured */
export function createFeedPanel(initial) {
  const name = platformName("feed");
  const headingId = "connection-feed";
  const state = h("p", { role: "status" });
  const address = h("div", { class: "feed-address" });
  const enabled = h("input", { name: "enabled", type: "checkbox" });
  const enabledRow = h("div", { class: "field" }, h("label", {}, enabled, " Enabled (publishes may list jobs in the feed)"));
  const renew = h("button", { type: "button", class: "secondary" });
  let connection = initial;
  let read = false; // the list's entry has no address: only the feed's own answers carry it

  async function readAddress() {
    if (!connection) return;
    try {
      connection = await api("GET", FEED);
      read = true;
    } catch (error) {
      address.replaceChildren(h("p", { class: "problem" }, `Could not read the feed's address: ${error.message}`));
      return;
    }
    show();
  }

  function show() {
    state.textContent = !connection ? "Not configured." : connection.enabled ? "Connected." : "Configured but disabled.";
    enabled.checked = connection?.enabled ?? true;
    enabledRow.hidden = !connection;
    renew.textContent = connection ? "New feed address" : `Turn on the ${name.toLowerCase()}`;
    address.replaceChildren(...(connection && read ? addressLines(connection) : []));
  }

  enabled.addEventListener("change", async () => {
    try {
      connection = await api("PATCH", FEED, { body: { enabled: enabled.checked } });
      read = true;
      await loadConnections();
      toast(`${name} ${connection.enabled ? "enabled" : "disabled"}.`, "success");
    } catch (error) {
      toast(`${name} not changed: ${error.message}`, "error");
    }
    show();
  });

  renew.addEventListener("click", async () => {
    // A new address breaks the one job boards already crawl: ask first.
    if (connection && !window.confirm("Job boards using the current feed address will no longer reach it. Make a new one?")) return;
    try {
      connection = await api("POST", `${FEED}new-address/`);
      read = true;
      await loadConnections();
      toast(`${name}: the feed address is ready.`, "success");
    } catch (error) {
      toast(`${name} not changed: ${error.message}`, "error");
    }
    show();
  });

  show();
  readAddress();
  return h("section", { class: "panel", dataset: { platform: "feed" }, "aria-labelledby": headingId },
    h("h2", { id: headingId }, name), state, address, enabledRow, h("div", { class: "row" }, renew));
}

/** The feed URL to copy (read-only, selected on focus) with a Copy button, and the job pages' pattern. */
function addressLines(connection) {
  if (!connection.feed_url) return [h("p", { class: "problem" }, NO_BASE_URL)];
  const url = h("input", { name: "feed_url", readonly: true, value: connection.feed_url, class: "feed-url" });
  url.id = "feed-url";
  url.addEventListener("focus", () => url.select());
  const copy = h("button", { type: "button", class: "secondary" }, "Copy feed URL");
  copy.addEventListener("click", () => copyText(url, copy));
  return [
    h("div", { class: "field" },
      h("label", { for: url.id }, "Feed URL (give it to Indeed or another job board)"),
      h("div", { class: "row" }, url, copy)),
    h("p", { class: "hint" }, "Each job's public page: ", h("code", {}, connection.job_page_url ?? "")),
    h("p", {}, externalLink(connection.feed_url, "Open the feed")),
  ];
}

async function copyText(input, button) {
  try {
    await navigator.clipboard.writeText(input.value);
    toast("Feed URL copied.", "success");
  } catch {
    // No clipboard (plain http, say): leave it selected for Ctrl+C.
    input.focus();
    input.select();
    toast("Select the feed URL and copy it (Ctrl+C).");
  }
  button.focus();
}
