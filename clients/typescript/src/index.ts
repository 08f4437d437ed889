/**
 * A typed client for the jobpub HTTP API.
 *
 * The types in ./schema.ts are generated from jobpub's OpenAPI document (openapi.json beside this
 * package) by openapi-typescript; the calls go through openapi-fetch. The named functions below
 * are the original system's client calls, kept as thin wrappers so a frontend moving over keeps
 * its call sites; everything else is reachable, just as typed, through `api`.
 */
import createClient, { type Client } from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type { components, paths };

type Schemas = components["schemas"];
export type PublishRequest = Schemas["PublishRequest"];
export type JobIn = Schemas["JobIn"];
/** A publish's answer: the status per platform and `skipped` (platform → why it was not acted on). */
export type PublishAnswer = Schemas["JobOperationOut"];
export type JobStatus = Schemas["JobPublishingOut"];
export type PostingStatus = Schemas["PostingStatusOut"];
export type ApplicationPage = Schemas["ApplicationPageOut"];
export type Application = Schemas["ApplicationOut"];
export type SyncRequest = Schemas["SyncRequest"];
export type Syncs = Schemas["SyncsOut"];
export type Sync = Schemas["SyncOut"];
export type Connection = Schemas["ConnectionOut"];
export type Connections = Schemas["ConnectionsOut"];
export type ConnectionSettings = Schemas["ConnectionIn"];
export type ConnectionChanges = Schemas["ConnectionPatch"];
export type ConnectionTest = Schemas["ConnectionTestOut"];
/** A platform a connection can be made to (the path's `{platform}`). */
export type Platform = paths["/jobs/publishing/platforms/{platform}/"]["get"]["parameters"]["path"]["platform"];
/** What a publish or retry may name: a platform, `both` (LinkedIn and Naukri) or `all` (every connected one). */
export type PlatformChoice = PublishRequest["platforms"][number];
export type ApplicationsQuery = NonNullable<paths["/jobs/publishing/applications/"]["get"]["parameters"]["query"]>;
/** The one shape of jobpub's errors: `detail` is a sentence (401, 403, 404, 409, 413, 429 …) … */
export type ErrorMessage = Schemas["ErrorOut"];
/** … a 409 of a publish, edit, close, renew or repost that could act nowhere adds `skipped` … */
export type Conflict = Schemas["ConflictOut"];
/** … and a 422's `detail` lists the problems, each with `loc` (the field), `msg` and a stable `type`. */
export type FieldErrors = Schemas["ValidationErrorOut"];
export type FieldError = Schemas["FieldErrorOut"];
export type ErrorBody = ErrorMessage | Conflict | FieldErrors;

/** Whether an error's body is a 422's list of field problems (else `detail` is a sentence). */
export function isFieldErrors(body: unknown): body is FieldErrors {
  return !!body && typeof body === "object" && Array.isArray((body as { detail?: unknown }).detail);
}

export interface JobpubClientOptions {
  /** Where the API is served, e.g. "https://jobpub.example.com" (no trailing path). */
  baseUrl: string;
  /** The organization's API key, sent as X-API-Key. Pass it from your code or server; never put it in a page's HTML. */
  apiKey: string;
  /** Another fetch (tests, server-side rendering); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/**
 * An answer other than 2xx: its HTTP status and the body jobpub sent. For every status the OpenAPI
 * document lists, that body is an `ErrorBody` (`detail` says what is wrong and where); it stays
 * `unknown` here because a proxy in between may answer something else (a 502 page).
 */
export class JobpubApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`jobpub answered ${status}: ${describe(body)}`);
    this.name = "JobpubApiError";
  }
}

function describe(body: unknown): string {
  if (body && typeof body === "object" && "detail" in body) {
    return JSON.stringify((body as { detail: unknown }).detail);
  }
  return typeof body === "string" ? body : JSON.stringify(body);
}

/** The data of a 2xx answer, or a JobpubApiError carrying any other answer's status and body. */
async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    throw new JobpubApiError(response.status, error);
  }
  return data as T;
}

