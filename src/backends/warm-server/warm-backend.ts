/**
 * The embedded backend as the CLI uses it when `embedded.keep_alive > 0`: requests go to a background cmdai
 * process that keeps the model loaded (started on first use), so later requests skip the multi-second load.
 * If the server cannot start or dies, the request is served in-process instead, and `--verbose` says so.
 */
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CmdaiError, isAbortError } from "../../errors.js";
import type {
  Availability,
  Backend,
  BackendDescription,
  BackendSettings,
  GenerateOptions,
  GenerationRequest,
  GenerationResult,
} from "../backend.js";
import { WARM_PROTOCOL_VERSION } from "./protocol.js";
import { generateViaServer, serverStatus } from "./warm-client.js";

/** What the background process needs to serve the same model with the same settings. */
export interface WarmServerSpec {
  socketPath: string;
  key: string;
  modelPath: string;
  /** The effective config, so the server builds its backend exactly as the client would have. */
  config: BackendSettings["config"];
  idleTimeoutMs: number;
}

/** Environment variable carrying the spec to `cmdai server run`. */
export const WARM_SERVER_SPEC_VARIABLE = "CMDAI_SERVER_SPEC";

/**
 * The server key: a changed model file, embedded settings, protocol or cmdai version gives a new key, so a
 * stale server is never reused (it exits on its own idle timeout).
 */
export function warmServerKey(options: {
  version: string;
  modelPath: string;
  config: BackendSettings["config"];
}): string {
  const stat = fs.statSync(options.modelPath);
  // keep_alive only decides how long the server lives, not what it computes.
  const embedded = Object.entries(options.config.embedded).filter(([name]) => name !== "keep_alive");
  const identity = JSON.stringify([
    WARM_PROTOCOL_VERSION,
    options.version,
    fs.realpathSync(options.modelPath),
    stat.size,
    stat.mtimeMs,
    embedded,
  ]);
  return crypto.createHash("sha256").update(identity).digest("hex").slice(0, 16);
}

export interface WarmBackendOptions {
  settings: BackendSettings;
  spec: WarmServerSpec;
  /** The script that runs `cmdai server run` (the CLI's own entry point). */
  entryScript: string;
  /** Builds the in-process backend used when the server is unavailable. */
  createInProcess: () => Promise<Backend>;
  /**
   * Checks the model before a server is started for it (a bad file then fails with a clear error instead of
   * a server that dies). Not run when a server already answers, to keep warm requests cheap.
   */
  validateModel?: () => Promise<void>;
  /** How long to wait for a new server to load its model and listen. Default 120 s. */
  startTimeoutMs?: number;
}

function isConnectionFailure(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ECONNREFUSED" || code === "ECONNRESET" || code === "EPIPE";
}

export class WarmBackend implements Backend {
  readonly name = "embedded" as const;
  private inProcess: Promise<Backend> | undefined;
  private disposed = false;

  constructor(private readonly options: WarmBackendOptions) {}

  describe(): BackendDescription {
    return { name: "embedded", model: this.options.spec.modelPath, location: this.options.spec.socketPath };
  }

  async isAvailable(): Promise<Availability> {
    if (!fs.existsSync(this.options.spec.modelPath)) {
      return { available: false, reason: `Model file not found: ${this.options.spec.modelPath}` };
    }
    const status = await serverStatus(this.options.spec.socketPath);
    return {
      available: true,
      detail: status === undefined ? "model server not running" : `model server pid ${status.pid}`,
    };
  }

  async generate(request: GenerationRequest, options: GenerateOptions = {}): Promise<GenerationResult> {
    if (this.inProcess === undefined) {
      try {
        return await this.generateViaServer(request, options);
      } catch (error) {
        if (isAbortError(error) || options.signal?.aborted === true) throw error;
        // A typed error from the model itself (bad answer, invalid model) is the answer: don't retry it.
        if (error instanceof CmdaiError) throw error;
        this.options.settings.log(
          `model server unavailable (${(error as Error).message}); inferring in-process`,
        );
        this.inProcess = this.options.createInProcess();
      }
    }
    return (await this.inProcess).generate(request, options);
  }

  private async generateViaServer(
    request: GenerationRequest,
    options: GenerateOptions,
  ): Promise<GenerationResult> {
    const { socketPath } = this.options.spec;
    try {
      return await generateViaServer(socketPath, request, options);
    } catch (error) {
      if (!isConnectionFailure(error)) throw error;
    }
    this.options.settings.log("starting the model server");
    const label = path.basename(this.options.spec.modelPath);
    this.options.settings.onProgress?.({ kind: "serve", label });
    await this.startServer(options.signal);
    this.options.settings.onProgress?.({ kind: "generate", label });
    return generateViaServer(socketPath, request, options);
  }

  /**
   * Spawn `cmdai server run` detached and wait until it answers (its model is loaded then). A `.starting`
   * marker stops a second client from loading the same model twice while the first server is starting.
   */
  private async startServer(signal: AbortSignal | undefined): Promise<void> {
    const { socketPath } = this.options.spec;
    await this.options.validateModel?.();
    const startTimeoutMs = this.options.startTimeoutMs ?? 120_000;
    const marker = `${socketPath}.starting`;
    if (process.platform !== "win32")
      fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
    let ownsMarker = false;
    try {
      fs.writeFileSync(marker, String(process.pid), { flag: "wx", mode: 0o600 });
      ownsMarker = true;
    } catch {
      const age = Date.now() - (fs.statSync(marker, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age > startTimeoutMs) {
        fs.rmSync(marker, { force: true });
        fs.writeFileSync(marker, String(process.pid), { mode: 0o600 });
        ownsMarker = true;
      }
    }
    const child = { exited: !ownsMarker };
    if (ownsMarker) {
      const process_ = spawn(process.execPath, [this.options.entryScript, "server", "run"], {
        detached: true,
        stdio: "ignore",
        env: { ...this.options.settings.env, [WARM_SERVER_SPEC_VARIABLE]: JSON.stringify(this.options.spec) },
        windowsHide: true,
      });
      child.exited = false;
      process_.once("exit", () => (child.exited = true));
      process_.once("error", () => (child.exited = true));
      process_.unref();
    }
    try {
      const deadline = Date.now() + startTimeoutMs;
      while (Date.now() < deadline) {
        if (signal?.aborted === true) throw new DOMException("The operation was aborted.", "AbortError");
        if ((await serverStatus(socketPath)) !== undefined) return;
        if (ownsMarker && child.exited) throw new Error("the model server exited during start-up");
        if (!ownsMarker && !fs.existsSync(marker) && (await serverStatus(socketPath)) === undefined) {
          throw new Error("the model server that another cmdai started did not come up");
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error("the model server did not start in time");
    } finally {
      if (ownsMarker) fs.rmSync(marker, { force: true });
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const inProcess = this.inProcess;
    this.inProcess = undefined;
    if (inProcess !== undefined) await (await inProcess).dispose();
  }
}
