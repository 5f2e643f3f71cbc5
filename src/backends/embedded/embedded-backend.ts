/**
 * The `embedded` backend: llama.cpp in-process through node-llama-cpp (imported lazily — an eager import costs
 * ~400 ms of CLI start-up). One call: resolve and validate the model file, load it once, render the chat with
 * the model's own chat wrapper, reuse the saved KV state of the fixed prefix, then sample under the answer
 * grammar and parse strictly.
 */
import os from "node:os";
import path from "node:path";
import type * as NodeLlamaCppModule from "node-llama-cpp";
import type {
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaModel,
  ChatHistoryItem,
  ChatWrapper,
  Token,
} from "node-llama-cpp";
import { BackendError, ModelError } from "../../errors.js";
import { cacheDir, promptStateDir } from "../../config/paths.js";
import type { GpuChoice } from "../../config/schema.js";
import type {
  Availability,
  Backend,
  BackendDescription,
  BackendSettings,
  GenerateOptions,
  GenerationRequest,
  GenerationResult,
} from "../backend.js";
import { buildPrompt, buildUserMessage, PROMPT_TEMPLATE_VERSION } from "../prompt.js";
import { resolveChatWrapperCached } from "./chat-wrapper-cache.js";
import { answerDraftPredictor } from "./answer-draft-predictor.js";
import { estimateCpuResourcesStatically } from "./cpu-resource-estimate.js";
import { startLlama, type StartedLlama } from "./start-llama.js";
import { ANSWER_PREFILL, answerGrammar, completedAnswer, parseAnswer } from "./answer-grammar.js";
import { resolveLocalModelPath, type ModelPathResolver } from "./model-path.js";
import type { ValidatedModel } from "./model-validation.js";
import { validateModelFileCached } from "./validated-model-cache.js";
import { SavedPrefixes, type PrefixLengths } from "./saved-prefix.js";

/** Injectable collaborators; the model-management resolver replaces the default one. */
export interface EmbeddedBackendDependencies {
  /** Default: {@link resolveLocalModelPath} (existing local `.gguf` paths only). */
  resolveModelPath?: ModelPathResolver;
  /**
   * Read the weights into memory instead of mapping the file. Default false: mapping loads fastest, which
   * suits a process that answers once and exits. The warm server sets it: llama.cpp's CPU repacking copies
   * most weights, and with a mapping the file's pages stay resident too (measured with the 0.98 GB
   * Qwen2.5-1.5B Q4_K_M shape: peak RSS 1.85 GB mapped, 1.2 GB read).
   */
  readWeightsIntoMemory?: boolean;
}

type NodeLlamaCpp = typeof NodeLlamaCppModule;

/** Tokens the draft model proposes per verification round (`embedded.speculative = "draft"`). */
const DRAFT_TOKENS_PER_ROUND = 4;

/** Context sizes are rounded up to this many tokens. */
const CONTEXT_GRANULARITY = 256;

/** Starting llama.cpp holds the native backend: one instance per option set per process. */
const llamaInstances = new Map<string, Promise<StartedLlama>>();

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  const error = new Error("The generation was aborted.", { cause: reason });
  error.name = "AbortError";
  return error;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortError(signal);
}

function gpuOption(choice: GpuChoice): "auto" | "metal" | "cuda" | "vulkan" | false {
  return choice === "off" ? false : choice;
}

/** Milliseconds between two `performance.now()` marks, for the `--verbose` phase lines. */
function span(from: number, to: number): string {
  return `${Math.round(to - from)} ms`;
}

/** The length of the common prefix of two token lists. */
function commonPrefixLength(left: readonly Token[], right: readonly Token[]): number {
  const limit = Math.min(left.length, right.length);
  let index = 0;
  while (index < limit && left[index] === right[index]) index++;
  return index;
}

