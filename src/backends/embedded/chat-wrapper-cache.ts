/**
 * Which node-llama-cpp chat wrapper renders a model's chat, remembered across processes. Resolving it
 * ("auto") renders the model's Jinja template against every wrapper node-llama-cpp knows: 1.1–1.4 s of
 * JavaScript on the 2-core dev machine, paid by every cold start and every warm-server start. Resolving a
 * named wrapper type is instant, so the type found once is stored in `chat-wrappers.json` in the cache
 * folder, keyed by everything the choice depends on (template, special tokens, architecture, library version).
 *
 * A type is stored only after checking that the named wrapper renders a probe conversation to exactly the
 * same tokens as the automatic choice; template-based wrappers (`jinjaTemplate`, `template`) are never stored.
 * A missing, unreadable or foreign cache file only costs the slow path.
 */
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type * as NodeLlamaCppModule from "node-llama-cpp";
import type {
  ChatHistoryItem,
  ChatWrapper,
  LlamaModel,
  SpecializedChatWrapperTypeName,
} from "node-llama-cpp";
import { replaceFile } from "../../cache-files.js";

type NodeLlamaCpp = typeof NodeLlamaCppModule;

/** The cache file's name inside cmdai's cache folder. */
export const CHAT_WRAPPER_CACHE_FILE = "chat-wrappers.json";

const PROBE: ChatHistoryItem[] = [
  { type: "system", text: "You translate requests into shell commands." },
  { type: "user", text: "list files" },
  { type: "model", response: ['{"command": "ls"}'] },
  { type: "user", text: "now with sizes" },
  { type: "model", response: [] },
];

function probeTokens(wrapper: ChatWrapper, model: LlamaModel): string {
  return JSON.stringify(
    wrapper.generateContextState({ chatHistory: PROBE }).contextText.tokenize(model.tokenizer),
  );
}

/** What the automatic choice depends on. */
async function cacheKey(library: NodeLlamaCpp, model: LlamaModel): Promise<string> {
  const metadata = model.fileInfo.metadata;
  const tokenizer = metadata.tokenizer as { chat_template?: unknown; ggml?: { model?: unknown } } | undefined;
  const identity = JSON.stringify([
    await library.getModuleVersion(),
    metadata.general.architecture,
    tokenizer?.chat_template ?? null,
    tokenizer?.ggml?.model ?? null,
    model.tokens.bosString ?? null,
    model.tokens.eosString ?? null,
  ]);
  return createHash("sha256").update(identity).digest("hex");
}

async function readCache(file: string): Promise<Record<string, string>> {
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(file, "utf8"));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, string>)
      : {};
  } catch {
    return {};
  }
}

function isSpecializedType(library: NodeLlamaCpp, name: unknown): name is SpecializedChatWrapperTypeName {
  return (
    typeof name === "string" && (library.specializedChatWrapperTypeNames as readonly string[]).includes(name)
  );
}

/**
 * The chat wrapper for `model`: the remembered type when there is one, else node-llama-cpp's automatic choice
 * (then remembered when a named type renders identically). `log` receives one line on what happened.
 */
export async function resolveChatWrapperCached(
  library: NodeLlamaCpp,
  model: LlamaModel,
  directory: string,
  log: (line: string) => void,
): Promise<ChatWrapper> {
  const file = path.join(directory, CHAT_WRAPPER_CACHE_FILE);
  const key = await cacheKey(library, model);
  const cache = await readCache(file);
  const remembered = cache[key];
  if (isSpecializedType(library, remembered)) {
    return library.resolveChatWrapper(model, { type: remembered });
  }
  const wrapper = library.resolveChatWrapper(model);
  const type = Object.entries(library.chatWrappers).find(
    ([, constructor]) => wrapper.constructor === constructor,
  )?.[0];
  if (!isSpecializedType(library, type)) return wrapper;
  if (probeTokens(library.resolveChatWrapper(model, { type }), model) !== probeTokens(wrapper, model)) {
    log(`embedded: chat wrapper ${type} needs the model's own settings; not remembered`);
    return wrapper;
  }
  try {
    await replaceFile(file, `${JSON.stringify({ ...(await readCache(file)), [key]: type })}\n`);
  } catch (error) {
    // A read-only cache folder only costs speed.
    log(`embedded: could not remember the chat wrapper: ${(error as Error).message}`);
  }
  return wrapper;
}
