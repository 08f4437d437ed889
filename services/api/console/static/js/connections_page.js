// Platform connections: configure each platform and test it (the job feed has its own panel,
// feed_panel.js, as it has an address instead of credentials). The client secret is write-only:
// the API never returns it, so the form only says whether one is stored, and an empty secret
// field on a configured platform keeps the stored one. Indeed also takes its apply secret (the
// Indeed Apply token's API secret, which signs the applications Indeed pushes), written the same way.

import { api } from "./api.js";
import { field, h, spinner } from "./dom.js";
import { createFeedPanel } from "./feed_panel.js";
import { knownPlatforms, loadConnections, platformName, rememberConnections } from "./platforms.js";
import { toast } from "./toast.js";

export async function renderConnectionsPage(container) {
  container.append(h("h1", {}, "Platform connections"));
  let answer;
  try {
    answer = await api("GET", "/jobs/publishing/platforms/");
  } catch (error) {
    container.append(h("p", { class: "problem", role: "alert" }, `Could not read the connections: ${error.message}`));
    return;
  }
  rememberConnections(answer);
  const byPlatform = Object.fromEntries(answer.items.map((c) => [c.platform, c]));
  for (const platform of knownPlatforms()) {
    const panel = platform === "feed" ? createFeedPanel(byPlatform.feed) : connectionPanel(platform, byPlatform[platform]);
    container.append(panel);
  }
}

function connectionPanel(platform, initial) {
  const name = platformName(platform);
  const headingId = `connection-${platform}`;
  const state = h("p", { role: "status" });
  const inputs = {
    client_id: h("input", { name: "client_id", autocomplete: "off", required: true }),
    client_secret: h("input", { name: "client_secret", type: "password", autocomplete: "new-password" }),
    organization_urn: platform === "linkedin" ? h("input", { name: "organization_urn", placeholder: "urn:li:organization:123" }) : null,
    apply_secret: platform === "indeed" ? h("input", { name: "apply_secret", type: "password", autocomplete: "new-password" }) : null,
    enabled: h("input", { name: "enabled", type: "checkbox" }),
  };
  const testResult = h("p", { role: "status", class: "test-result" });
  const test = h("button", { type: "button", class: "secondary" }, "Test connection");
  const form = h("form", { novalidate: true, "aria-labelledby": headingId },
    field("Client id", inputs.client_id),
    field(platform === "linkedin" ? "Client secret" : "API key", inputs.client_secret),
    inputs.organization_urn ? field("Organization URN", inputs.organization_urn, "LinkedIn needs it: urn:li:organization:<id>.") : null,
    inputs.apply_secret ? field("Indeed Apply secret", inputs.apply_secret,
      "The Indeed Apply token's API secret, which signs pushed applications. Not set: the API key verifies them.") : null,
    h("div", { class: "field" }, h("label", {}, inputs.enabled, " Enabled (publishes and pulls may use it)")),
    h("div", { class: "row" }, h("button", { type: "submit" }, "Save"), test), testResult);
  let connection = initial;

  function show() {
    state.textContent = !connection ? "Not configured."
      : `${connection.enabled ? "Connected" : "Configured but disabled"} · secret ${connection.client_secret_set ? "stored (never shown)" : "missing"}`
        + (inputs.apply_secret ? ` · apply secret ${connection.apply_secret_set ? "stored (never shown)" : "not set"}.` : ".");
    inputs.client_id.value = connection?.client_id ?? "";
    if (inputs.organization_urn) inputs.organization_urn.value = connection?.organization_urn ?? "";
    inputs.enabled.checked = connection?.enabled ?? true;
    inputs.client_secret.value = "";
    inputs.client_secret.placeholder = connection ? "Leave empty to keep the stored secret" : "";
    if (inputs.apply_secret) {
      inputs.apply_secret.value = "";
      inputs.apply_secret.placeholder = connection?.apply_secret_set ? "Leave empty to keep the stored secret" : "";
    }
    test.hidden = !connection;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { client_id: inputs.client_id.value.trim(), enabled: inputs.enabled.checked };
    if (inputs.organization_urn) body.organization_urn = inputs.organization_urn.value.trim() || null;
    if (inputs.client_secret.value) body.client_secret = inputs.client_secret.value;
    if (inputs.apply_secret?.value) body.apply_secret = inputs.apply_secret.value;
    try {
      // A new connection needs every field (PUT); a configured one changes only what was typed.
      connection = await api(connection ? "PATCH" : "PUT", `/jobs/publishing/platforms/${platform}/`, { body });
      show();
      await loadConnections(); // the jobs page offers what is connected now
      toast(`${name} connection saved.`, "success");
    } catch (error) {
      toast(`${name} connection not saved: ${error.message}`, "error");
    }
  });

  test.addEventListener("click", async () => {
    test.setAttribute("aria-busy", "true");
    test.replaceChildren(spinner(), "Testing…");
    try {
      const result = await api("POST", `/jobs/publishing/platforms/${platform}/test-connection/`);
      testResult.textContent = `${result.ok ? "✓ Works" : "✕ Does not work"}: ${result.message}`;
      testResult.className = `test-result ${result.ok ? "" : "problem"}`;
      toast(`${name}: ${result.message}`, result.ok ? "success" : "error");
    } catch (error) {
      testResult.textContent = `✕ ${error.message}`;
    } finally {
      test.removeAttribute("aria-busy");
      test.replaceChildren("Test connection");
    }
  });

  show();
  return h("section", { class: "panel", dataset: { platform }, "aria-labelledby": headingId },
    h("h2", { id: headingId }, name), state, form);
}
