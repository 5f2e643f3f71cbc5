/**
 * Everything that produces an outcome for one request, with the request's settings bound once: the first
 * answer, revisions and explanations (from the backend that answered), the verdict on an edited command, and
 * the effect preview of each — quick for a person, exact for a program, finished in the background for the
 * menu.
 */
import { cacheDir } from "../config/paths.js";
import type { BackendName } from "../config/schema.js";
import {
  attachPreview,
  BACKGROUND_PREVIEW_BUDGET,
  DOCUMENT_PREVIEW_MS,
  INTERACTIVE_PREVIEW_MS,
  loadPreview,
} from "./attach-preview.js";
import type { BackendPool } from "./backend-pool.js";
import { createAssessor, type Assessor } from "./create-assessor.js";
import { gatherContext } from "./gather-context.js";
import {
  generateCommand,
  validateRequest,
  type CommandOutcome,
  type LiveFeedback,
  type PipelineDependencies,
} from "./generate-command.js";
import type { RequestSetup } from "./request-setup.js";

/** What the flow and the menu use to get outcomes. */
export interface RequestGenerator {
  /** A command for the request (a revision or an explanation when asked), judged and previewed. */
  generate(options: {
    wantExplanation: boolean;
    revision?: { previousCommand: string; feedback: string } | undefined;
    /** Ask this backend only (the one that answered first), with no fallback. */
    backend?: BackendName | undefined;
    signal?: AbortSignal | undefined;
    /** Steps and the streamed command, for the first answer at a terminal. */
    live?: LiveFeedback | undefined;
  }): Promise<CommandOutcome>;
  /** The outcome for a command the user edited: same request, the new command, its own verdict and preview. */
  assessEdit(shown: CommandOutcome, command: string): Promise<CommandOutcome>;
  /** Count a cut-short preview to the end (bigger budget), for the menu to show when it is done. */
  refinePreview(shown: CommandOutcome, signal: AbortSignal): Promise<CommandOutcome>;
  /** Whether this command came from an edit (the audit log says so). */
  wasEdited(command: string): boolean;
}

/** A signal that aborts when either does (AbortSignal.any needs Node 20.3). */
function eitherSignal(first: AbortSignal, second: AbortSignal | undefined): AbortSignal {
  if (second === undefined) return first;
  const combined = new AbortController();
  for (const signal of [first, second]) {
    if (signal.aborted) combined.abort(signal.reason);
    else signal.addEventListener("abort", () => combined.abort(signal.reason), { once: true });
  }
  return combined.signal;
}

/**
 * Bind the request's settings and start loading the safety engine. Throws a usage error on a bad request.
 */
export function createRequestGenerator(
  setup: RequestSetup,
  options: {
    request: string;
    /** A person can be asked: the engine fails closed (block) on what it cannot check when nobody can. */
    terminal: boolean;
    /** Aborts every generation (Ctrl-C). */
    signal: AbortSignal;
    pool: BackendPool;
    log: (line: string) => void;
    /** Lines a person should always see (a fallback to another backend). */
    notice: (line: string) => void;
  },
): RequestGenerator {
  const request = validateRequest(options.request);
  const { config, shell, cwd, env } = setup;
  const log = options.log;
  // Loaded while the backend generates (a warm answer waits on a socket meanwhile), from the moment the
  // backend has the request: started before it, the engine's and the preview's modules (~0.6 MB of code,
  // compiled on this thread) held the request back by ~40 ms. Awaited by the first verdict, which starts the
  // load itself when no backend said it had the request.
  let engine: Promise<Assessor> | undefined;
  const loadInBackground = (): Promise<Assessor> => {
    if (engine === undefined) {
      const engineStarted = performance.now();
      engine = createAssessor(config.safety).then((loaded) => {
        log(`safety engine ready in ${Math.round(performance.now() - engineStarted)} ms`);
        return loaded;
      });
      engine.catch(() => undefined);
      if (config.ui.preview) loadPreview().catch(() => undefined);
    }
    return engine;
  };
  const assess: PipelineDependencies["assess"] = async (command, assessOptions) =>
    (await loadInBackground())(command, assessOptions);
  const previewOptions = {
    cwd,
    env,
    // Exact for programs (JSON/YAML), quick for a person.
    timeMs: config.output === "plain" ? INTERACTIVE_PREVIEW_MS : DOCUMENT_PREVIEW_MS,
    log,
  };
  const withPreview = (outcome: CommandOutcome): Promise<CommandOutcome> =>
    config.ui.preview ? attachPreview(outcome, previewOptions) : Promise.resolve(outcome);
  const dependencies: PipelineDependencies = {
    createBackend: (name) => options.pool.get(name),
    assess,
    gatherContext: (target) =>
      gatherContext({ shell: target, cwd, env, cacheDirectory: cacheDir(setup.paths) }),
    log,
    notice: options.notice,
    now: () => performance.now(),
    onDispatched: () => void loadInBackground(),
  };
  const edited = new Set<string>();
  return {
    generate: async (generation) =>
      withPreview(
        await generateCommand(
          {
            request,
            shell,
            config: generation.backend === undefined ? config : { ...config, backend: generation.backend },
            backendIsExplicit: generation.backend !== undefined || setup.backendIsExplicit,
            wantExplanation: generation.wantExplanation,
            interactive: options.terminal,
            revision: generation.revision,
            signal: eitherSignal(options.signal, generation.signal),
            live: generation.live,
          },
          dependencies,
        ),
      ),
    assessEdit: async (shown, command) => {
      edited.add(command);
      return withPreview({
        ...shown,
        command,
        explanation: undefined,
        risk: await assess(command, { shell, request, interactive: options.terminal }),
        preview: undefined,
      });
    },
    refinePreview: (shown, signal) =>
      attachPreview(
        { ...shown, preview: undefined },
        { ...previewOptions, ...BACKGROUND_PREVIEW_BUDGET, signal },
      ),
    wasEdited: (command) => edited.has(command),
  };
}
