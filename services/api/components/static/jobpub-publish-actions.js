// <jobpub-publish-actions job-id="42">: a job's publish buttons for any page, no framework and no
// build step. One button per platform the organization is connected to (read from the API), each
// following its posting: "Publish to …", a spinner while it is on its way, a disabled "Published on
// … ✓" where it is live, "Retry" where it failed, "Repost" where it was closed; and "Publish to
// both" (or "to all", with three or more) while two or more are not yet published. A click spins
// until the platforms settle, then shows a check mark or the failure for 3 s before the button
// rests again on the platform's live state. Events (bubbling, composed): publish-start,
// publish-success {jobId, platform}, publish-error, publish-end, status-change. docs/components.md.

import { createActionButton, el } from "./action-button.js";
import {
  ApiProblem, apiBase, callApi, configure, connectedPlatforms, displayNames, listNames, pageKey, platformName,
} from "./component-api.js";
import { isSettled, platformAction, platformPosting, reachedGoal, whyNot } from "./posting-states.js";
import { publishActionsSheet } from "./publish-actions-styles.js";

const FOLLOW_EVERY_MS = 500; // while a request is followed, or a posting is on its way
const FOLLOW_FOR_MS = 120_000; // retries of a transient failure can take minutes; past this, stop waiting
const DEFAULT_REFRESH_SECONDS = 10; // otherwise: changes made elsewhere show within this

const hidden = (text) => el("span", { class: "visually-hidden" }, text);

/** What each state's button says (visible words, and what a screen reader adds). */
const LABELS = {
  publish: (name) => [`Publish to ${name}`],
  busy: (name) => [`Publishing on ${name}…`],
  live: (name) => [`Published on ${name} ✓`],
  retry: (name) => ["Retry", hidden(" publishing on"), ` ${name}`],
  repost: (name) => [`Repost to ${name}`],
};

/** How each click is sent, and the words shown meanwhile and after. */
const REQUESTS = {
  publish: { kind: "publish", running: "Publishing…", done: "Published", path: () => "jobs/publishing/publish/",
    body: (jobId, platforms) => ({ job_id: jobId, platforms }) },
  retry: { kind: "publish", running: "Retrying…", done: "Published", path: (jobId) => `jobs/publishing/${jobId}/retry/`,
    body: (_, platforms) => ({ platforms }) },
  repost: { kind: "repost", running: "Reposting…", done: "Reposted", path: (jobId) => `jobs/publishing/${jobId}/repost/`,
    body: (_, platforms) => ({ platforms }) },
};

export class JobpubPublishActions extends HTMLElement {
  static observedAttributes = ["job-id", "platforms", "api-base", "disabled", "label"];
  /** Page-wide settings: {apiKey} or {getApiKey}, and {apiBase}; an element's own properties win. */
  static configure = configure;

  #getApiKey = null; #apiKey = null; #status = null;
  #loaded = false; // the platforms and the status were read once: polls read the status alone
  #loads = 0; // loads begun, so a slower, older one cannot overwrite a newer one's outcome
  #connected = []; #names = {}; // the organization's platforms, and their display names
  #buttons = new Map();
  #all; #group; #statusLine; // made in the constructor
  #request = null; // {action, kind, platforms, button, answered, deadline}
  #message = null; // an outcome's words, shown until its button rests
  #readProblem = null; // why the status or the platforms could not be read, until they can
  #timer = null; #live = false;

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    root.adoptedStyleSheets = [publishActionsSheet];
    this.#all = this.#makeButton("all", () => this.#send("publish", this.#notYetOn(), this.#all));
    this.#group = el("div", { class: "group", part: "group", role: "group" }, this.#all.element);
    this.#statusLine = el("p", { class: "status", part: "status", role: "status", "aria-live": "polite" });
    root.append(this.#group, this.#statusLine);
  }

