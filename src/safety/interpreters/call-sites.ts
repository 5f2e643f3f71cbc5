/**
 * Finds the calls in a tokenised program and names each by what it calls, with import aliases resolved
 * (`import subprocess as s; s.call` is `subprocess.call`, `require("fs").rmSync` is `fs.rmSync`), computed names
 * worked out where static (`getattr(os, "sys" + "tem")`, `x["ex" + "ecSync"]`, ruby `send(:system, …)`) and
 * flagged where not. Also collects the variables and loop variables the evaluator follows.
 */
import { matchingClose, tokenise, type CodeLanguage, type Token } from "./code-lexer.js";
import { argumentsOf, evaluate, sourceOf, splitTop, UNKNOWN, unknown, type Scope } from "./code-values.js";
import { BARE_CALLS } from "./language-apis.js";

export interface CallSite {
  name: string;
  dynamic: boolean;
  open: number;
  close: number;
  /** Argument ranges in tokens. */
  args: [number, number][];
  receiver: [number, number][] | undefined;
}

/** Stands in for a value the shell rules should treat as unknown. */
const IMPORTERS =
  /^(?:require|__import__|import_module|importlib\.import_module|import|process\.mainModule\.require|module\.require|require_once)$/;
const INDIRECT =
  /^(?:send|public_send|__send__|call_user_func|call_user_func_array|Kernel\.send|Object\.send|method)$/;
const PERL_LIST_OPERATORS = /^(?:join|map|grep|sprintf|pack|reverse|sort)$/;

/** Python `shell=True`, ruby `mode: "a"`, JS `{stdio: "inherit"}`: options, not positional arguments. */
export function isKeywordArgument(tokens: readonly Token[], start: number): boolean {
  const first = tokens[start];
  const next = tokens[start + 1];
  if (first?.kind === "name" && next?.kind === "punct" && (next.text === "=" || next.text === ":"))
    return true;
  if (first?.kind === "punct" && first.text === "{" && tokens[start + 2]?.text === ":") return true;
  return false;
}

/** Import aliases, variables and loop variables the evaluator may need. */
export function collectScope(tokens: readonly Token[], code: string, language: CodeLanguage): Scope {
  const scope: Scope = {
    language,
    variables: new Map(),
    aliases: new Map(),
    environmentReads: new Set(),
    depth: 0,
  };
  const alias = (name: string, target: string): void => {
    scope.aliases.set(name.trim(), normaliseModule(target.trim()));
  };
  for (const match of code.matchAll(/\bimport\s+([\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*)/g))
    for (const item of (match[1] ?? "").split(",")) {
      const [name = "", as] = item.trim().split(/\s+as\s+/);
      if (as !== undefined) alias(as, name);
    }
  for (const match of code.matchAll(/\bfrom\s+([\w.]+)\s+import\s+([\w\s,]+)/g))
    for (const item of (match[2] ?? "").split(",")) {
      const [name = "", as] = item.trim().split(/\s+as\s+/);
      if (name !== "") alias(as ?? name, `${match[1] ?? ""}.${name}`);
    }
  for (const match of code.matchAll(
    /(\w+)\s*=\s*(?:process\.mainModule\.)?require\(\s*["'`]([^"'`]+)["'`]\s*\)/g,
  ))
    alias(match[1] ?? "", match[2] ?? "");
  for (const match of code.matchAll(/\{([^}]*)\}\s*=\s*require\(\s*["'`]([^"'`]+)["'`]\s*\)/g))
    destructure(match[1] ?? "", match[2] ?? "", alias, ":");
  for (const match of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']([^"']+)["']/g))
    destructure(match[1] ?? "", match[2] ?? "", alias, " as ");
  for (const match of code.matchAll(/import\s+(?:\*\s+as\s+)?(\w+)\s+from\s+["']([^"']+)["']/g))
    alias(match[1] ?? "", match[2] ?? "");
  for (const match of code.matchAll(/import\(\s*["']([^"']+)["']\s*\)\.then\(\s*\(?\s*(\w+)/g))
    alias(match[2] ?? "", match[1] ?? "");
  // Assignments: `x = …`, `my $x = …`, `const x = …`, `local x = …`, in order, so later ones see earlier ones.
  for (let index = 1; index < tokens.length; index++) {
    const token = tokens[index];
    const target = tokens[index - 1];
    if (token?.text !== "=" || token.kind !== "punct") continue;
    if (target?.kind === "punct" && /^[-+.*/|&]$/.test(target.text) && tokens[index - 2]?.kind === "name") {
      // `d += chunk`: built up at run time.
      scope.variables.set((tokens[index - 2]?.text ?? "").replace(/^[$@%]/, ""), unknown());
      continue;
    }
    if (target?.kind !== "name") continue;
    if (tokens[index - 2]?.text === "." || tokens[index - 2]?.text === "->") continue;
    let end = index + 1;
    let level = 0;
    for (; end < tokens.length; end++) {
      const text = tokens[end]?.kind === "punct" ? tokens[end]?.text : undefined;
      if (text === undefined) continue;
      if ("([{".includes(text)) level++;
      else if (")]}".includes(text)) {
        if (--level < 0) break;
      } else if (level === 0 && (text === ";" || (text === "," && language !== "python"))) break;
    }
    const value = evaluate(tokens, index + 1, end, scope);
    if (!IMPORTERS.test(tokens[index + 1]?.text ?? ""))
      scope.variables.set(target.text.replace(/^[$@%]/, ""), value);
  }
  // Loop variables: `for f in glob.glob("/etc/*")`, `for (const d of list)`, `….each { |d|`, `foreach my $f (…)`.
  const loops = [
    /\bfor\s+(\w+)\s+in\s+([^:\]]+?)(?:\]|:|\bif\b|$)/g,
    /\bfor\s*\(\s*(?:const|let|var)?\s*(\w+)\s+of\s+([^)]+(?:\)[^)]*)*?)\)\s/g,
    /([\w.]+\([^)]*\)|\w+)\.each\s*(?:\{|do)\s*\|(\w+)\|/g,
    /\bforeach\s+(?:my\s+)?\$(\w+)\s*\(([^)]*(?:\([^)]*\))?[^)]*)\)/g,
  ];
  loops.forEach((pattern, which) => {
    for (const match of code.matchAll(pattern)) {
      const [variable, source] = which === 2 ? [match[2], match[1]] : [match[1], match[2]];
      if (variable === undefined || source === undefined) continue;
      const sourceTokens = tokenise(source, language);
      const value = evaluate(sourceTokens, 0, sourceTokens.length, scope);
      scope.variables.set(variable, value.items?.[0] ?? value);
    }
  });
  return scope;
}

