/**
 * Creates backends from the registry on first use and keeps them for the rest of the run, so a revised
 * request reuses the loaded model; `disposeAll` frees them at the end.
 */
import type { Backend } from "../backends/backend.js";
import { backendLoader, type BackendSettings } from "../backends/registry.js";
import type { BackendName } from "../config/schema.js";
import { BackendError } from "../errors.js";

export class BackendPool {
  private readonly backends = new Map<BackendName, Promise<Backend>>();

  constructor(private readonly settings: BackendSettings) {}

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
