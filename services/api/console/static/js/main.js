// The console's start: ask for the API key once (kept in session storage), ask the API whose key
// it is (/me/: the organization, and whether it is an operator's key, so a recruiter is never shown,
// nor sent probing, an operator's page) and which platforms it can publish to (platforms.js), then
// show the page the address names (#/jobs, …).

import { api, forgetKey, rememberKey, storedKey, whenUnauthorized } from "./api.js";
import { renderApplicationsPage } from "./applications_page.js";
import { renderConnectionsPage } from "./connections_page.js";
import { renderEventsPage } from "./events_page.js";
import { renderFailuresPage } from "./failures_page.js";
import { renderJobsPage } from "./jobs_page.js";
import { loadConnections } from "./platforms.js";

const $ = (id) => document.getElementById(id);
const WRONG_KEY = "This API key was not accepted: it is wrong, or it has been revoked. Check it and try again.";

const ME = "/jobs/publishing/me/";
const context = { operator: false };
let leavePage = null;

const ROUTES = [
  { pattern: /^#\/jobs\/(\d+)\/events$/, page: "jobs", operator: true, render: (c, m) => renderEventsPage(c, { jobId: m[1] }) },
  { pattern: /^#\/applications$/, page: "applications", render: (c) => renderApplicationsPage(c) },
  { pattern: /^#\/connections$/, page: "connections", render: (c) => renderConnectionsPage(c) },
  { pattern: /^#\/failures$/, page: "failures", operator: true, render: (c) => renderFailuresPage(c) },
  { pattern: /^/, page: "jobs", render: (c) => renderJobsPage(c, context) },
];

async function start() {
  whenUnauthorized(() => askForKey("Your API key stopped working (it may have been revoked). Enter a valid key."));
  $("key-form").addEventListener("submit", submitKey);
  $("sign-out").addEventListener("click", () => askForKey(""));
  window.addEventListener("hashchange", showPage);
  if (storedKey()) await openConsole();
  else askForKey("");
}

async function submitKey(event) {
  event.preventDefault();
  const key = $("api-key").value.trim();
  const problem = $("key-problem");
  if (!key) {
    problem.textContent = "Enter your organization's API key (it starts with jp_).";
    return;
  }
  problem.textContent = "";
  try {
    await api("GET", ME, { key }); // proves the key
  } catch (error) {
    problem.textContent = error.status === 401 ? WRONG_KEY : error.message;
    $("api-key").setAttribute("aria-invalid", "true");
    $("api-key").focus();
    return;
  }
  $("api-key").removeAttribute("aria-invalid");
  $("api-key").value = "";
  rememberKey(key);
  await openConsole();
}

async function openConsole() {
  const [me] = await Promise.all([whoAmI(), loadConnections()]);
  if (!storedKey()) return; // the key was refused meanwhile (401), and the key form is back
  context.operator = me?.key?.scope === "operator";
  $("who").textContent = me ? [me.organization?.name, me.key?.label].filter(Boolean).join(" · ") : "";
  $("who").hidden = !me;
  document.querySelectorAll("[data-operator]").forEach((element) => { element.hidden = !context.operator; });
  $("key-gate").hidden = true;
  $("nav").hidden = false;
  $("sign-out").hidden = false;
  showPage();
}

/** The key's organization and scope; null if the API cannot say (then no operator pages are shown). */
async function whoAmI() {
  try {
    return await api("GET", ME);
  } catch {
    return null;
  }
}

function askForKey(message) {
  forgetKey();
  leavePage?.();
  leavePage = null;
  $("page").replaceChildren();
  $("nav").hidden = true;
  $("who").hidden = true;
  $("sign-out").hidden = true;
  $("key-gate").hidden = false;
  $("key-problem").textContent = message;
  $("api-key").focus();
}

function showPage() {
  if (!storedKey()) return;
  leavePage?.();
  leavePage = null;
  const hash = window.location.hash;
  const route = ROUTES.find((r) => r.pattern.test(hash) && (!r.operator || context.operator)) ?? ROUTES.at(-1);
  const container = $("page");
  container.replaceChildren();
  const cleanup = route.render(container, hash.match(route.pattern));
  leavePage = typeof cleanup === "function" ? cleanup : null;
  document.querySelectorAll("#nav a").forEach((link) => {
    if (link.dataset.page === route.page) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  });
  // Tell keyboard and screen-reader users the page changed: focus its heading.
  const heading = container.querySelector("h1");
  if (heading && document.activeElement !== $("api-key")) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
}

start();