export function createJobpubClient(options: JobpubClientOptions) {
  const api: Client<paths> = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers: { "X-API-Key": options.apiKey },
    fetch: options.fetch,
  });

  return {
    /** The openapi-fetch client itself, for every route the wrappers below do not name. */
    api,

    /** Publishes a new job (`{job, platforms}`) or a stored one (`{job_id, platforms}`); `platforms: ["both"]` is LinkedIn and Naukri. */
    publishJobToPlatform(request: PublishRequest, idempotencyKey?: string): Promise<PublishAnswer> {
      return unwrap(
        api.POST("/jobs/publishing/publish/", {
          body: request,
          params: { header: idempotencyKey ? { "Idempotency-Key": idempotencyKey } : undefined },
        }),
      );
    },

    /** Each platform's status of the job: pending, publishing, published, failed or closed. */
    getJobPublishingStatus(jobId: number): Promise<JobStatus> {
      return unwrap(api.GET("/jobs/publishing/{job_id}/status/", { params: { path: { job_id: jobId } } }));
    },

    /** Publishes the job's failed postings again (every failed platform, or only those named). */
    retryJobPublishing(jobId: number, platforms?: PlatformChoice[]): Promise<JobStatus> {
      return unwrap(
        api.POST("/jobs/publishing/{job_id}/retry/", {
          params: { path: { job_id: jobId } },
          body: platforms ? { platforms } : undefined,
        }),
      );
    },

    /** The organization's applications, one page (pass the answer's `next_cursor` back as `cursor`). */
    getExternalApplications(query: ApplicationsQuery = {}): Promise<ApplicationPage> {
      return unwrap(api.GET("/jobs/publishing/applications/", { params: { query } }));
    },

    /** Pulls applications now: every connected platform, or one platform and/or one job. */
    syncApplications(request?: SyncRequest): Promise<Syncs> {
      return unwrap(api.POST("/jobs/publishing/sync-applications/", { body: request }));
    },

    /** One pull's status and counts. */
    getSyncStatus(syncId: number): Promise<Sync> {
      return unwrap(api.GET("/jobs/publishing/sync-applications/{sync_id}/", { params: { path: { sync_id: syncId } } }));
    },

    /** The organization's connections and `connected`: the platforms a publish can use now. */
    getPlatformConfigurations(): Promise<Connections> {
      return unwrap(api.GET("/jobs/publishing/platforms/"));
    },

    /** One platform's connection (never a secret). */
    getPlatformConfiguration(platform: Platform): Promise<Connection> {
      return unwrap(api.GET("/jobs/publishing/platforms/{platform}/", { params: { path: { platform } } }));
    },

    /** Configures or replaces a platform's connection; secrets are write-only. */
    configurePlatform(platform: Platform, settings: ConnectionSettings): Promise<Connection> {
      return unwrap(
        api.PUT("/jobs/publishing/platforms/{platform}/", { params: { path: { platform } }, body: settings }),
      );
    },

    /** Changes some fields of a platform's connection (e.g. `{enabled: false}`). */
    updatePlatformConfiguration(platform: Platform, changes: ConnectionChanges): Promise<Connection> {
      return unwrap(
        api.PATCH("/jobs/publishing/platforms/{platform}/", { params: { path: { platform } }, body: changes }),
      );
    },

    /** Removes a platform's connection. */
    async deletePlatformConfiguration(platform: Platform): Promise<void> {
      await unwrap(api.DELETE("/jobs/publishing/platforms/{platform}/", { params: { path: { platform } } }));
    },

    /** Tries the stored credentials with one harmless call on the platform. */
    testPlatformConnection(platform: Platform): Promise<ConnectionTest> {
      return unwrap(
        api.POST("/jobs/publishing/platforms/{platform}/test-connection/", { params: { path: { platform } } }),
      );
    },
  };
}

export type JobpubClient = ReturnType<typeof createJobpubClient>;
