import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, UsageError } from "../errors.js";
import { describeSource, findKeyLine, loadConfig, type ConfigFlags } from "./load-config.js";
import type { PathEnvironment } from "./paths.js";

let root: string;
let paths: PathEnvironment;
let configFile: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "cmdai-config-"));
  paths = { env: { XDG_CONFIG_HOME: root }, platform: "linux", homedir: root };
  configFile = path.join(root, "cmdai", "config.toml");
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function writeConfig(text: string): void {
  fs.mkdirSync(path.dirname(configFile), { recursive: true });
  fs.writeFileSync(configFile, text);
}

function load(
  options: { env?: NodeJS.ProcessEnv | undefined; flags?: ConfigFlags | undefined; configFile?: string } = {},
) {
  return loadConfig({
    paths,
    env: { XDG_CONFIG_HOME: root, ...options.env },
    flags: options.flags,
    configFile: options.configFile,
  });
}

describe("precedence: defaults < file < environment < flags", () => {
  const cases: {
    name: string;
    file?: string;
    env?: NodeJS.ProcessEnv;
    flags?: ConfigFlags;
    expected: string;
    source: string;
  }[] = [
    { name: "default", expected: "moderate", source: "default" },
    { name: "file shorthand", file: 'safety = "strict"\n', expected: "strict", source: "file" },
    { name: "file table", file: '[safety]\nmode = "permissive"\n', expected: "permissive", source: "file" },
    {
      name: "env over file",
      file: 'safety = "strict"\n',
      env: { CMDAI_SAFETY: "permissive" },
      expected: "permissive",
      source: "env",
    },
    {
      name: "flag over env",
      file: 'safety = "strict"\n',
      env: { CMDAI_SAFETY: "permissive" },
      flags: { safety: "moderate" },
      expected: "moderate",
      source: "flag",
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, async () => {
      if (testCase.file !== undefined) writeConfig(testCase.file);
      const loaded = await load({ env: testCase.env, flags: testCase.flags });
      expect(loaded.config.safety.mode).toBe(testCase.expected);
      expect(loaded.sources.get("safety.mode")?.kind ?? "default").toBe(testCase.source);
    });
  }

  it("maps the ecosystem's own variables", async () => {
    const loaded = await load({
      env: {
        OLLAMA_HOST: "10.0.0.5:11434",
        OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
        HF_HUB_OFFLINE: "1",
        NO_COLOR: "1",
      },
    });
    expect(loaded.config.ollama.host).toBe("10.0.0.5:11434");
    expect(loaded.config.openai.base_url).toBe("http://127.0.0.1:9/v1");
    expect(loaded.config.offline).toBe(true);
    expect(loaded.config.ui.color).toBe("never");
    expect(describeSource(loaded.sources.get("offline"))).toBe("environment HF_HUB_OFFLINE");
  });

  it("merges tables key by key across layers", async () => {
    writeConfig('[safety]\nmode = "strict"\nallow = ["make clean"]\n[embedded]\nthreads = 3\n');
    const loaded = await load({ env: { CMDAI_SAFETY: "permissive" }, flags: { timeout: "7" } });
    expect(loaded.config.safety).toMatchObject({ mode: "permissive", allow: ["make clean"] });
    expect(loaded.config.embedded.threads).toBe(3);
    expect(loaded.config.timeout).toBe(7);
    expect(loaded.sources.get("embedded.threads")).toMatchObject({ kind: "file", line: 5 });
  });

  it("keeps the model override from --model or CMDAI_MODEL only", async () => {
    writeConfig('model = "/models/a.gguf"\n');
    expect((await load()).modelOverride).toBeUndefined();
    expect((await load({ env: { CMDAI_MODEL: "b" } })).modelOverride).toBe("b");
    expect((await load({ env: { CMDAI_MODEL: "b" }, flags: { model: "c" } })).modelOverride).toBe("c");
  });
});

