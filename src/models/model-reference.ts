/**
 * Model references as users write them: a catalog id, `hf:owner/repo/path/file.gguf[@revision]`, an
 * `https://…/file.gguf` URL, a local path, or the id of a model imported with `cmdai models import`. Split GGUFs (`name-00001-of-00003.gguf`) expand to the whole set.
 */
import path from "node:path";
import { expandHome } from "../config/paths.js";
import { UsageError } from "../errors.js";
import { findCatalogEntry } from "./catalog.js";
import { isValidModelId } from "./model-id.js";

/** A file on the Hugging Face hub. */
export interface HuggingFaceReference {
  kind: "hf";
  /** `owner/repo`. */
  repo: string;
  /** Path of the first (or only) file inside the repo. */
  file: string;
  /** Branch, tag or commit. Default: `main`. */
  revision: string;
  /** Every file of the set: one entry, or all parts of a split GGUF in order. */
  files: string[];
  /** The catalog id this came from, when it came from one. */
  catalogId?: string | undefined;
}

/** A GGUF at a plain URL. */
export interface UrlReference {
  kind: "url";
  url: string;
  /** Every URL of the set (split GGUFs), first part first. */
  urls: string[];
}

/** A GGUF already on disk. */
export interface LocalReference {
  kind: "local";
  /** Absolute path. */
  path: string;
}

/**
 * Any other bare name: the id of an imported model, kept at `<models dir>/local/<id>.gguf`. Whether one is
 * there is only known on disk, so an unknown name fails when it is resolved, not here.
 */
export interface ImportedReference {
  kind: "imported";
  /** Lower-case id (see `model-id.ts`). */
  id: string;
}

export type ModelReference = HuggingFaceReference | UrlReference | LocalReference | ImportedReference;

const SPLIT_PATTERN = /^(?<prefix>.*)-(?<part>\d{5})-of-(?<count>\d{5})\.gguf$/i;

/**
 * For `name-0000K-of-0000N.gguf`, every part name in order; for anything else, just the name. The set is
 * always named from its first part, whichever part was given.
 */
export function expandSplitFileNames(fileName: string): string[] {
  const match = SPLIT_PATTERN.exec(fileName);
  const prefix = match?.groups?.prefix;
  const countText = match?.groups?.count;
  if (prefix === undefined || countText === undefined) return [fileName];
  const count = Number.parseInt(countText, 10);
  if (count < 1) return [fileName];
  return Array.from(
    { length: count },
    (_, index) => `${prefix}-${String(index + 1).padStart(5, "0")}-of-${countText}.gguf`,
  );
}

function parseHuggingFace(body: string, text: string, catalogId?: string): HuggingFaceReference {
  const at = body.lastIndexOf("@");
  const location = at === -1 ? body : body.slice(0, at);
  const revision = at === -1 ? "main" : body.slice(at + 1);
  const segments = location.split("/").filter((segment) => segment !== "");
  const [owner, repo, ...fileSegments] = segments;
  if (
    owner === undefined ||
    repo === undefined ||
    fileSegments.length === 0 ||
    revision === "" ||
    segments.some((segment) => segment === "." || segment === "..")
  ) {
    throw new UsageError(`Invalid Hugging Face model reference "${text}".`, {
      hint: "Write it as hf:owner/repo/path/file.gguf, optionally followed by @revision.",
    });
  }
  const files = expandSplitFileNames(fileSegments.join("/"));
  return {
    kind: "hf",
    repo: `${owner}/${repo}`,
    file: files[0] ?? fileSegments.join("/"),
    revision,
    files,
    catalogId,
  };
}

/** The forms a reference can take, for errors about a name that is none of them. */
export const UNKNOWN_MODEL_HINT =
  "Use a catalog id (cmdai models list), the id of an imported model (cmdai models import FILE.gguf), hf:owner/repo/file.gguf[@revision], an https:// URL to a .gguf, or a path to a .gguf file.";

/**
 * Parses a model reference. `baseDirectory` resolves relative local paths (default: the process's folder).
 * Throws {@link UsageError} naming the accepted forms when the text is none of them.
 */
export function parseModelReference(text: string, baseDirectory: string = process.cwd()): ModelReference {
  const trimmed = text.trim();
  const entry = findCatalogEntry(trimmed);
  if (entry !== undefined) {
    return parseHuggingFace(entry.reference.slice("hf:".length), entry.reference, entry.id);
  }
  if (trimmed.startsWith("hf:")) return parseHuggingFace(trimmed.slice("hf:".length), trimmed);
  if (/^https?:\/\//i.test(trimmed)) {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch (error) {
      throw new UsageError(`Invalid model URL "${trimmed}".`, { cause: error });
    }
    const directory = url.pathname.slice(0, url.pathname.lastIndexOf("/") + 1);
    const names = expandSplitFileNames(url.pathname.slice(directory.length));
    const urls = names.map((name) => new URL(`${directory}${name}${url.search}`, url).toString());
    return { kind: "url", url: urls[0] ?? url.toString(), urls };
  }
  const looksLikePath =
    trimmed.toLowerCase().endsWith(".gguf") ||
    trimmed.startsWith(".") ||
    trimmed.startsWith("~") ||
    path.isAbsolute(trimmed) ||
    /^[A-Za-z]:[\\/]/.test(trimmed);
  if (trimmed !== "" && looksLikePath) {
    return { kind: "local", path: path.resolve(baseDirectory, expandHome(trimmed)) };
  }
  if (isValidModelId(trimmed.toLowerCase())) return { kind: "imported", id: trimmed.toLowerCase() };
  throw new UsageError(`Unknown model "${text}".`, {
    hint: UNKNOWN_MODEL_HINT,
  });
}

/** The canonical text of a reference, as `cmdai models pull` accepts it. */
export function formatModelReference(reference: ModelReference): string {
  switch (reference.kind) {
    case "hf":
      return (
        reference.catalogId ??
        `hf:${reference.repo}/${reference.file}${reference.revision === "main" ? "" : `@${reference.revision}`}`
      );
    case "url":
      return reference.url;
    case "local":
      return reference.path;
    case "imported":
      return reference.id;
  }
}