interface LoadedModel {
  library: NodeLlamaCpp;
  llama: Llama;
  model: LlamaModel;
  validated: ValidatedModel;
  /** The draft model, loaded when `embedded.speculative` is `draft`. */
  draft: LlamaModel | undefined;
  /**
   * The model's chat wrapper, resolved once: `resolveChatWrapper` renders the model's Jinja template against
   * every wrapper it knows, measured at 1.1–1.4 s on 2 cores — per request, it was a quarter of a warm answer.
   */
  chatWrapper: ChatWrapper;
}

class EmbeddedBackend implements Backend {
  readonly name = "embedded" as const;
  private readonly settings: BackendSettings;
  private readonly resolveModelPath: ModelPathResolver;
  private readonly readWeightsIntoMemory: boolean;
  private loading: Promise<LoadedModel> | undefined;
  private context: LlamaContext | undefined;
  private draftContext: LlamaContext | undefined;
  private sequence: LlamaContextSequence | undefined;
  private readonly grammars = new Map<boolean, Promise<LlamaGrammar>>();
  private prefixes: SavedPrefixes | undefined;
  /** A prompt state being saved after an answer. */
  private saving: Promise<void> | undefined;
  private disposed = false;
  /** One generation at a time: they share one context sequence. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(settings: BackendSettings, dependencies: EmbeddedBackendDependencies) {
    this.settings = settings;
    this.resolveModelPath = dependencies.resolveModelPath ?? resolveLocalModelPath;
    this.readWeightsIntoMemory = dependencies.readWeightsIntoMemory ?? false;
  }

  private get reference(): string | undefined {
    return this.settings.modelOverride ?? this.settings.config.model;
  }

  private get threads(): number {
    return this.settings.config.embedded.threads ?? os.availableParallelism();
  }

  /**
   * Threads for evaluation. A configured count wins; otherwise all cores, except for tiny models (test
   * models, under 64 MB) where synchronising threads costs more than the arithmetic (measured: 32 tokens in
   * 19 ms on one thread, 534 ms on two).
   */
  private contextThreads(modelSizeBytes: number): number {
    const configured = this.settings.config.embedded.threads;
    if (configured !== undefined) return configured;
    return modelSizeBytes < 64 * 2 ** 20 ? 1 : os.availableParallelism();
  }

  describe(): BackendDescription {
    const reference = this.reference;
    return { name: this.name, model: reference === undefined ? undefined : path.basename(reference) };
  }

  async isAvailable(options: GenerateOptions = {}): Promise<Availability> {
    try {
      const modelPath = await this.resolveModelPath(this.reference, { signal: options.signal });
      const validated = await validateModelFileCached(modelPath, cacheDir(this.settings.paths));
      return { available: true, detail: `${validated.path} (${validated.architecture})` };
    } catch (error) {
      if (error instanceof ModelError) return { available: false, reason: error.message, hint: error.hint };
      throw error;
    }
  }

  async prepare(): Promise<void> {
    await this.load(undefined);
  }

  private async getLlama(library: NodeLlamaCpp): Promise<StartedLlama> {
    const embedded = this.settings.config.embedded;
    const key = JSON.stringify([embedded.gpu, this.threads]);
    let instance = llamaInstances.get(key);
    if (instance === undefined) {
      instance = startLlama(library, {
        gpu: gpuOption(embedded.gpu),
        // Explicit: node-llama-cpp's CPU default of 4 threads made a 0.5B model ~90x slower on 2 cores.
        maxThreads: this.threads,
        logLevel: library.LlamaLogLevel.error,
        logger: (_level, message) => {
          this.settings.log(`llama.cpp: ${message.trimEnd()}`);
        },
        cacheDirectory: cacheDir(this.settings.paths),
        log: this.settings.log,
      });
      llamaInstances.set(key, instance);
      instance.catch(() => llamaInstances.delete(key));
    }
    try {
      return await instance;
    } catch (error) {
      throw new BackendError(
        "backend_unavailable",
        `llama.cpp could not start: ${(error as Error).message}`,
        {
          hint: 'Set [embedded] gpu = "off" to use the CPU, or reinstall cmdai so its prebuilt binaries are present.',
          cause: error,
        },
      );
    }
  }

