/**
 * `cmdai models` through the built CLI: pulls against the loopback Hugging Face stand-in, and imports of the
 * synthetic GGUF from test/support/test-model.ts (requests with it run the embedded backend offline).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHubServer, type HubServer } from "../support/hub-server.js";
import { makeTemporaryHome, runBuiltCli } from "../support/run-built-cli.js";
import { testModelPath } from "../support/test-model.js";

let home: ReturnType<typeof makeTemporaryHome>;
let hub: HubServer;
const content = crypto.randomBytes(300_000);
const digest = crypto.createHash("sha256").update(content).digest("hex");

beforeEach(async () => {
  home = makeTemporaryHome();
  hub = await startHubServer();
});
afterEach(async () => {
  await hub.close();
  home.cleanup();
});

function cacheFiles(): string[] {
  const root = path.join(home.root, "cache");
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[]).map((file) => file.replace(/\\/g, "/"));
}

describe("cmdai models pull", () => {
  it("resumes a dropped connection with Range and verifies the SHA-256; list then shows the model", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content, { dropAfterBytes: [100_000] });
    const env = { ...home.env, HF_ENDPOINT: hub.endpoint };
    const pull = await runBuiltCli(["models", "pull", "hf:acme/tiny-gguf/model.gguf"], { env });
    expect(pull.code).toBe(0);
    expect(hub.requests.some((request) => request.headers.range !== undefined)).toBe(true);
    const located = await runBuiltCli(["models", "path", "hf:acme/tiny-gguf/model.gguf"], { env });
    const file = located.stdout.trim();
    expect(crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex")).toBe(digest);
    const list = await runBuiltCli(["models", "list"], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("model.gguf");
  });

  it("fails on corrupted bytes, names the checksum, and leaves no .gguf behind", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content, { corrupt: true });
    const run = await runBuiltCli(["models", "pull", "hf:acme/tiny-gguf/model.gguf"], {
      env: { ...home.env, HF_ENDPOINT: hub.endpoint },
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/SHA-256|checksum/i);
    expect(cacheFiles().filter((file) => file.endsWith(".gguf"))).toEqual([]);
  });

  it("names HF_TOKEN on 401 and succeeds with it; 404 fails", async () => {
    hub.addFile("acme/private-gguf", "model.gguf", content, { requireToken: "hf_secret" });
    const env = { ...home.env, HF_ENDPOINT: hub.endpoint };
    const denied = await runBuiltCli(["models", "pull", "hf:acme/private-gguf/model.gguf"], { env });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain("HF_TOKEN");
    const allowed = await runBuiltCli(["models", "pull", "hf:acme/private-gguf/model.gguf"], {
      env: { ...env, HF_TOKEN: "hf_secret" },
    });
    expect(allowed.code).toBe(0);
    const missing = await runBuiltCli(["models", "pull", "hf:acme/nothing-here/model.gguf"], { env });
    expect(missing.code).not.toBe(0);
  });

  it("sends not a single request when offline and the model is missing", async () => {
    hub.addFile("acme/tiny-gguf", "model.gguf", content);
    const run = await runBuiltCli(["models", "pull", "hf:acme/tiny-gguf/model.gguf"], {
      env: { ...home.env, HF_ENDPOINT: hub.endpoint, HF_HUB_OFFLINE: "1" },
    });
    expect(run.code).not.toBe(0);
    expect(hub.requests).toEqual([]);
  });
});

describe("cmdai models import and a model file brought by hand", () => {
  const offline = (): NodeJS.ProcessEnv => ({ ...home.env, HF_HUB_OFFLINE: "1" });
  const modelsDir = (): string => path.join(home.root, "cache", "cmdai", "models");
  const original = (): string => {
    const file = path.join(home.root, "Downloads", "My-Model.Q4_K_M.gguf");
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.copyFileSync(testModelPath(), file);
    }
    return file;
  };
  const useInProcessModel = (): void => {
    // One thread and no warm server: nothing outlives the test.
    fs.mkdirSync(path.dirname(home.configFile), { recursive: true });
    fs.writeFileSync(home.configFile, "[embedded]\nkeep_alive = 0\nthreads = 1\n");
  };
  const request = async (
    args: string[],
  ): Promise<{ code: number | null; model?: string | undefined; stdout: string; stderr: string }> => {
    const run = await runBuiltCli([...args, "--dry-run", "-o", "json", "list files"], {
      env: offline(),
      timeoutMs: 180_000,
    });
    const document = run.code === 0 ? (JSON.parse(run.stdout) as { model?: string; backend?: string }) : {};
    if (run.code === 0) expect(document.backend).toBe("embedded");
    return { code: run.code, model: document.model, stdout: run.stdout, stderr: run.stderr };
  };

  it("imports under an id from the file name; list, path, verify, a request and rm all know it", async () => {
    useInProcessModel();
    const source = original();
    const imported = await runBuiltCli(["models", "import", source], { env: offline() });
    expect(imported.code).toBe(0);
    const destination = path.join(modelsDir(), "local", "my-model.gguf");
    expect(imported.stdout.trim()).toBe(destination);
    expect(imported.stderr).toContain("cmdai --model my-model");
    expect(fs.readFileSync(destination).equals(fs.readFileSync(source))).toBe(true);
    expect(fs.lstatSync(destination).isSymbolicLink()).toBe(false);

    const list = await runBuiltCli(["models", "list", "--json"], { env: offline() });
    const listed = JSON.parse(list.stdout) as {
      imported: { id: string; path: string; installed: boolean }[];
    };
    expect(listed.imported).toEqual([
      expect.objectContaining({ id: "my-model", path: destination, installed: true }),
    ]);
    expect((await runBuiltCli(["models", "list"], { env: offline() })).stdout).toContain("my-model");
    const located = await runBuiltCli(["models", "path", "my-model"], { env: offline() });
    expect([located.code, located.stdout.trim()]).toEqual([0, destination]);
    const verified = await runBuiltCli(["models", "verify", "my-model", "--json"], { env: offline() });
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, files: [{ path: destination }] });

    expect(await request(["--model", "my-model"])).toMatchObject({ code: 0, model: "my-model.gguf" });
    expect((await runBuiltCli(["config", "set", "model", "my-model"], { env: offline() })).code).toBe(0);
    expect(await request([])).toMatchObject({ code: 0, model: "my-model.gguf" });

    const removed = await runBuiltCli(["models", "rm", "my-model"], { env: offline() });
    expect(removed.code).toBe(0);
    expect(fs.existsSync(destination)).toBe(false);
    expect(fs.existsSync(source)).toBe(true);
    const gone = await request(["--model", "my-model"]);
    expect(gone.code).toBe(2);
    // With -o json the error is the JSON object on stdout.
    expect(JSON.parse(gone.stdout)).toMatchObject({
      error: {
        code: "usage",
        message: expect.stringContaining("no model is imported as my-model") as string,
      },
    });
  }, 600_000);

  it("says so when the same file is imported again; another file needs --force", async () => {
    const source = original();
    expect((await runBuiltCli(["models", "import", source, "--as", "mine"], { env: offline() })).code).toBe(
      0,
    );
    const again = await runBuiltCli(["models", "import", source, "--as", "mine", "--json"], {
      env: offline(),
    });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ id: "mine", outcome: "already-imported" });
    const other = path.join(home.root, "other.gguf");
    fs.copyFileSync(testModelPath({ seed: 2 }), other);
    const taken = await runBuiltCli(["models", "import", other, "--as", "mine"], { env: offline() });
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/already taken.*\n.*--force/);
    const forced = await runBuiltCli(["models", "import", other, "--as", "mine", "--force", "-o", "json"], {
      env: offline(),
    });
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ outcome: "replaced" });
    const destination = path.join(modelsDir(), "local", "mine.gguf");
    expect(fs.readFileSync(destination).equals(fs.readFileSync(other))).toBe(true);
    expect(fs.readdirSync(path.dirname(destination)).sort()).toEqual([
      "mine.gguf",
      "mine.gguf.manifest.json",
    ]);
  });

  it("links instead of copying with --link, and rm removes only the link", async () => {
    const source = original();
    const linked = await runBuiltCli(["models", "import", source, "--link", "--as", "linked"], {
      env: offline(),
    });
    expect(linked.code).toBe(0);
    expect(linked.stderr).toContain("symlink");
    const destination = linked.stdout.trim();
    expect(fs.readlinkSync(destination)).toBe(source);
    expect((await runBuiltCli(["models", "verify", "linked"], { env: offline() })).code).toBe(0);
    expect((await runBuiltCli(["models", "rm", "linked"], { env: offline() })).code).toBe(0);
    expect(fs.existsSync(destination)).toBe(false);
    expect(fs.existsSync(source)).toBe(true);
  });

  it("imports a local path given to pull, relative to the current folder", async () => {
    original();
    const pull = await runBuiltCli(["models", "pull", "./Downloads/My-Model.Q4_K_M.gguf"], {
      env: offline(),
      cwd: home.root,
    });
    expect(pull.code).toBe(0);
    expect(pull.stdout.trim()).toBe(path.join(modelsDir(), "local", "my-model.gguf"));
  });

  it("serves the default request from a file imported as the default catalog model", async () => {
    useInProcessModel();
    const source = original();
    const refused = await runBuiltCli(["models", "import", source, "--as", "qwen2.5-coder-1.5b"], {
      env: offline(),
    });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/does not match catalog model qwen2\.5-coder-1\.5b: its size/);
    expect(cacheFiles().filter((file) => file.endsWith(".gguf"))).toEqual([]);
    const forced = await runBuiltCli(["models", "import", source, "--as", "qwen2.5-coder-1.5b", "--force"], {
      env: offline(),
    });
    expect(forced.code).toBe(0);
    const expected = await runBuiltCli(["models", "path", "qwen2.5-coder-1.5b", "--json"], {
      env: offline(),
    });
    expect(JSON.parse(expected.stdout)).toMatchObject({ installed: true, path: forced.stdout.trim() });
    expect(forced.stdout).toContain(path.join("hf", "Qwen", "Qwen2.5-Coder-1.5B-Instruct-GGUF", "main"));
    expect(await request([])).toMatchObject({ code: 0, model: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf" });
  }, 300_000);

  it("prints where a missing model belongs, and a whole file copied there by hand is used", async () => {
    useInProcessModel();
    const missing = await runBuiltCli(["models", "path", "qwen2.5-coder-0.5b"], { env: offline() });
    expect(missing.code).toBe(0);
    expect(missing.stderr).toMatch(/not downloaded yet.*models pull qwen2\.5-coder-0\.5b/);
    const destination = missing.stdout.trim();
    expect(destination).toMatch(/qwen2\.5-coder-0\.5b-instruct-q4_k_m\.gguf$/);
    const json = await runBuiltCli(["models", "path", "qwen2.5-coder-0.5b", "-o", "json"], {
      env: offline(),
    });
    expect(JSON.parse(json.stdout)).toMatchObject({ path: destination, installed: false });

    fs.mkdirSync(path.dirname(destination), { recursive: true });
    const bytes = fs.readFileSync(testModelPath());
    // A copy cut short is not taken for the model.
    fs.writeFileSync(destination, bytes.subarray(0, bytes.length - 1000));
    const cut = await request(["--model", "qwen2.5-coder-0.5b"]);
    expect(cut.code).toBe(5);
    expect(
      (await runBuiltCli(["models", "path", "qwen2.5-coder-0.5b"], { env: offline() })).stderr,
    ).toContain("not a whole model");
    fs.writeFileSync(destination, bytes);
    const served = await request(["--model", "qwen2.5-coder-0.5b"]);
    expect(served).toMatchObject({ code: 0, model: "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf" });
    const located = await runBuiltCli(["models", "path", "qwen2.5-coder-0.5b", "--json"], { env: offline() });
    expect(JSON.parse(located.stdout)).toMatchObject({ installed: true, path: destination });
  }, 300_000);

  it.each<[string, () => string[], number, RegExp]>([
    ["a missing file", () => [path.join(home.root, "nope.gguf")], 5, /No file at .*nope\.gguf/],
    ["a folder", () => [home.root], 2, /is a folder/],
    [
      "a text file",
      () => {
        fs.writeFileSync(path.join(home.root, "notes.gguf"), "just some notes\n");
        return [path.join(home.root, "notes.gguf")];
      },
      5,
      /text file/,
    ],
    [
      "a truncated GGUF",
      () => {
        const file = path.join(home.root, "cut.gguf");
        fs.writeFileSync(file, fs.readFileSync(testModelPath()).subarray(0, 5000));
        return [file];
      },
      5,
      /truncated/,
    ],
    [
      "a safetensors file",
      () => {
        const json = Buffer.from('{"__metadata__":{}}');
        const length = Buffer.alloc(8);
        length.writeBigUInt64LE(BigInt(json.length));
        const file = path.join(home.root, "model.safetensors");
        fs.writeFileSync(file, Buffer.concat([length, json, Buffer.alloc(256)]));
        return [file];
      },
      5,
      /safetensors/,
    ],
    ["an invalid id", () => [original(), "--as", "../escape"], 2, /not a valid model id/],
    [
      "a part of a split GGUF",
      () => {
        const file = path.join(home.root, "big-00001-of-00002.gguf");
        fs.copyFileSync(testModelPath(), file);
        return [file];
      },
      2,
      /split GGUF/,
    ],
  ])("refuses %s with a one-line error, a hint and its exit code", async (_label, args, code, message) => {
    const run = await runBuiltCli(["models", "import", ...args()], { env: offline() });
    expect(run.code).toBe(code);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain("hint:");
    expect(cacheFiles().filter((file) => file.includes(".gguf"))).toEqual([]);
  });

  it("prints a bad input's error as one JSON object with -o json", async () => {
    const run = await runBuiltCli(["models", "import", home.root, "-o", "json"], { env: offline() });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: "usage" } });
  });
});
