/**
 * The errors a download reports, each naming the fix: refused access (HF_TOKEN), a missing file, an
 * unreachable hub (proxy, --model, copy the file), a full disk.
 */
import path from "node:path";
import { ModelError } from "../errors.js";
import { unreachableReason } from "../unreachable-reason.js";

/** Words for error messages: what is being downloaded and where to read about it. */
export interface DownloadSubject {
  /** e.g. `Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF` (absent for plain URLs). */
  repo?: string | undefined;
  /** File inside the repo, or the URL's file name. */
  file: string;
  /** A page the user can open, e.g. the model's hub page. */
  pageUrl?: string | undefined;
  /** The reference to repeat in `cmdai models pull …`. */
  reference: string;
}

/** The first `code` string along an error's cause chain (ENOSPC, ECONNREFUSED, …). */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = current.cause;
  }
  return undefined;
}

/** Errors for answers that retrying will not fix. */
export function statusError(statusCode: number, subject: DownloadSubject, url: string): ModelError {
  const where = subject.repo === undefined ? url : `${subject.repo} (file ${subject.file})`;
  if (statusCode === 401 || statusCode === 403) {
    return new ModelError(
      "model_download_failed",
      `Access to ${where} was refused (HTTP ${statusCode}): the model is gated or private, or HF_TOKEN is missing or wrong.`,
      {
        hint: `Accept the model's terms at ${subject.pageUrl ?? url} and set HF_TOKEN to an access token (https://huggingface.co/settings/tokens).`,
      },
    );
  }
  if (statusCode === 404) {
    return new ModelError(
      "model_not_found",
      subject.repo === undefined
        ? `${url} was not found (HTTP 404).`
        : `File ${subject.file} was not found in repo ${subject.repo} (HTTP 404).`,
      {
        hint: `Check the repo, file name and revision${subject.pageUrl === undefined ? "" : ` at ${subject.pageUrl}`}.`,
      },
    );
  }
  return new ModelError("model_download_failed", `Downloading ${where} failed with HTTP ${statusCode}.`);
}

export function unreachableError(url: string, subject: DownloadSubject, cause: unknown): ModelError {
  const host = new URL(url).host;
  return new ModelError(
    "model_download_failed",
    `Cannot reach ${host} to download ${subject.file} (${unreachableReason(errorCode(cause))}).`,
    {
      cause,
      isRetryable: true,
      hint: `Set HTTPS_PROXY if you are behind a proxy, or pass --model /path/to/model.gguf, or run \`cmdai models pull ${subject.reference}\` on a machine with access and copy the file.`,
    },
  );
}

export function diskFullError(destination: string, cause: unknown): ModelError {
  return new ModelError("disk_full", `The disk holding ${path.dirname(destination)} is full.`, {
    cause,
    hint: "Free some space (or set [models] dir to another disk) and run the command again; the download resumes.",
  });
}
