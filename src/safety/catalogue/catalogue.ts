/**
 * The command catalogue: what cmdai knows about the programs people run, as data. Each domain file holds lines
 *
 *     name [name…] = effect ; effect pattern ; effect pattern …
 *
 * The first effect is the program's default; each later clause applies when its pattern (a regular expression
 * tested against the arguments joined by single spaces; `^@` stands for "the start, after any option words")
 * matches. Of the clauses that match, the most dangerous wins; the default applies only when none matches, so
 * an unknown subcommand of a known program gets the default (moderate for anything that is not read-only as a
 * whole). The catalogue is consulted only when no rule matched (`script-judge.ts`), so a rule always refines it,
 * and its findings sit beside those of the code-running options (`embedded-code.ts`) and wrappers (`unwrap.ts`):
 * the worst of all of them is the verdict, so a catalogue "safe" never hides what those found.
 *
 * The files are plain strings, split into a name index on the first lookup and compiled per program on demand,
 * so loading the engine costs little and judging a catalogued command is one map lookup after the first time.
 */
import type { RiskLevel } from "../types.js";
import { CLOUD_CATALOGUE } from "./cloud-catalogue.js";
import { DESKTOP_CATALOGUE } from "./desktop-catalogue.js";
import { DEVELOPMENT_CATALOGUE } from "./development-catalogue.js";
import { MEDIA_CATALOGUE } from "./media-catalogue.js";
import { NETWORK_CATALOGUE } from "./network-catalogue.js";
import { PACKAGES_CATALOGUE } from "./packages-catalogue.js";
import { SYSTEM_CATALOGUE } from "./system-catalogue.js";
import { TOOLS_CATALOGUE } from "./tools-catalogue.js";

/** What a program does, and the level and sentence that go with it. */
export const EFFECTS = {
  read: { level: "safe", rule: "read-only", text: "only reads and prints" },
  query: { level: "safe", rule: "read-only", text: "only queries and prints the answer" },
  files: { level: "moderate", rule: "file-change", text: "writes or changes files" },
  app: {
    level: "moderate",
    rule: "opens-application",
    text: "starts an interactive or graphical application, which can change files from inside",
  },
  code: {
    level: "moderate",
    rule: "runs-code",
    text: "runs code it is given (a program, script, test suite or project)",
  },
  build: {
    level: "moderate",
    rule: "runs-code",
    text: "builds or runs the project, which runs the project's own code and writes build outputs",
  },
  packages: {
    level: "moderate",
    rule: "package-change",
    text: "installs, updates or removes software packages",
  },
  services: { level: "moderate", rule: "service-change", text: "starts, stops or configures services" },
  network: { level: "moderate", rule: "network-change", text: "changes network settings or connections" },
  remote: {
    level: "moderate",
    rule: "remote-action",
    text: "connects to a remote host or service and can change things there",
  },
  cloud: { level: "moderate", rule: "cloud-change", text: "creates or changes cloud or remote resources" },
  containers: {
    level: "moderate",
    rule: "container-change",
    text: "creates, starts or changes containers or virtual machines",
  },
  accounts: {
    level: "moderate",
    rule: "account-change",
    text: "changes user accounts, passwords, keys or permissions",
  },
  system: { level: "moderate", rule: "system-change", text: "changes system settings or hardware state" },
  config: {
    level: "moderate",
    rule: "settings-change",
    text: "changes the settings of the desktop or of a program",
  },
  process: { level: "moderate", rule: "process-control", text: "controls or signals running processes" },
  vcs: { level: "moderate", rule: "repository-change", text: "changes the repository or its history" },
  data: { level: "moderate", rule: "database-write", text: "changes a database or data store" },
  probe: {
    level: "moderate",
    rule: "network-probe",
    text: "probes, scans or tests other hosts, which their owners may not allow",
  },
  serve: {
    level: "moderate",
    rule: "starts-server",
    text: "starts a server or shares files that others on the network can reach",
  },
  capture: {
    level: "moderate",
    rule: "captures-data",
    text: "captures network traffic, the screen, audio or input, which can include other people's data",
  },
  message: {
    level: "moderate",
    rule: "sends-message",
    text: "sends a message, mail, notification or prompt to someone or to a service",
  },
  download: { level: "moderate", rule: "download-to-file", text: "downloads files from the network" },
  disk: {
    level: "moderate",
    rule: "disk-change",
    text: "changes disks, volumes, partitions or file systems",
  },
  destroy: {
    level: "high",
    rule: "destroys-data",
    text: "deletes or overwrites data that may not be recoverable",
  },
  power: { level: "high", rule: "power-off", text: "shuts down, reboots or suspends the machine" },
  security: { level: "high", rule: "security-weakened", text: "turns off or weakens security protections" },
} as const satisfies Record<string, { level: RiskLevel; rule: string; text: string }>;

export type Effect = keyof typeof EFFECTS;

interface Clause {
  effect: Effect;
  pattern: RegExp | undefined;
}

/** The verdict the catalogue gives one command. */
export interface CatalogueVerdict {
  effect: Effect;
  level: RiskLevel;
  rule: string;
  message: string;
  /** True when no clause matched and the program's default applied. */
  byDefault: boolean;
}