  private load(signal: AbortSignal | undefined): Promise<LoadedModel> {
    this.loading ??= (async () => {
      // Importing node-llama-cpp and starting llama.cpp (~1–2 s on 2 cores) does not depend on the model file:
      // it runs while the file is found and its header checked. Its failure is reported only once the file is
      // known to be usable, so a missing model still gets the model error.
      const started = performance.now();
      const marks = { imported: 0, llamaStarted: 0, checked: 0, weighed: 0 };
      let startedVia = "";
      const runtime = import("node-llama-cpp").then(async (library) => {
        marks.imported = performance.now();
        if (!estimateCpuResourcesStatically(library)) {
          this.settings.log("embedded: node-llama-cpp's load simulation hook is gone; loads take longer");
        }
        const { llama, via } = await this.getLlama(library);
        marks.llamaStarted = performance.now();
        startedVia = via === "noted" ? "the addon tested before" : "getLlama, binary test included";
        return { library, llama };
      });
      runtime.catch(() => undefined);
      const modelPath = await this.resolveModelPath(this.reference, { signal });
      const validated = await validateModelFileCached(modelPath, cacheDir(this.settings.paths));
      marks.checked = performance.now();
      // Named before waiting for the runtime: that wait is part of the load a person sees.
      this.settings.onProgress?.({ kind: "load", label: path.basename(validated.path) });
      const { library, llama } = await runtime;
      const weightsStarted = performance.now();
      let model: LlamaModel;
      try {
        model = await llama.loadModel({
          modelPath: validated.path,
          useMmap: !this.readWeightsIntoMemory,
          ...(signal === undefined ? {} : { loadSignal: signal }),
        });
      } catch (error) {
        if (signal?.aborted === true) throw abortError(signal);
        throw new ModelError(
          "model_load_failed",
          `llama.cpp could not load ${validated.path}: ${(error as Error).message}`,
          {
            hint: "Check that the file is a complete GGUF model, or pass another with --model /path/to/model.gguf.",
            cause: error,
          },
        );
      }
      const draft =
        this.settings.config.embedded.speculative === "draft"
          ? await this.loadDraft(llama, model, signal).catch(async (error: unknown) => {
              await model.dispose();
              throw error;
            })
          : undefined;
      marks.weighed = performance.now();
      // Not resolved while the weights load: node-llama-cpp's load waits on this thread for its progress
      // callbacks, and ~1 s of JavaScript here made the load itself ~1.5 s slower.
      const chatWrapper = await resolveChatWrapperCached(
        library,
        model,
        cacheDir(this.settings.paths),
        this.settings.log,
      );
      // One line the bench reads (`load phases:`): where a cold start's load goes.
      this.settings.log(
        `embedded: load phases: import ${span(started, marks.imported)}, llama.cpp start ${span(marks.imported, marks.llamaStarted)} ` +
          `(${startedVia}), ` +
          `model check ${span(started, marks.checked)} (beside them), weights ${span(weightsStarted, marks.weighed)} ` +
          `(${this.readWeightsIntoMemory ? "read" : "mapped"}), chat wrapper ${span(marks.weighed, performance.now())}`,
      );
      return { library, llama, model, validated, chatWrapper, draft };
    })();
    // A failed load (including an abort) may be retried by a later call.
    this.loading.catch(() => (this.loading = undefined));
    return this.loading;
  }

