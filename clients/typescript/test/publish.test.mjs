// Calls a running jobpub API through the installed client, as a frontend would. Run by
// tests/test_typescript_client.py, which starts the API and passes where it is and the key:
//   JOBPUB_API_URL, JOBPUB_API_KEY, JOBPUB_TEST_JOB (a job's JSON), JOBPUB_TEST_CLIENTS
//   ({platform: [client_id, client_secret, organization_urn]}, credentials the platforms accept).
import assert from "node:assert/strict";
import { test } from "node:test";

import { createJobpubClient, JobpubApiError } from "@jobpub/client";

const client = createJobpubClient({ baseUrl: process.env.JOBPUB_API_URL, apiKey: process.env.JOBPUB_API_KEY });
const job = JSON.parse(process.env.JOBPUB_TEST_JOB);
const credentials = JSON.parse(process.env.JOBPUB_TEST_CLIENTS);

async function eventually(check, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test("configure both platforms, publish to both, follow the status until published", async () => {
  for (const [platform, [client_id, client_secret, organization_urn]] of Object.entries(credentials)) {
    const connection = await client.configurePlatform(platform, { client_id, client_secret, organization_urn });
    assert.equal(connection.client_id, client_id);
    assert.equal(JSON.stringify(connection).includes(client_secret), false, "a secret came back");
  }
  const { connected } = await client.getPlatformConfigurations();
  assert.deepEqual([...connected].sort(), ["linkedin", "naukri"]);

  const answer = await client.publishJobToPlatform({ job, platforms: ["both"] });
  assert.deepEqual(Object.keys(answer.platforms).sort(), ["linkedin", "naukri"]);

  const status = await eventually(async () => {
    const current = await client.getJobPublishingStatus(answer.job_id);
    return Object.values(current.platforms).every((p) => p.status === "published") && current;
  }, "both platforms to publish");
  for (const posting of Object.values(status.platforms)) {
    assert.ok(posting.platform_job_id, "a published posting has the platform's id");
  }

  const applications = await client.getExternalApplications({ job_id: answer.job_id });
  assert.deepEqual(applications.items, []);
  const syncs = await client.syncApplications({ job_id: answer.job_id });
  assert.deepEqual(syncs.items.map((s) => s.platform).sort(), ["linkedin", "naukri"]);

  // Nothing failed, so a retry has nothing to do: the API's 409 arrives as a JobpubApiError.
  await assert.rejects(client.retryJobPublishing(answer.job_id), (error) => {
    assert.ok(error instanceof JobpubApiError);
    assert.equal(error.status, 409);
    assert.match(error.message, /nothing to retry/);
    return true;
  });
});

test("a wrong key is refused with the API's own answer", async () => {
  const stranger = createJobpubClient({ baseUrl: process.env.JOBPUB_API_URL, apiKey: "not-a-key" });
  await assert.rejects(stranger.getPlatformConfigurations(), (error) => error instanceof JobpubApiError && error.status === 401);
});
