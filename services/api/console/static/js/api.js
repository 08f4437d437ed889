// The one place the console talks to the API: the key from session storage on every call, and
// the API's problems turned into sentences a recruiter can act on.

const KEY_STORAGE = "jobpub.apiKey";

export class ApiError extends Error {
  constructor(status, message, detail) {
    super(message);
    this.status = status;
    this.detail = detail;
  }
}

export const storedKey = () => sessionStorage.getItem(KEY_STORAGE);
export const rememberKey = (key) => sessionStorage.setItem(KEY_STORAGE, key);
export const forgetKey = () => sessionStorage.removeItem(KEY_STORAGE);

let unauthorizedHandler = () => {};

/** Called when the API refuses the key mid-session (revoked, say): the console asks again. */
export function whenUnauthorized(handler) {
  unauthorizedHandler = handler;
}

/** Call the API; resolves to the JSON answer, rejects with ApiError. */
export async function api(method, path, { body, params, key } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const headers = { "X-API-Key": key ?? storedKey() ?? "" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "The jobpub API did not answer. Is it running?");
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new ApiError(response.status, describeProblem(response.status, data), data?.detail);
    if (response.status === 401 && key === undefined) unauthorizedHandler(error);
    throw error;
  }
  return data;
}

function describeProblem(status, data) {
  const detail = data?.detail;
  if (status === 401) return "This API key was not accepted: it is wrong or has been revoked.";
  if (Array.isArray(detail)) {
    return detail.map((problem) => `${fieldName(problem.loc)}${problem.msg}`).join("; ");
  }
  if (typeof detail === "string") return detail;
  return `The API answered with status ${status}.`;
}

function fieldName(loc) {
  const path = (loc || []).filter((part) => part !== "body" && part !== "query" && part !== "job");
  return path.length ? `${path.join(".")}: ` : "";
}