  /**
   * The draft model for speculative decoding (`embedded.draft_model`, resolved like the model). Its
   * predictions are checked against the model, so a draft with another tokenizer costs speed, never
   * correctness; one with a different vocabulary size is refused as a mistake.
   */
  private async loadDraft(
    llama: Llama,
    model: LlamaModel,
    signal: AbortSignal | undefined,
  ): Promise<LlamaModel> {
    const draftPath = await this.resolveModelPath(this.settings.config.embedded.draft_model, { signal });
    const validated = await validateModelFileCached(draftPath, cacheDir(this.settings.paths));
    this.settings.onProgress?.({ kind: "load", label: path.basename(validated.path) });
    let draft: LlamaModel;
    try {
      draft = await llama.loadModel({
        modelPath: validated.path,
        useMmap: !this.readWeightsIntoMemory,
        ...(signal === undefined ? {} : { loadSignal: signal }),
      });
    } catch (error) {
      if (signal?.aborted === true) throw abortError(signal);
      throw new ModelError(
        "model_load_failed",
        `llama.cpp could not load the draft model ${validated.path}: ${(error as Error).message}`,
        {
          hint: 'Set [embedded] draft_model to a complete GGUF model, or speculative = "off".',
          cause: error,
        },
      );
    }
    // Same vocabulary type and the same tokens for a typical answer: cheap, and catches a draft of another family.
    const probe = `${ANSWER_PREFILL}find . -name '*.log' -mtime +7 | xargs rm"}`;
    const sameTokens = draft.tokenize(probe).join(",") === model.tokenize(probe).join(",");
    if (draft.vocabularyType !== model.vocabularyType || !sameTokens) {
      await draft.dispose();
      throw new ModelError(
        "model_invalid",
        `The draft model ${validated.path} does not share the model's tokenizer.`,
        {
          hint: 'Set [embedded] draft_model to a smaller model of the same family, or speculative = "lookup".',
        },
      );
    }
    return draft;
  }

  /** The saved prompt states for the loaded model and llama.cpp build. */
  private savedPrefixes(loaded: LoadedModel): SavedPrefixes {
    const release = loaded.llama.llamaCppRelease;
    this.prefixes ??= new SavedPrefixes(
      promptStateDir(this.settings.paths),
      {
        modelPath: loaded.validated.path,
        modelSizeBytes: loaded.validated.sizeBytes,
        modelModifiedMs: loaded.validated.modifiedMs,
        runtime: `${release.repo}@${release.release}/${loaded.llama.buildType}/${String(loaded.llama.gpu)}`,
        promptTemplateVersion: PROMPT_TEMPLATE_VERSION,
      },
      this.settings.log,
    );
    return this.prefixes;
  }

  private grammar(loaded: LoadedModel, wantExplanation: boolean): Promise<LlamaGrammar> {
    let grammar = this.grammars.get(wantExplanation);
    if (grammar === undefined) {
      grammar = loaded.llama.createGrammar({
        grammar: answerGrammar(wantExplanation, this.settings.config.embedded.max_command_length),
      });
      this.grammars.set(wantExplanation, grammar);
    }
    return grammar;
  }

  /** A sequence in a context large enough for `tokenCount` prompt tokens plus the answer. */
  private async sequenceFor(loaded: LoadedModel, tokenCount: number): Promise<LlamaContextSequence> {
    const embedded = this.settings.config.embedded;
    const needed = tokenCount + embedded.max_tokens;
    const wanted =
      embedded.context_size ??
      Math.min(Math.ceil(needed / CONTEXT_GRANULARITY) * CONTEXT_GRANULARITY, loaded.validated.contextLength);
    if (needed > wanted) {
      throw new BackendError(
        "backend_unavailable",
        `The prompt needs ${needed} tokens but the context holds ${wanted}.`,
        { hint: "Raise [embedded] context_size, or shorten the request." },
      );
    }
    if (this.context !== undefined && this.sequence !== undefined && this.context.contextSize >= needed) {
      return this.sequence;
    }
    await this.context?.dispose();
    await this.draftContext?.dispose();
    this.draftContext = undefined;
    this.context = await loaded.model.createContext({
      contextSize: wanted,
      threads: this.contextThreads(loaded.model.size),
      sequences: 1,
    });
    const tokenPredictor = await this.tokenPredictor(loaded, wanted);
    this.sequence = this.context.getSequence(tokenPredictor === undefined ? {} : { tokenPredictor });
    return this.sequence;
  }