describe("errors", () => {
  it("names the file and line of broken TOML", async () => {
    writeConfig('backend = "ollama"\nthreads = [1,\n');
    await expect(load()).rejects.toThrow(ConfigError);
    try {
      await load();
    } catch (error) {
      expect((error as ConfigError).code).toBe("config_parse");
      expect((error as ConfigError).message).toContain(configFile);
      expect((error as ConfigError).message).toMatch(/line \d/);
    }
  });

  it("names key, value, allowed values and line for a bad file value", async () => {
    writeConfig('backend = "embedded"\nsafety = "extreme"\n');
    await expect(load()).rejects.toThrow(
      /Invalid value "extreme" for safety in .*config\.toml:2: allowed: strict, moderate, permissive/,
    );
  });

  it("names the variable for a bad environment value", async () => {
    await expect(load({ env: { CMDAI_OUTPUT: "xml" } })).rejects.toThrow(
      /"xml" for output from CMDAI_OUTPUT/,
    );
  });

  it("reports a bad flag value as a usage error", async () => {
    await expect(load({ flags: { backend: "nosuch" } })).rejects.toThrow(UsageError);
    await expect(load({ flags: { timeout: "soon" } })).rejects.toThrow(/--timeout/);
  });

  it("rejects wrong types and out-of-range numbers", async () => {
    writeConfig("[embedded]\nthreads = 0\n");
    await expect(load()).rejects.toThrow(/embedded\.threads.*at least 1/);
    writeConfig('timeout = "60"\n');
    await expect(load()).rejects.toThrow(/timeout.*expected number/);
  });

  it("requires a file given with -c to exist", async () => {
    await expect(load({ configFile: path.join(root, "missing.toml") })).rejects.toThrow(
      /not found: .*missing\.toml/,
    );
  });

  it("warns about unknown keys without failing", async () => {
    writeConfig('colour = "red"\n[ollama]\nhost = "127.0.0.1:1"\nmodle = "x"\n');
    const loaded = await load();
    expect(loaded.warnings).toHaveLength(2);
    expect(loaded.warnings[0]).toMatch(/"colour".*line 1/);
    expect(loaded.warnings[1]).toMatch(/"ollama\.modle".*line 4/);
  });
});

describe("loading never writes", () => {
  it("creates no file or folder", async () => {
    await load();
    expect(fs.readdirSync(root)).toEqual([]);
  });
});

describe("findKeyLine", () => {
  it("finds keys inside sections", () => {
    const text = 'backend = "x"\n\n[ollama]\nhost = "h"\n[openai]\nhost = "i"\n';
    expect(findKeyLine(text, ["backend"])).toBe(1);
    expect(findKeyLine(text, ["ollama", "host"])).toBe(4);
    expect(findKeyLine(text, ["openai", "host"])).toBe(6);
    expect(findKeyLine(text, ["missing"])).toBeUndefined();
  });
});

describe("defaults without the schema library", () => {
  it("are exactly what the schema gives for an empty config", async () => {
    const { configSchema } = await import("./schema.js");
    const { defaultConfig } = await import("./defaults.js");
    expect(defaultConfig()).toEqual(configSchema.parse({}));
  });
});