function destructure(
  list: string,
  module: string,
  alias: (name: string, target: string) => void,
  separator: string,
): void {
  for (const item of list.split(",")) {
    const [name = "", as] = item.trim().split(separator);
    if (name.trim() !== "") alias((as ?? name).trim(), `${module}.${name.trim()}`);
  }
}

function normaliseModule(name: string): string {
  return name
    .replace(/^node:/, "")
    .replace(/^fs\/promises(?=$|\.)/, "fs")
    .replace(/^fs\.promises(?=$|\.)/, "fs");
}

/** Every call in the program, with its qualified name (aliases and importers resolved). */
export function callSites(tokens: readonly Token[], scope: Scope): CallSite[] {
  const sites: CallSite[] = [];
  const bare = BARE_CALLS[scope.language];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token?.kind !== "name") continue;
    const previous = tokens[index - 1]?.text;
    if (previous === "." || previous === "::" || previous === "->" || previous === "?.") continue;
    let qualified = "";
    let dynamic = false;
    let receiver: [number, number][] | undefined;
    let position = index;
    while (position < tokens.length) {
      const part = tokens[position];
      if (part?.kind !== "name") break;
      const name =
        qualified === "" ? (scope.aliases.get(part.text) ?? resolvedVariable(part.text, scope)) : part.text;
      qualified = qualified === "" ? name : `${qualified}.${name}`;
      position++;
      while (
        tokens[position]?.kind === "punct" &&
        (tokens[position]?.text === "(" || tokens[position]?.text === "[")
      ) {
        const open = position;
        const close = matchingClose(tokens, open);
        const args = splitTop(tokens, open + 1, close, [","]);
        if (tokens[open]?.text === "[") {
          const key = evaluate(tokens, open + 1, close, scope);
          if (key.text.includes(UNKNOWN) && tokens[close + 1]?.text === "(") dynamic = true;
          else if (!/^-?\d+$/.test(key.text)) qualified = `${qualified}.${key.text}`;
          position = close + 1;
          continue;
        }
        const values = argumentsOf(tokens, open, close, scope);
        const base = qualified.replace(/^.*\.(?=(?:require|import)$)/, "");
        if (IMPORTERS.test(qualified) || IMPORTERS.test(base)) {
          const module = values[0]?.text ?? UNKNOWN;
          if (module.includes(UNKNOWN)) dynamic = true;
          qualified = normaliseModule(module);
        } else if (qualified === "getattr" || qualified.endsWith(".getattr")) {
          const attribute = values[1]?.text ?? UNKNOWN;
          const objectTokens = args[0];
          const object = objectTokens ? sourceOf(tokens, objectTokens[0], objectTokens[1]) : "";
          if (attribute.includes(UNKNOWN)) dynamic = tokens[close + 1]?.text === "(";
          qualified = `${scope.aliases.get(object) ?? object}.${attribute}`;
        } else if (INDIRECT.test(qualified) || INDIRECT.test(qualified.replace(/^.*\./, ""))) {
          const target = values[0]?.text ?? UNKNOWN;
          if (target.includes(UNKNOWN)) dynamic = true;
          sites.push({ name: target, dynamic, open, close, args: args.slice(1), receiver });
          qualified = `${target}()`;
        } else {
          sites.push({
            name: qualified,
            dynamic,
            open,
            close,
            args: listOperands(tokens, args, scope),
            receiver,
          });
          // `map(os.system, ["rm -rf ~"])`: a function applied to each item of a list.
          const applied = args[0];
          if (
            /^(?:map|list\.map|starmap)$/.test(qualified) &&
            applied !== undefined &&
            args[1] !== undefined
          ) {
            const callee = sourceOf(tokens, applied[0], applied[1]);
            const list = args[1];
            const items =
              tokens[list[0]]?.text === "[" ? splitTop(tokens, list[0] + 1, list[1] - 1, [","]) : [list];
            for (const item of items)
              sites.push({
                name: scope.aliases.get(callee) ?? callee,
                dynamic,
                open,
                close,
                args: [item],
                receiver,
              });
          }
          receiver = args;
          qualified = `${qualified}()`;
        }
        position = close + 1;
      }
      const separator = tokens[position]?.text;
      if (
        (separator === "." || separator === "::" || separator === "->" || separator === "?.") &&
        tokens[position + 1]?.kind === "name"
      ) {
        position++;
        continue;
      }
      break;
    }
    // `system "rm", "-rf", "/"`, `unlink glob "/etc/*"`: perl and ruby calls without parentheses.
    const next = tokens[position];
    if (
      bare?.test(qualified) === true &&
      position === index + 1 &&
      next !== undefined &&
      startsArgument(next)
    ) {
      const end = statementEnd(tokens, position);
      sites.push({
        name: qualified,
        dynamic: false,
        open: position - 1,
        close: end - 1,
        args: listOperands(tokens, splitTop(tokens, position, end, [","]), scope),
        receiver: undefined,
      });
    }
    // `.then(eval)`, `r.on("end", eval)`: a code runner handed over as a callback runs what it is given.
    const after = tokens[position]?.text;
    if (
      position === index + 1 &&
      (previous === "(" || previous === ",") &&
      (after === ")" || after === ",") &&
      /^(?:eval|exec|Function|os\.system|system)$/.test(qualified)
    )
      sites.push({
        name: qualified,
        dynamic: false,
        open: index,
        close: index,
        args: [],
        receiver: undefined,
      });
  }
  return sites;
}