  /**
   * The token predictor `embedded.speculative` asks for. Predictions are verified by the model in one batch,
   * so the output is what it would have been without them; only the speed changes.
   */
  private async tokenPredictor(
    loaded: LoadedModel,
    contextSize: number,
  ): Promise<NodeLlamaCppModule.TokenPredictor | undefined> {
    switch (this.settings.config.embedded.speculative) {
      case "off":
        return undefined;
      case "lookup":
        return new loaded.library.InputLookupTokenPredictor();
      case "draft": {
        if (loaded.draft === undefined) throw new Error("the draft model was not loaded");
        this.draftContext = await loaded.draft.createContext({
          contextSize,
          threads: this.contextThreads(loaded.draft.size),
          sequences: 1,
        });
        // A fixed number of tokens per round, drafted before the model checks them: on a CPU the draft and the
        // model share the cores, and node-llama-cpp's default (draft in the background while the model
        // evaluates, up to 16 tokens, stop below 0.6 confidence) oversubscribes them.
        const DraftPredictor = answerDraftPredictor(loaded.library);
        return new DraftPredictor(this.draftContext.getSequence(), {
          minTokens: DRAFT_TOKENS_PER_ROUND,
          maxTokens: DRAFT_TOKENS_PER_ROUND,
          minConfidence: 0,
        });
      }
    }
  }

  /**
   * Tokens of the rendered chat, and where its cacheable prefixes end: the request-independent system prefix,
   * and the folder prefix (up to the request's own text).
   */
  private renderTokens(
    loaded: LoadedModel,
    request: GenerationRequest,
  ): { tokens: Token[]; prefixLengths: PrefixLengths } {
    const { system, user } = buildPrompt(request);
    const wrapper = loaded.chatWrapper;
    const render = (userText: string): Token[] => {
      const history: ChatHistoryItem[] = [
        { type: "system", text: system },
        { type: "user", text: userText },
        { type: "model", response: [] },
      ];
      return wrapper
        .generateContextState({ chatHistory: history })
        .contextText.tokenize(loaded.model.tokenizer);
    };
    const tokens = render(user);
    return {
      tokens,
      prefixLengths: {
        // Everything before the user's text is shared by every request with this system prompt…
        system: commonPrefixLength(tokens, render("")),
        // …and everything before the request's text by every request in this folder.
        folder: commonPrefixLength(
          tokens,
          render(buildUserMessage({ ...request, request: "", revision: undefined })),
        ),
      },
    };
  }

  generate(request: GenerationRequest, options: GenerateOptions = {}): Promise<GenerationResult> {
    const run = this.queue.then(
      () => this.generateNow(request, options),
      () => this.generateNow(request, options),
    );
    this.queue = run.catch(() => undefined).then(() => this.saving);
    return run;
  }

