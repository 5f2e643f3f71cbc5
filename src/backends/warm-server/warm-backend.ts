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
import { isProcessAlive } from "../../process-alive.js";

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
  /** Builds the in-process backend: the first request's, and the one used when the server is unavailable. */
  createInProcess: () => Promise<Backend>;
  /** How long to wait for a server another cmdai is starting. Default 120 s. */
  startTimeoutMs?: number;
}

const DEFAULT_START_TIMEOUT_MS = 120_000;

function isConnectionFailure(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ECONNREFUSED" || code === "ECONNRESET" || code === "EPIPE";
}

/** The marker a starting server is named in: its pid, removed by the server once it listens. */
export function startingMarkerPath(socketPath: string): string {
  return `${socketPath}.starting`;
}

/** The pid in a starting marker, when that process still runs and the marker is not older than `maxAgeMs`. */
function startingServerPid(marker: string, maxAgeMs: number): number | undefined {
  try {
    const age = Date.now() - fs.statSync(marker).mtimeMs;
    const pid = Number(fs.readFileSync(marker, "utf8"));
    return age <= maxAgeMs && Number.isInteger(pid) && pid > 0 && isProcessAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Requests go to the warm server when one answers. Without one, a request never waits for a server to
 * start: it is answered in-process (mapped weights, the fastest load a one-shot process can have), and once it
 * has ended and freed the model, the server is started in the background for the next request. Measured on
 * the 2-core VM, waiting for a new server made the first request ~1.3× a cold in-process one (a second
 * process start, and the server reads its weights rather than mapping them, to hold one copy).
 */
export class WarmBackend implements Backend {
  readonly name = "embedded" as const;
  private inProcess: Promise<Backend> | undefined;
  /** No server ran: once an in-process answer was given, start one when this backend is disposed. */
  private noServer = false;
  private answeredInProcess = false;
  private disposed = false;

  constructor(private readonly options: WarmBackendOptions) {}

  /** How long a starting server is waited for, and how old its marker may be. */
  private get startTimeoutMs(): number {
    return this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  }

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
        if (error instanceof NoServerError) {
          this.options.settings.log(
            "no model server is running: inferring in-process; the server starts when this request ends",
          );
          this.noServer = true;
        } else {
          this.options.settings.log(
            `model server unavailable (${(error as Error).message}); inferring in-process`,
          );
        }
        this.inProcess = this.options.createInProcess();
      }
    }
    const answer = await (await this.inProcess).generate(request, options);
    this.answeredInProcess = true;
    return answer;
  }

  /** Through a running server, or one another cmdai is starting; a NoServerError when there is none. */
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
    if (!(await this.waitForStartingServer(options.signal))) throw new NoServerError();
    this.options.settings.onProgress?.({
      kind: "generate",
      label: path.basename(this.options.spec.modelPath),
    });
    return generateViaServer(socketPath, request, options);
  }

  /** When another cmdai's server is starting (a live pid in the marker), wait until it answers. */
  private async waitForStartingServer(signal: AbortSignal | undefined): Promise<boolean> {
    const { socketPath } = this.options.spec;
    const marker = startingMarkerPath(socketPath);
    const startTimeoutMs = this.startTimeoutMs;
    if (startingServerPid(marker, startTimeoutMs) === undefined) return false;
    this.options.settings.log("waiting for the model server another cmdai is starting");
    this.options.settings.onProgress?.({ kind: "serve", label: path.basename(this.options.spec.modelPath) });
    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
      if (signal?.aborted === true) throw new DOMException("The operation was aborted.", "AbortError");
      if ((await serverStatus(socketPath)) !== undefined) return true;
      if (startingServerPid(marker, startTimeoutMs) === undefined) {
        return (await serverStatus(socketPath)) !== undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
  }

  /**
   * Spawn `cmdai server run` detached, for the next request; nothing waits for it. The marker (created
   * exclusively, so two cmdai processes start one server) holds the server's pid until the server listens.
   */
  private startServerInBackground(): void {
    const { socketPath } = this.options.spec;
    const marker = startingMarkerPath(socketPath);
    try {
      if (process.platform !== "win32")
        fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
      if (startingServerPid(marker, this.startTimeoutMs) !== undefined) return;
      fs.rmSync(marker, { force: true });
      fs.writeFileSync(marker, String(process.pid), { flag: "wx", mode: 0o600 });
    } catch (error) {
      this.options.settings.log(`model server not started: ${(error as Error).message}`);
      return;
    }
    try {
      const child = spawn(process.execPath, [this.options.entryScript, "server", "run"], {
        detached: true,
        stdio: "ignore",
        env: { ...this.options.settings.env, [WARM_SERVER_SPEC_VARIABLE]: JSON.stringify(this.options.spec) },
        windowsHide: true,
      });
      child.once("error", () => fs.rmSync(marker, { force: true }));
      if (child.pid === undefined) {
        fs.rmSync(marker, { force: true });
        return;
      }
      fs.writeFileSync(marker, String(child.pid), { mode: 0o600 });
      child.unref();
      this.options.settings.log(`started the model server (pid ${child.pid}) for the next request`);
    } catch (error) {
      fs.rmSync(marker, { force: true });
      this.options.settings.log(`model server not started: ${(error as Error).message}`);
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const inProcess = this.inProcess;
    this.inProcess = undefined;
    // The in-process model is freed first: the server's load must not hold a second copy beside it.
    if (inProcess !== undefined) await (await inProcess.catch(() => undefined))?.dispose();
    // Only after an answer: a model that failed in-process would fail in the server too.
    if (this.noServer && this.answeredInProcess) this.startServerInBackground();
  }
}

/** No server answers and none is starting. */
class NoServerError extends Error {
  constructor() {
    super("no model server is running");
  }
}