/** Perl's list operators (`system join " ", "rm", "-rf", "/"`) take every argument after them. */
function listOperands(tokens: readonly Token[], args: [number, number][], scope: Scope): [number, number][] {
  const first = args[0];
  const last = args[args.length - 1];
  if (scope.language !== "perl" || first === undefined || last === undefined) return args;
  const head = tokens[first[0]];
  if (head?.kind !== "name" || !PERL_LIST_OPERATORS.test(head.text) || tokens[first[0] + 1]?.text === "(")
    return args;
  return [[first[0], last[1]]];
}

function resolvedVariable(name: string, scope: Scope): string {
  // PHP `$f = "sys" . "tem"; $f(…)`: a variable holding a function name.
  if (!/^\$/.test(name) && scope.language !== "javascript" && scope.language !== "python") return name;
  const value = scope.variables.get(name.replace(/^\$/, ""));
  if (value === undefined || !/^[A-Za-z_][\w.:]*$/.test(value.text)) return name;
  return value.text;
}

function startsArgument(token: Token): boolean {
  if (
    token.kind === "string" ||
    token.kind === "words" ||
    token.kind === "number" ||
    token.kind === "command"
  )
    return true;
  if (token.kind === "name")
    return !/^(?:if|unless|and|or|for|while|until|do|then|x|eq|ne|lt|gt)$/.test(token.text);
  return token.text === "<" || token.text === "@" || token.text === "$" || token.text === "-";
}

function statementEnd(tokens: readonly Token[], start: number): number {
  let level = 0;
  for (let index = start; index < tokens.length; index++) {
    const token = tokens[index];
    if (
      token?.kind === "name" &&
      level === 0 &&
      /^(?:if|unless|or|and|for|foreach|while|until)$/.test(token.text)
    )
      return index;
    if (token?.kind !== "punct") continue;
    if ("([{".includes(token.text)) level++;
    else if (")]}".includes(token.text)) {
      if (--level < 0) return index;
    } else if (level === 0 && (token.text === ";" || token.text === "||" || token.text === "&&"))
      return index;
  }
  return tokens.length;
}