  private async generateNow(request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    const { signal } = options;
    throwIfAborted(signal);
    if (this.disposed) throw new BackendError("backend_unavailable", "The embedded backend was disposed.");
    // The model is set to work on this request now (loading it, if it is not yet).
    options.onDispatched?.();
    const loadStarted = performance.now();
    const wasLoaded = this.loading !== undefined;
    const loaded = await this.load(signal);
    const loadMs = wasLoaded ? 0 : performance.now() - loadStarted;
    throwIfAborted(signal);
    if (!wasLoaded) {
      this.settings.onProgress?.({ kind: "generate", label: path.basename(loaded.validated.path) });
    }

    const generateStarted = performance.now();
    const { tokens, prefixLengths } = this.renderTokens(loaded, request);
    // The answer's fixed opening is prompt, not output: cheaper to evaluate in the batch than to generate.
    const input = [...tokens, ...loaded.model.tokenize(ANSWER_PREFILL)];
    const rendered = performance.now();
    const sequence = await this.sequenceFor(loaded, input.length);
    const contextReady = performance.now();
    const { next, cached, saveFolder } = await this.savedPrefixes(loaded).restore(
      sequence,
      input,
      prefixLengths,
    );
    const prefixReady = performance.now();
    throwIfAborted(signal);

    const grammar = await this.grammar(loaded, request.wantExplanation);
    const grammarState = new loaded.library.LlamaGrammarEvaluationState({ model: loaded.model, grammar });
    const embedded = this.settings.config.embedded;
    const generated: Token[] = [];
    let answerText: string | undefined;
    let text = "";
    const evaluateStarted = performance.now();
    let firstToken = 0;
    const iterator = sequence.evaluate(input.slice(next), {
      temperature: embedded.temperature,
      ...(embedded.seed === undefined ? {} : { seed: embedded.seed }),
      grammarEvaluationState: grammarState,
    });
    try {
      for await (const token of iterator) {
        if (signal?.aborted === true) break;
        if (firstToken === 0) firstToken = performance.now();
        if (loaded.model.isEogToken(token)) break;
        generated.push(token);
        text = loaded.model.detokenize(generated);
        options.onText?.(ANSWER_PREFILL + text);
        // Stop as soon as the answer is complete rather than spend steps on `}` and the end token.
        answerText = completedAnswer(text, request.wantExplanation);
        if (answerText !== undefined) break;
        if (generated.length >= embedded.max_tokens) break;
      }
    } finally {
      await iterator.return();
    }
    const generationEnded = performance.now();
    if (saveFolder !== undefined && signal?.aborted !== true) {
      // After the answer, not before it: the next request on this backend (and dispose) waits for it.
      this.saving = saveFolder().catch((error: unknown) => {
        this.settings.log(`embedded: could not save the folder's prompt state: ${(error as Error).message}`);
      });
    }
    // One line the bench reads (`generation phases:`); the first token comes with the prompt's evaluation.
    this.settings.log(
      `embedded: generation phases: render ${span(generateStarted, rendered)}, context ${span(rendered, contextReady)}, ` +
        `prefix ${span(contextReady, prefixReady)}, grammar ${span(prefixReady, evaluateStarted)}, ` +
        `prompt ${input.length - next} tokens ${span(evaluateStarted, firstToken || generationEnded)}, ` +
        `answer ${Math.max(generated.length - 1, 0)} more tokens ${span(firstToken || generationEnded, generationEnded)}`,
    );
    if (sequence.tokenPredictor !== undefined) {
      const { validated, refuted, used } = sequence.tokenPredictions;
      this.settings.log(
        `embedded: speculative ${embedded.speculative}: ${validated} predictions validated, ${refuted} refuted, ${used} used (totals)`,
      );
    }
    throwIfAborted(signal);
    if (answerText === undefined) {
      throw new BackendError(
        "answer_unparseable",
        `The model's answer did not finish within ${embedded.max_tokens} tokens.`,
        {
          hint: "Raise [embedded] max_tokens, or use a larger model (--model).",
          cause: new Error(ANSWER_PREFILL + text),
        },
      );
    }
    const answer = parseAnswer(answerText, request.wantExplanation);
    return {
      command: answer.command,
      ...(answer.explanation === undefined ? {} : { explanation: answer.explanation }),
      model: path.basename(loaded.validated.path),
      timingsMs: {
        load: Math.round(loadMs),
        generate: Math.round(performance.now() - generateStarted),
        promptEval: Math.round((firstToken || generationEnded) - evaluateStarted),
        answer: Math.round(generationEnded - (firstToken || generationEnded)),
      },
      usage: { promptTokens: input.length, cachedPromptTokens: cached, answerTokens: generated.length },
    };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const loading = this.loading;
    this.loading = undefined;
    await this.saving;
    await this.context?.dispose();
    await this.draftContext?.dispose();
    this.context = undefined;
    this.draftContext = undefined;
    this.sequence = undefined;
    if (loading !== undefined) {
      const loaded = await loading.catch(() => undefined);
      await loaded?.model.dispose();
      await loaded?.draft?.dispose();
    }
  }
}

/** Build the embedded backend. Nothing is loaded until the first `generate`. */
export function createEmbeddedBackend(
  settings: BackendSettings,
  dependencies: EmbeddedBackendDependencies = {},
): Backend {
  return new EmbeddedBackend(settings, dependencies);
}
