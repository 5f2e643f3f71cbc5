/**
 * PowerShell parameters as PowerShell binds them: any unambiguous prefix (`-Rec`, `-r`, `-Fo`), `-Name:value`,
 * positional words; and the aliases PowerShell defines for the cmdlets cmdai judges.
 */

/** Parameters of the cmdlets below that take a value (so the word after them is not a path). */
const VALUE_PARAMETERS = [
  "path",
  "literalpath",
  "pspath",
  "filter",
  "include",
  "exclude",
  "destination",
  "name",
  "value",
  "id",
  "filepath",
  "argumentlist",
  "verb",
  "outfile",
  "uri",
  "method",
  "body",
  "infile",
  "itemtype",
  "type",
  "propertytype",
  "startuptype",
  "scope",
  "executionpolicy",
  "computername",
  "credential",
  "encoding",
  "logname",
  "workingdirectory",
  "windowstyle",
  "newname",
  "source",
  "group",
  "member",
  "password",
  "taskname",
  "action",
  "trigger",
  "binarypathname",
  "displayname",
  "exclusionpath",
  "exclusionprocess",
  "exclusionextension",
  "inputobject",
  "processname",
  "driveletter",
  "number",
  "filesystem",
  "scriptblock",
  "username",
  "useragent",
  "headers",
  "contenttype",
  "profile",
  "enabled",
  "erroraction",
  "ea",
  "warningaction",
  "wa",
  "informationaction",
  "errorvariable",
  "ev",
  "outvariable",
  "ov",
  "warningvariable",
  "pipelinevariable",
  "pv",
  "outbuffer",
  "depth",
];

/** The cmdlet parameter that `word` abbreviates (`-Rec` → recurse), or undefined for a value or a path. */
export function parameterName(word: string): string | undefined {
  const match = /^-([A-Za-z]+)(:.*)?$/.exec(word);
  return match ? (match[1] ?? "").toLowerCase() : undefined;
}

/** Whether a switch like `-Recurse` is given, by any prefix of at least `minimum` letters (`-Recurse:$false` is not). */
export function hasSwitch(args: readonly string[], full: string, minimum = 1): boolean {
  return args.some((word) => {
    const name = parameterName(word);
    return (
      name !== undefined &&
      name.length >= minimum &&
      full.startsWith(name) &&
      !/:\s*\$?(false|0)$/i.test(word)
    );
  });
}

/** The value of a named parameter (`-Path x`, `-Path:x`), by any prefix of at least `minimum` letters. */
export function parameterValue(args: readonly string[], full: string, minimum = 2): string | undefined {
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    const name = parameterName(word);
    if (name === undefined || name.length < minimum || !full.startsWith(name)) continue;
    const colon = word.indexOf(":");
    return colon === -1 ? args[index + 1] : word.slice(colon + 1);
  }
  return undefined;
}

/** The words that are neither parameters nor their values. */
export function positionals(args: readonly string[]): string[] {
  const result: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    const name = parameterName(word);
    if (name === undefined) {
      if (word !== "") result.push(word);
      continue;
    }
    if (!word.includes(":") && VALUE_PARAMETERS.some((full) => full.startsWith(name) && name.length >= 2))
      index++;
  }
  return result;
}

/** Aliases PowerShell defines for the cmdlets (Windows PowerShell 5.1 and 7). */
export const POWERSHELL_ALIASES: Record<string, string> = {
  rm: "remove-item",
  del: "remove-item",
  erase: "remove-item",
  rd: "remove-item",
  rmdir: "remove-item",
  ri: "remove-item",
  clc: "clear-content",
  cli: "clear-item",
  mv: "move-item",
  move: "move-item",
  mi: "move-item",
  ren: "rename-item",
  rni: "rename-item",
  cp: "copy-item",
  copy: "copy-item",
  cpi: "copy-item",
  ac: "add-content",
  ni: "new-item",
  md: "new-item",
  mkdir: "new-item",
  tee: "tee-object",
  sp: "set-itemproperty",
  rp: "remove-itemproperty",
  gc: "get-content",
  cat: "get-content",
  type: "get-content",
  sls: "select-string",
  gi: "get-item",
  saps: "start-process",
  start: "start-process",
  kill: "stop-process",
  spps: "stop-process",
  spsv: "stop-service",
  iwr: "invoke-webrequest",
  curl: "invoke-webrequest",
  wget: "invoke-webrequest",
  irm: "invoke-restmethod",
  icm: "invoke-command",
  iex: "invoke-expression",
  sal: "set-alias",
  nal: "new-alias",
  sv: "set-variable",
  set: "set-variable",
  clhy: "clear-history",
  iwmi: "invoke-wmimethod",
  "%": "foreach-object",
  foreach: "foreach-object",
  "?": "where-object",
  where: "where-object",
};