  /** The API key for this element only; write-only, so no other script reads it back from the page. */
  set apiKey(key) { this.#apiKey = key; this.#keyArrived(); }

  /** Asked for the key before every call (a token that rotates); wins over `apiKey`. */
  get getApiKey() { return this.#getApiKey; }
  set getApiKey(ask) { this.#getApiKey = ask; this.#keyArrived(); }

  /** A framework may connect the element before it hands over the key (React's effects run after
   * the commit): a load refused for want of it is done again at once, not at the next refresh. */
  #keyArrived() { if (this.#live && !this.#loaded) this.#load(); }

  get jobId() { return Number(this.getAttribute("job-id")); }

  get disabled() { return this.hasAttribute("disabled"); }
  set disabled(on) { this.toggleAttribute("disabled", Boolean(on)); }

  /** The job's status as GET /jobs/publishing/{job_id}/status/ answers it; a page that reads it itself may set it. */
  get status() { return this.#status; }
  set status(next) { this.#take(next, false); }

  connectedCallback() {
    this.#live = true;
    document.addEventListener("status-change", this.#siblingRead);
    if (this.hasAttribute("api-key")) console.warn("<jobpub-publish-actions>: the api-key attribute is ignored; set the apiKey property");
    queueMicrotask(() => this.#load()); // after the importing script's configure() or apiKey, not before
  }

  disconnectedCallback() {
    this.#live = false;
    document.removeEventListener("status-change", this.#siblingRead);
    clearTimeout(this.#timer);
  }

  attributeChangedCallback(name, before, after) {
    if (!this.#live || before === after) return;
    if (name === "job-id") this.#status = null;
    if (name === "platforms" || name === "api-base") this.#loaded = false;
    if (name === "disabled" || name === "label") this.#render();
    else this.#load();
  }

  /** Follow a publish this page already asked for (its answer given) as if this element's button had been clicked. */
  follow(platforms, answer) {
    const button = platforms.length === 1 ? this.#buttonOf(platforms[0]) : this.#all;
    return this.#send("publish", platforms, button, answer);
  }

  /** Another element of the same job read its status: show it too, rather than wait for a refresh. */
  #siblingRead = (event) => {
    if (event.target !== this && event.detail.jobId === this.jobId) this.#take(event.detail.status, false);
  };

  get #connection() {
    return { base: apiBase(this.getAttribute("api-base")), key: async () => (this.getApiKey ? this.getApiKey() : this.#apiKey ?? pageKey()) };
  }

  async #load() {
    const load = ++this.#loads;
    const named = this.getAttribute("platforms");
    let problem = null;
    try {
      const [names, connected] = await Promise.all([
        displayNames(this.#connection), named !== null ? named.split(/\s+/).filter(Boolean) : connectedPlatforms(this.#connection),
      ]);
      if (load !== this.#loads) return; // a newer load (the key arrived meanwhile) has the last word
      this.#names = names;
      this.#connected = connected;
      if (!this.#status) await this.#read();
      this.#loaded = true;
    } catch (error) {
      problem = error.message;
    }
    if (load !== this.#loads) return;
    this.#readProblem = problem;
    this.#render();
    this.#schedule();
  }

  async #read() {
    if (!this.jobId) throw new ApiProblem(0, "No job-id given.");
    this.#take(await callApi(this.#connection, "GET", `jobs/publishing/${this.jobId}/status/`), true);
  }

  #take(status, read) {
    this.#status = status;
    if (read) this.#emit("status-change", { status });
    this.#render();
    this.#check();
  }

  #schedule() {
    clearTimeout(this.#timer);
    if (!this.#live) return;
    const refresh = Number(this.getAttribute("refresh-every") ?? DEFAULT_REFRESH_SECONDS);
    const moving = refresh > 0 && this.#offered().some((p) => platformAction(platformPosting(this.#status, p)) === "busy");
    const delay = this.#request || moving ? FOLLOW_EVERY_MS : refresh * 1000;
    if (delay > 0) this.#timer = setTimeout(() => this.#poll(), delay);
  }

  async #poll() {
    if (!this.#loaded) return this.#load(); // the platforms too, until they have been read
    this.#readProblem = await this.#read().then(() => null, (error) => error.message);
    this.#render();
    this.#schedule();
  }

  /** The connected platforms, then any other the job is on (a platform since disconnected). */
  #offered() {
    return [...new Set([...this.#connected, ...Object.keys(this.#status?.platforms ?? {})])];
  }

  /** Connected platforms the job has never been sent to: what "Publish to both/all" publishes. */
  #notYetOn() {
    return this.#connected.filter((p) => platformAction(platformPosting(this.#status, p)) === "publish");
  }

  #makeButton(action, onClick) {
    const button = createActionButton({ action, onClick });
    button.element.setAttribute("part", action === "all" ? "button all" : "button platform");
    button.onRest = () => { this.#message = null; this.#render(); };
    return button;
  }

  #buttonOf(platform) {
    if (!this.#buttons.has(platform)) {
      const button = this.#makeButton(platform, () => this.#clicked(platform));
      button.element.dataset.platform = platform;
      this.#group.insertBefore(button.element, this.#all.element);
      this.#buttons.set(platform, button);
    }
    return this.#buttons.get(platform);
  }

  /** Buttons in the platforms' order, however they were first met (a status read before the connections). */
  #keepInOrder() {
    const wanted = [...this.#offered().map((p) => this.#buttons.get(p).element), this.#all.element];
    const shown = [...this.#group.children];
    if (wanted.some((element, i) => shown[i] !== element)) this.#group.append(...wanted); // moved only when out of order: a move drops focus
  }

  #clicked(platform) {
    const action = platformAction(platformPosting(this.#status, platform));
    if (REQUESTS[action]) this.#send(action, [platform], this.#buttons.get(platform));
  }

  #render() {
    this.#group.setAttribute("aria-label", this.getAttribute("label") ?? `Publish job ${this.jobId}`);
    if (this.#status) {
      for (const platform of this.#offered()) {
        const action = platformAction(platformPosting(this.#status, platform));
        const button = this.#buttonOf(platform);
        button.rest(LABELS[action](platformName(this.#names, platform)), { disabled: action === "live", busy: action === "busy" });
        button.element.dataset.offers = action;
      }
      this.#keepInOrder();
    }
    const targets = this.#notYetOn();
    const everyName = listNames(this.#names, targets);
    this.#all.rest([targets.length > 2 ? "Publish to all" : "Publish to both", hidden(`: ${everyName}`)], { hidden: targets.length < 2 });
    this.#all.element.title = `Publish to ${everyName}`;
    const locked = this.disabled || this.#request !== null;
    for (const button of [this.#all, ...this.#buttons.values()]) button.lock(locked);
    const failures = this.#offered().map((p) => [p, platformPosting(this.#status, p)]).filter(([, posting]) => posting?.status === "failed");
    const standing = failures.map(([p, posting]) => `${platformName(this.#names, p)} failed: ${posting.last_error || "no reason given"}`);
    const problem = this.#readProblem && [this.#readProblem, "error"];
    const [text, kind] = this.#message ?? problem ?? [standing.join(" "), standing.length ? "error" : "info"];
    this.#statusLine.dataset.kind = kind;
    if (this.#statusLine.textContent !== text) this.#statusLine.textContent = text;
  }

  #say(text, kind = "info") { this.#message = [text, kind]; this.#render(); }

  async #send(action, platforms, button, answer) {
    if (this.#request || this.disabled || !platforms.length) return;
    const request = { ...REQUESTS[action], action, platforms, button, answered: false, deadline: Date.now() + FOLLOW_FOR_MS };
    this.#request = request;
    button.running(request.running);
    this.#say(`${request.running.slice(0, -1)} on ${listNames(this.#names, platforms)}…`);
    this.#emit("publish-start", { action, platforms });
    try {
      const reply = answer ?? (await callApi(this.#connection, "POST", request.path(this.jobId), request.body(this.jobId, platforms)));
      const skipped = reply.skipped ?? {};
      request.platforms = platforms.filter((p) => !(p in skipped) && p in (reply.platforms ?? {}));
      if (Object.keys(skipped).length) {
        const why = Object.entries(skipped).map(([p, reason]) => `${platformName(this.#names, p)}: ${reason}`).join("; ");
        this.#emit("publish-error", { action, platforms: Object.keys(skipped), message: `Not ${request.done.toLowerCase()} on ${why}` });
      }
      request.answered = true;
      if (!request.platforms.length) throw new ApiProblem(409, "Nothing to do on these platforms.");
      this.#take(reply, true);
      this.#schedule();
    } catch (error) {
      this.#refused(request, error);
    }
  }

  /** After each status read: is the request followed over (every platform settled), and how did it end? */
  #check() {
    const request = this.#request;
    if (!request?.answered) return;
    const postings = request.platforms.map((p) => [p, platformPosting(this.#status, p)]);
    if (!postings.every(([, posting]) => isSettled(request.kind, posting))) {
      if (Date.now() > request.deadline) this.#stopFollowing(request);
      return;
    }
    this.#request = null;
    const published = postings.filter(([, posting]) => reachedGoal(request.kind, posting)).map(([p]) => p);
    const missed = postings.filter(([p]) => !published.includes(p));
    for (const platform of published) this.#emit("publish-success", { platform });
    if (missed.length) {
      const message = missed.map(([p, posting]) => `${platformName(this.#names, p)}: ${whyNot(request.kind, posting)}`).join("; ");
      request.button.outcome("error", "✕ Failed");
      this.#say(message, "error");
      this.#emit("publish-error", { action: request.action, platforms: missed.map(([p]) => p), message });
    } else {
      request.button.outcome("success", `✓ ${request.done}`);
      this.#say(`${request.done} on ${listNames(this.#names, published)}.`);
    }
    this.#emit("publish-end", { action: request.action, platforms: request.platforms, published, failed: missed.map(([p]) => p) });
    this.#schedule();
  }

  #stopFollowing(request) {
    this.#request = null;
    request.button.settle();
    this.#say(`Still working on ${listNames(this.#names, request.platforms)}.`);
    this.#emit("publish-end", { action: request.action, platforms: request.platforms, published: [], failed: [] });
  }

  #refused(request, error) {
    this.#request = null;
    request.button.outcome("error", error.status === 409 ? "✕ Nothing to do" : "✕ Failed");
    this.#say(error.message, "error");
    this.#emit("publish-error", { action: request.action, platforms: request.platforms, message: error.message, status: error.status });
    this.#emit("publish-end", { action: request.action, platforms: request.platforms, published: [], failed: request.platforms });
    this.#poll(); // the buttons may be out of date (that is how a useless request gets asked)
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true, detail: { jobId: this.jobId, ...detail } }));
  }
}

if (!customElements.get("jobpub-publish-actions")) customElements.define("jobpub-publish-actions", JobpubPublishActions);
window.JobpubPublishActions = JobpubPublishActions;