describe("settings from a closed set of choices", () => {
  it("give exactly what the schema gives, without a file", async () => {
    const { configSchema } = await import("./schema.js");
    const loaded = await load({
      env: { NO_COLOR: "1", CMDAI_SHELL: "fish", CMDAI_BACKEND: "ollama" },
      flags: { safety: "strict" },
    });
    expect(loaded.config).toEqual(
      configSchema.parse({
        shell: "fish",
        backend: "ollama",
        safety: { mode: "strict" },
        ui: { color: "never" },
      }),
    );
    expect(loaded.sources.get("ui.color")).toEqual({ kind: "env", variable: "NO_COLOR" });
  });

  it("give what the schema gives for every choice of every closed key", async () => {
    const { configSchema } = await import("./schema.js");
    const { SHELL_NAMES } = await import("../shells.js");
    const { SAFETY_MODES } = await import("../safety/types.js");
    const { BACKEND_NAMES } = await import("./choices.js");
    for (const shell of SHELL_NAMES) {
      expect((await load({ flags: { shell } })).config).toEqual(configSchema.parse({ shell }));
    }
    for (const mode of SAFETY_MODES) {
      expect((await load({ env: { CMDAI_SAFETY: mode } })).config).toEqual(
        configSchema.parse({ safety: { mode } }),
      );
    }
    for (const backend of BACKEND_NAMES) {
      expect((await load({ flags: { backend } })).config).toEqual(configSchema.parse({ backend }));
    }
    expect((await load({ env: { NO_COLOR: "1" } })).config).toEqual(
      configSchema.parse({ ui: { color: "never" } }),
    );
    expect((await load({})).config).toEqual(configSchema.parse({}));
  });

  it("are still refused when the value is not one of them", async () => {
    await expect(load({ env: { CMDAI_SHELL: "tcsh" } })).rejects.toThrow(/tcsh/);
    await expect(load({ flags: { safety: "yolo" } })).rejects.toThrow(/yolo/);
  });
});

describe("the validated-config cache", () => {
  const cacheFile = (): string => path.join(root, "validation-cache", "validated-config.json");
  const cached = (fingerprint = "test-schema") => ({
    directory: path.join(root, "validation-cache"),
    fingerprint,
  });

  it("reuses a validation for the same input, warnings included", async () => {
    writeConfig('safety = "strict"\nunknown_key = 1\n');
    const first = await loadConfig({ paths, env: { XDG_CONFIG_HOME: root }, validationCache: cached() });
    // Prove the second load reads the cache: alter the stored result and see it come back.
    const entries = JSON.parse(fs.readFileSync(cacheFile(), "utf8")) as Record<
      string,
      { config: { safety: { mode: string } } }
    >;
    expect(Object.keys(entries)).toHaveLength(1);
    for (const entry of Object.values(entries)) entry.config.safety.mode = "permissive";
    fs.writeFileSync(cacheFile(), JSON.stringify(entries));
    const second = await loadConfig({ paths, env: { XDG_CONFIG_HOME: root }, validationCache: cached() });
    expect(first.config.safety.mode).toBe("strict");
    expect(second.config.safety.mode).toBe("permissive");
    expect(second.warnings).toEqual(first.warnings);
    expect(second.warnings.join("\n")).toContain("unknown_key");
  });

  it("validates again when the file, a variable or the schema changes", async () => {
    writeConfig('safety = "strict"\n');
    await loadConfig({ paths, env: { XDG_CONFIG_HOME: root }, validationCache: cached() });
    await loadConfig({
      paths,
      env: { XDG_CONFIG_HOME: root, CMDAI_SHELL: "fish" },
      validationCache: cached(),
    });
    await loadConfig({ paths, env: { XDG_CONFIG_HOME: root }, validationCache: cached("another-schema") });
    expect(Object.keys(JSON.parse(fs.readFileSync(cacheFile(), "utf8")) as object)).toHaveLength(3);
    writeConfig('safety = "yolo"\n');
    await expect(
      loadConfig({ paths, env: { XDG_CONFIG_HOME: root }, validationCache: cached() }),
    ).rejects.toThrow(/yolo/);
  });

  it("never stores an invalid configuration, and survives a corrupt cache file", async () => {
    writeConfig('safety = "yolo"\n');
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(
        loadConfig({ paths, env: { XDG_CONFIG_HOME: root }, validationCache: cached() }),
      ).rejects.toThrow(/yolo/);
    }
    expect(fs.existsSync(cacheFile())).toBe(false);
    fs.mkdirSync(path.dirname(cacheFile()), { recursive: true });
    fs.writeFileSync(cacheFile(), "{not json");
    writeConfig('safety = "strict"\n');
    const loaded = await loadConfig({ paths, env: { XDG_CONFIG_HOME: root }, validationCache: cached() });
    expect(loaded.config.safety.mode).toBe("strict");
  });
});