/** Every catalogue file, in the order they are indexed (a name may appear only once in all of them). */
export const CATALOGUE_SOURCES: Readonly<Record<string, string>> = {
  cloud: CLOUD_CATALOGUE,
  desktop: DESKTOP_CATALOGUE,
  development: DEVELOPMENT_CATALOGUE,
  media: MEDIA_CATALOGUE,
  network: NETWORK_CATALOGUE,
  packages: PACKAGES_CATALOGUE,
  system: SYSTEM_CATALOGUE,
  tools: TOOLS_CATALOGUE,
};

/** Words that name a change; a read-only clause does not apply when one of them is among the arguments. */
const CHANGE_WORD =
  /^(set|unset|add|create|new|delete|del|rm|remove|destroy|purge|drop|truncate|wipe|erase|format|mkfs|write|install|uninstall|update|upgrade|enable|disable|start|stop|restart|kill|apply|push|commit|reset|move|mv|copy|cp|edit|modify|change|attach|detach|mount|umount|unmount|import|load|unload|send|upload|put|post|patch|exec|run|shell|deploy|clean|prune|--fix|--write|-w|--delete|--remove|--set|--add|--apply|--force)$|^[a-z]*(format|erase|wipe|kill|delete|remove|create|set)$|^(create|delete|remove|set|add|update|install|uninstall|enable|disable|start|stop|restart|reset|purge|drop|import|push|apply|edit|write|kill|attach|detach|rm|del|upload|deploy|destroy|bind|unbind|move|copy|rename|run)[-_:]/i;
/**
 * Programs whose `-h` means "print help" — per program, never a blanket rule: `shutdown -h now` halts and
 * `dropdb -h host db` drops a database.
 */
export const SHORT_HELP = new Set([
  "parted",
  "fdisk",
  "sfdisk",
  "wipefs",
  "mkswap",
  "blkdiscard",
  "losetup",
  "partx",
]);

const DRY_RUN = /^--(dry-?run|what-?if|simulate|noop)(=.*)?$/i;
const RANK: Record<RiskLevel, number> = { safe: 0, moderate: 1, high: 2, critical: 3 };
let specifications: Map<string, string> | undefined;
const compiled = new Map<string, Clause[]>();

/** The raw specification of every catalogued name; built on the first lookup. */
export function catalogueSpecifications(): ReadonlyMap<string, string> {
  if (specifications !== undefined) return specifications;
  const index = new Map<string, string>();
  for (const source of Object.values(CATALOGUE_SOURCES))
    for (const line of source.split("\n")) {
      const separator = line.indexOf(" = ");
      if (separator < 0) continue;
      const specification = line.slice(separator + 3).trim();
      for (const name of line.slice(0, separator).trim().split(/\s+/))
        if (!index.has(name)) index.set(name, specification);
    }
  specifications = index;
  return index;
}

/** Compiles one specification; throws on an unknown effect or a bad pattern (the tests compile every entry). */
export function compileSpecification(specification: string): Clause[] {
  return specification.split(" ; ").map((clause, position) => {
    const trimmed = clause.trim();
    const space = trimmed.indexOf(" ");
    const effect = space < 0 ? trimmed : trimmed.slice(0, space);
    if (!Object.hasOwn(EFFECTS, effect))
      throw new Error(`Unknown catalogue effect "${effect}" in: ${clause}`);
    if (position === 0) {
      if (space >= 0) throw new Error(`The default of a catalogue entry takes no pattern: ${clause}`);
      return { effect: effect as Effect, pattern: undefined };
    }
    if (space < 0) throw new Error(`A catalogue clause needs a pattern: ${clause}`);
    const source = trimmed.slice(space + 1).replaceAll("^@", "^(?:-\\S* )*");
    return { effect: effect as Effect, pattern: new RegExp(source) };
  });
}

/** What the catalogue says about `name args…`, or undefined when the program is not in it. */
export function judgeByCatalogue(name: string, args: readonly string[]): CatalogueVerdict | undefined {
  let clauses = compiled.get(name);
  if (clauses === undefined) {
    const specification = catalogueSpecifications().get(name);
    if (specification === undefined) return undefined;
    clauses = compileSpecification(specification);
    compiled.set(name, clauses);
  }
  const text = args.join(" ");
  let chosen: Effect | undefined;
  for (const clause of clauses.slice(1))
    if (
      clause.pattern?.test(text) === true &&
      (chosen === undefined || RANK[EFFECTS[clause.effect].level] > RANK[EFFECTS[chosen].level])
    )
      chosen = clause.effect;
  // A read-only clause never vouches for a command that also names a change (`tool config set`, `luksFormat`).
  if (chosen !== undefined && EFFECTS[chosen].level === "safe" && args.some((word) => CHANGE_WORD.test(word)))
    chosen = undefined;
  // A dry run only reports what it would destroy.
  if (chosen !== undefined && EFFECTS[chosen].level === "high" && args.some((word) => DRY_RUN.test(word)))
    chosen = "read";
  const byDefault = chosen === undefined;
  const effect = chosen ?? clauses[0]?.effect ?? "read";
  const { level, rule, text: sentence } = EFFECTS[effect];
  return { effect, level, rule, message: `${name} ${sentence}.`, byDefault };
}
