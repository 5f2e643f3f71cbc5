import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configSchema } from "../../config/schema.js";
import type { DoctorContext, DoctorResult } from "./doctor-check.js";
import { maskProxyCredentials, proxyCheck, shellIntegrationCheck } from "./environment-checks.js";
import { ollamaBaseUrl } from "./server-checks.js";

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-doctor-env-"));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function contextWith(env: NodeJS.ProcessEnv): DoctorContext {
  return {
    config: configSchema.parse({}),
    configFile: { path: path.join(root, "config.toml"), exists: false },
    configWarnings: [],
    env,
    paths: { env, platform: "linux", homedir: root },
    networkTimeoutMs: 200,
  };
}

async function single(result: Promise<DoctorResult | DoctorResult[]>): Promise<DoctorResult> {
  const value = await result;
  return Array.isArray(value) ? value[0]! : value;
}

describe("proxy credentials", () => {
  it.each([
    ["http://alice:hunter2@proxy.corp:3128", "http://***:***@proxy.corp:3128"],
    ["http://token@proxy.corp:3128/", "http://***@proxy.corp:3128/"],
    ["http://proxy.corp:3128", "http://proxy.corp:3128"],
    ["bob:pw@proxy.corp:8080", "***@proxy.corp:8080"],
    ["localhost,127.0.0.1,.internal", "localhost,127.0.0.1,.internal"],
  ])("masks %s", (input, expected) => {
    expect(maskProxyCredentials(input)).toBe(expected);
  });

  it("shows the variables set, masked, and warns about one that is not a URL", async () => {
    const result = await single(
      proxyCheck.run(
        contextWith({ HTTPS_PROXY: "http://u:secret@p:1", HTTP_PROXY: "p:1", NO_PROXY: "localhost" }),
      ),
    );
    expect(result.status).toBe("warn");
    expect(result.message).not.toContain("secret");
    expect(result.message).toContain("NO_PROXY=localhost");
    expect(result.fix).toBeTruthy();
  });
});

describe("shell integration", () => {
  it("warns with the init line for the user's shell when no startup file has it", async () => {
    const result = await single(shellIntegrationCheck.run(contextWith({ SHELL: "/usr/bin/zsh" })));
    expect(result.status).toBe("warn");
    expect(result.fix).toContain("cmdai init zsh");
  });

  it("finds `cmdai init` in the fish config under XDG_CONFIG_HOME", async () => {
    const config = path.join(root, "xdg");
    fs.mkdirSync(path.join(config, "fish"), { recursive: true });
    fs.writeFileSync(path.join(config, "fish", "config.fish"), "cmdai init fish | source\n");
    const result = await single(shellIntegrationCheck.run(contextWith({ XDG_CONFIG_HOME: config })));
    expect(result.status).toBe("ok");
    expect(result.message).toContain("fish");
  });
});

describe("Ollama addresses", () => {
  it.each([
    ["127.0.0.1:11434", "http://127.0.0.1:11434"],
    ["0.0.0.0", "http://127.0.0.1:11434"],
    ["localhost", "http://localhost:11434"],
    ["https://ollama.example.com", "https://ollama.example.com"],
    ["http://10.0.0.5:8080/", "http://10.0.0.5:8080"],
  ])("%s → %s", (host, expected) => {
    expect(ollamaBaseUrl(host)).toBe(expected);
  });
});
