/**
 * The errors a download reports, each naming the fix: refused access (HF_TOKEN), a missing file, a network
 * failure on the way (the proxy or the hub, see `network-failure.ts`), a full disk.
 */
import path from "node:path";
import { ModelError } from "../errors.js";
import type { NetworkFailure } from "../network-failure.js";
import { formatBytes } from "../format-bytes.js";

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

/**
 * The error for a download that failed below HTTP, naming the hop at fault (the proxy, or the host) and the
 * fix for that hop. `partialBytes` (bytes kept in the `.part` file) turns the hint into a promise to resume.
 */
export function networkError(
  failure: NetworkFailure,
  subject: DownloadSubject,
  url: string,
  options: { cause: unknown; partialBytes?: number | undefined },
): ModelError {
  const target = new URL(url);
  const resume =
    options.partialBytes !== undefined && options.partialBytes > 0
      ? ` The ${formatBytes(options.partialBytes)} downloaded so far are kept; the next pull resumes there.`
      : "";
  return new ModelError("model_download_failed", `Cannot download ${subject.file}: ${failure.reason}.`, {
    cause: options.cause,
    isRetryable: failure.retryable,
    hint: `${networkHint(failure, target, subject)}${resume}`,
  });
}

/** The variables naming the proxy a URL of this scheme goes through (as `proxy-dispatcher.ts` reads them). */
function proxyVariables(target: URL): string {
  return target.protocol === "https:" ? "HTTPS_PROXY (or HTTP_PROXY)" : "HTTP_PROXY";
}

function networkHint(failure: NetworkFailure, target: URL, subject: DownloadSubject): string {
  const elsewhere = `or download ${subject.file} elsewhere and run \`cmdai models import FILE.gguf\``;
  const noProxy = `set NO_PROXY=${target.hostname} if it is reachable without the proxy`;
  const port = target.port !== "" ? target.port : target.protocol === "https:" ? "443" : "80";
  switch (failure.kind) {
    case "proxy_refused":
      return target.protocol === "http:"
        ? `Allow CONNECT to port ${port} on the proxy, use an https:// HF_ENDPOINT, ${noProxy}, ${elsewhere}.`
        : `Ask for CONNECT to ${failure.target} to be allowed on the proxy, ${noProxy}, ${elsewhere}.`;
    case "proxy_auth":
      return `Put the proxy's user name and password in ${proxyVariables(target)} (http://USER:PASSWORD@${failure.proxy ?? "HOST:PORT"}), ${noProxy}, ${elsewhere}.`;
    case "proxy_upstream":
      return `Check that HF_ENDPOINT (${target.origin}) is right and that the proxy can reach it, ${noProxy}, ${elsewhere}.`;
    case "proxy_unreachable":
      return `Check ${proxyVariables(target)}: no proxy answers at ${failure.proxy ?? "that address"}. Fix or unset it, ${noProxy}, ${elsewhere}.`;
    case "host_unreachable":
      return `Set HTTPS_PROXY if you are behind a proxy; or run \`cmdai models pull ${subject.reference}\` on a machine with access and bring the file here with \`cmdai models import FILE.gguf${/^[\w.-]+$/.test(subject.reference) ? ` --as ${subject.reference}` : ""}\`.`;
    case "connection_lost":
      return `Run \`cmdai models pull ${subject.reference}\` again; it resumes where it stopped.`;
  }
}

export function diskFullError(destination: string, cause: unknown): ModelError {
  return new ModelError("disk_full", `The disk holding ${path.dirname(destination)} is full.`, {
    cause,
    hint: "Free some space (or set [models] dir to another disk) and run the command again; the download resumes.",
  });
}
