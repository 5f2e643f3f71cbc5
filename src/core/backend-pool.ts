/**
 * Creates backends from the registry on first use and keeps them for the rest of the run, so a revised
 * request reuses the loaded model; `disposeAll` frees them at the end.
 */
import type { Backend, BackendSettings } from "../backends/backend.js";
import { backendLoader } from "../backends/registry.js";
import type { BackendName } from "../config/schema.js";
import { BackendError } from "../errors.js";

export class BackendPool {
  private readonly backends = new Map<BackendName, Promise<Backend>>();

  /**
   * @param embeddedOptions when given, `embedded` is built with model management and the warm server
   *   (the CLI's way); without it, the registry's plain in-process backend is used.
   */
  constructor(
    private readonly settings: BackendSettings,
    private readonly embeddedOptions?: { version: string; cwd: string },
  ) {}

  /** The backend of that name, created on first use. */
  get(name: BackendName): Promise<Backend> {
    let backend = this.backends.get(name);
    if (backend === undefined) {
      backend = this.create(name);
      // A failed creation is not cached: the next attempt (e.g. after a download) may succeed.
      backend.catch(() => this.backends.delete(name));
      this.backends.set(name, backend);
    }
    return backend;
  }

  private async create(name: BackendName): Promise<Backend> {
    if (name === "embedded" && this.embeddedOptions !== undefined) {
      // Model management and the warm server sit on top of the plain in-process backend.
      const { createEmbeddedBackendForCli } = await import("./create-embedded-backend.js");
      return createEmbeddedBackendForCli(this.settings, this.embeddedOptions);
    }
    const loader = backendLoader(name);
    if (loader === undefined) {
      throw new BackendError("backend_unavailable", `The ${name} backend is not part of this cmdai build.`, {
        hint: "Choose another backend with --backend, or update cmdai.",
      });
    }
    const factory = await loader();
    return factory(this.settings);
  }

  /** Dispose every backend created so far. Errors are ignored: disposal must not hide the real outcome. */
  async disposeAll(): Promise<void> {
    const pending = [...this.backends.values()];
    this.backends.clear();
    await Promise.all(
      pending.map(async (backend) => {
        try {
          await (await backend).dispose();
        } catch {
          // already failed or already disposed
        }
      }),
    );
  }
}
