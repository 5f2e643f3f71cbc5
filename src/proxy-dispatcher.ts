/**
 * The one place cmdai decides how an HTTP request leaves the machine, shared by model downloads, the remote
 * backends and `doctor` (so `doctor` judges a server over the same route the request it diagnoses takes).
 *
 * - `http_proxy`, else `HTTP_PROXY`, for http:// URLs; `https_proxy`, else `HTTPS_PROXY`, else the HTTP proxy,
 *   for https:// URLs (lower case first, as curl reads them);
 * - `no_proxy`, else `NO_PROXY`, names hosts reached directly (undici's matching: host suffixes, ports; `*` for
 *   every host);
 * - loopback hosts are always reached directly, since no proxy can reach them for us;
 * - with no proxy variable set (or `NO_PROXY=*`), or for a loopback target, a plain direct `Agent`.
 *
 * Only the given environment counts: undici would read this process's variables for a setting left undefined,
 * so every setting is passed explicitly. Importing this module loads undici (~80 ms): callers on a start-up
 * path import it lazily.
 */
import { Agent, EnvHttpProxyAgent } from "undici";

/** Hosts never sent through a proxy. */
const LOOPBACK_NO_PROXY = "localhost,127.0.0.1,[::1]";

/** The proxy variables of an environment, as cmdai reads them; `undefined` where none is set. */
export interface ProxySettings {
  httpProxy: string | undefined;
  httpsProxy: string | undefined;
  /** The user's NO_PROXY list plus the loopback hosts. */
  noProxy: string;
}

function firstSet(env: NodeJS.ProcessEnv, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

/** Whether a host name is the local machine (never proxied). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || host.startsWith("127.") || host.endsWith(".localhost");
}

/** The proxies `env` asks for (see the module comment), or undefined when every request goes direct. */
export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings | undefined {
  const httpProxy = firstSet(env, ["http_proxy", "HTTP_PROXY"]);
  const httpsProxy = firstSet(env, ["https_proxy", "HTTPS_PROXY"]) ?? httpProxy;
  if (httpProxy === undefined && httpsProxy === undefined) return undefined;
  const userList = firstSet(env, ["no_proxy", "NO_PROXY"]);
  if (userList === "*") return undefined;
  return {
    httpProxy,
    httpsProxy,
    noProxy: userList === undefined ? LOOPBACK_NO_PROXY : `${userList},${LOOPBACK_NO_PROXY}`,
  };
}

/** Options for {@link createProxyDispatcher}. */
export interface ProxyDispatcherOptions {
  /** Where the proxy variables come from (a command's environment, a test's); never this process's own. */
  env: NodeJS.ProcessEnv;
  /** The one server every request goes to, when there is one: a loopback target always goes direct. */
  target?: URL | undefined;
  /** Connection settings for every agent (direct or through a proxy): timeouts, `connect` options. */
  agentOptions?: Agent.Options | undefined;
}

/**
 * The proxy a request to `url` goes through under `settings`, or undefined when it goes direct: the proxy for
 * its scheme unless a NO_PROXY entry matches, with undici's matching (the host or a parent domain, and the
 * port when the entry names one), so error messages blame the hop the request really took.
 */
export function proxyFor(settings: ProxySettings | undefined, url: URL): URL | undefined {
  const proxy = url.protocol === "https:" ? settings?.httpsProxy : settings?.httpProxy;
  if (settings === undefined || proxy === undefined || isLoopbackHost(url.hostname)) return undefined;
  // `host` minus the port keeps the brackets of an IPv6 address, as undici compares it.
  const hostname = url.host.replace(/:\d*$/, "").toLowerCase();
  const port = Number.parseInt(url.port, 10) || (url.protocol === "https:" ? 443 : 80);
  for (const entry of settings.noProxy.split(/[,\s]/)) {
    if (entry === "") continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const entryHost = (parsed?.[1] ?? entry).replace(/^\*?\./, "").toLowerCase();
    if (parsed?.[2] !== undefined && Number.parseInt(parsed[2], 10) !== port) continue;
    if (hostname === entryHost || hostname.endsWith(`.${entryHost}`)) return undefined;
  }
  try {
    return new URL(proxy);
  } catch {
    return undefined;
  }
}

/** The settings each dispatcher from {@link createProxyDispatcher} was made with (undefined: all direct). */
const dispatcherSettings = new WeakMap<object, ProxySettings | undefined>();

/**
 * The proxy `dispatcher` (one made by {@link createProxyDispatcher}) sends a request to `url` through, for
 * naming it when the request fails; undefined when the request goes direct or the dispatcher is another one.
 */
export function dispatcherProxyFor(dispatcher: object, url: URL): URL | undefined {
  return proxyFor(dispatcherSettings.get(dispatcher), url);
}

/** A dispatcher for `env` (see the module comment). Close it when done. */
export function createProxyDispatcher(options: ProxyDispatcherOptions): Agent | EnvHttpProxyAgent {
  const agentOptions = options.agentOptions ?? {};
  const settings = proxySettings(options.env);
  const loopback = options.target !== undefined && isLoopbackHost(options.target.hostname);
  if (settings === undefined || loopback) return new Agent(agentOptions);
  const dispatcher = new EnvHttpProxyAgent({
    ...agentOptions,
    // Empty, not undefined: undici would otherwise fall back to this process's variables.
    httpProxy: settings.httpProxy ?? "",
    httpsProxy: settings.httpsProxy ?? "",
    noProxy: settings.noProxy,
  });
  dispatcherSettings.set(dispatcher, settings);
  return dispatcher;
}
