/**
 * The library calls of each scripting language that act on the system, as data: which run a shell command or a
 * program, which run more code of the language, which delete, write, read, move, copy or re-permission files, which
 * signal processes, which reach the network. Keyed on the call's qualified name after import aliases are resolved
 * (`import subprocess as s; s.call` is `subprocess.call`, `require("fs").rmSync` is `fs.rmSync`).
 */
import type { CodeLanguage } from "./code-lexer.js";

export type Effect =
  /** The first argument is a shell command (a string) or a program with its arguments (a list, or several strings). */
  | { kind: "shell" }
  /** A program at argument `program`, its arguments in the list at `list` or the rest (after argv[0] when `skipZero`). */
  | { kind: "program"; program: number; list?: number; skipZero?: boolean; listKey?: string }
  /** Runs its argument as code of the same language. */
  | { kind: "code" }
  | { kind: "delete"; recursive: boolean | "option"; receiver?: boolean }
  /** Opens or writes a file: `mode` is the argument holding the open mode; `content` the text written. */
  | { kind: "write"; append?: boolean; receiver?: boolean; content?: number; mode?: number }
  | { kind: "read"; receiver?: boolean }
  | { kind: "move" }
  | { kind: "copy" }
  | { kind: "chmod"; path: number; mode: number; receiver?: boolean }
  | { kind: "chown" }
  | { kind: "kill"; pid: number }
  | { kind: "mkdir" }
  | { kind: "network" }
  /** Takes root rights when its argument is 0. */
  | { kind: "root" }
  /** An ordinary change the rules have no shell equivalent for. */
  | { kind: "change"; what: string };

export type ApiTable = readonly (readonly [RegExp, Effect])[];

const SHELL: Effect = { kind: "shell" };
const CODE: Effect = { kind: "code" };
const NETWORK: Effect = { kind: "network" };
const MOVE: Effect = { kind: "move" };
const COPY: Effect = { kind: "copy" };
const CHOWN: Effect = { kind: "chown" };
const MKDIR: Effect = { kind: "mkdir" };
const ROOT: Effect = { kind: "root" };
const RM_RF: Effect = { kind: "delete", recursive: true };
const RM: Effect = { kind: "delete", recursive: false };

const PYTHON: ApiTable = [
  [
    /^(?:os\.system|os\.popen\d?|subprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)|commands\.get(?:status)?output|pty\.spawn|ctypes\..*\.system|\w*libc\w*\.system|platform\.popen|asyncio\.create_subprocess_(?:shell|exec))$/,
    SHELL,
  ],
  [/^os\.exec(?:l|lp|le|lpe)$/, { kind: "program", program: 0, skipZero: true }],
  [/^os\.exec(?:v|vp|ve|vpe)$|^os\.posix_spawnp?$/, { kind: "program", program: 0, list: 1 }],
  [/^os\.spawn(?:l|lp|le|lpe)$/, { kind: "program", program: 1, skipZero: true }],
  [/^os\.spawn(?:v|vp|ve|vpe)$/, { kind: "program", program: 1, list: 2 }],
  [
    /^(?:exec|eval|execfile|builtins\.exec|builtins\.eval|pickle\.loads|marshal\.loads|runpy\.run_\w+)$/,
    CODE,
  ],
  [/^shutil\.rmtree$/, RM_RF],
  [/^os\.(?:remove|unlink|rmdir|removedirs)$/, RM],
  [/(?:^|\.)Path\(\)\.(?:unlink|rmdir)$/, { kind: "delete", recursive: false, receiver: true }],
  [/^(?:open|io\.open|codecs\.open|os\.open|os\.fdopen)$/, { kind: "write", mode: 1 }],
  [/(?:^|\.)Path\(\)\.(?:write_text|write_bytes|touch)$/, { kind: "write", receiver: true, content: 0 }],
  [/(?:^|\.)Path\(\)\.(?:read_text|read_bytes)$/, { kind: "read", receiver: true }],
  [/(?:^|\.)Path\(\)\.open$/, { kind: "write", receiver: true, mode: 0 }],
  [/^(?:shutil\.move|os\.rename|os\.replace|os\.renames)$|(?:^|\.)Path\(\)\.(?:rename|replace)$/, MOVE],
  [/^shutil\.(?:copy|copy2|copyfile|copytree)$/, COPY],
  [/^os\.l?chmod$/, { kind: "chmod", path: 0, mode: 1 }],
  [/(?:^|\.)Path\(\)\.chmod$/, { kind: "chmod", path: 0, mode: 0, receiver: true }],
  [/^(?:os\.l?chown|shutil\.chown)$/, CHOWN],
  [/^os\.kill(?:pg)?$/, { kind: "kill", pid: 0 }],
  [/^os\.(?:makedirs|mkdir)$|(?:^|\.)Path\(\)\.mkdir$/, MKDIR],
  [/^os\.set(?:e|re|res)?[ug]id$/, ROOT],
  [
    /^(?:urllib\.request\.urlopen|urlopen|urllib\.request\.Request|requests\.\w+|httpx\.\w+|http\.client\.\w+|socket\.\w+\(\)\.(?:connect|send|sendall|sendto)|socket\.create_connection|smtplib\.\w+|ftplib\.\w+|urllib3\.\w+)$/,
    NETWORK,
  ],
  [/^(?:urllib\.request\.urlretrieve|urlretrieve)$/, { kind: "write", content: 99 }],
  [
    /(?:\.extractall|\.extract|shutil\.unpack_archive|shutil\.make_archive|os\.symlink|os\.link|os\.truncate|os\.utime|\.executescript|sqlite3\.connect\(\)\.execute|\.commit)$/,
    { kind: "change", what: "changes files or data" },
  ],
];

const PERL: ApiTable = [
  [/^(?:system|exec|readpipe|CORE\.system|CORE\.exec|IPC\.Open\d\.open\d|open\d)$/, SHELL],
  [/^eval$/, CODE],
  [/^(?:rmtree|remove_tree|File\.Path\.rmtree|File\.Path\.remove_tree)$/, RM_RF],
  [/^(?:unlink|rmdir|File\.Path\.unlink)$/, RM],
  [/^open$/, { kind: "write", mode: 1 }],
  [/^(?:rename|move|mv|File\.Copy\.move)$/, MOVE],
  [/^(?:copy|cp|File\.Copy\.copy)$/, COPY],
  [/^chmod$/, { kind: "chmod", path: 1, mode: 0 }],
  [/^chown$/, CHOWN],
  [/^kill$/, { kind: "kill", pid: 1 }],
  [/^(?:mkdir|make_path|mkpath)$/, MKDIR],
  [/^(?:POSIX\.)?set[ug]id$/, ROOT],
  [
    /^(?:IO\.Socket\.\w+\.new|LWP\.\w+|HTTP\.Tiny\.\w+|get|getstore|mirror|Net\.\w+|socket|connect)$/,
    NETWORK,
  ],
];

const RUBY: ApiTable = [
  [
    /^(?:Kernel\.)?(?:system|exec|spawn|`)$|^(?:IO\.popen|Process\.spawn|Process\.exec|Open3\.\w+|PTY\.spawn|Kernel\.open)$/,
    SHELL,
  ],
  [/^(?:Kernel\.)?(?:eval|instance_eval|class_eval|module_eval)$|^binding\.eval$|^RubyVM\.\w+$/, CODE],
  [/^FileUtils\.(?:rm_rf|rm_r|remove_dir|remove_entry|remove_entry_secure|rmtree)$/, RM_RF],
  [
    /^(?:File\.(?:delete|unlink)|FileUtils\.(?:rm|rm_f|remove|remove_file|rmdir)|Dir\.(?:delete|rmdir|unlink))$/,
    RM,
  ],
  [/^(?:File\.write|IO\.write|File\.binwrite)$/, { kind: "write", content: 1 }],
  [/^(?:File\.open|File\.new|IO\.open|open)$/, { kind: "write", mode: 1 }],
  [/^(?:File\.(?:read|readlines|binread|foreach)|IO\.(?:read|readlines))$/, { kind: "read" }],
  [/^(?:File\.rename|FileUtils\.(?:mv|move))$/, MOVE],
  [/^FileUtils\.(?:cp|cp_r|copy|install)$/, COPY],
  [/^(?:File\.chmod|FileUtils\.chmod(?:_R)?)$/, { kind: "chmod", path: 1, mode: 0 }],
  [/^(?:File\.chown|FileUtils\.chown(?:_R)?)$/, CHOWN],
  [/^Process\.kill$/, { kind: "kill", pid: 1 }],
  [/^(?:Dir\.mkdir|FileUtils\.mkdir(?:_p)?)$/, MKDIR],
  [/^Process\.(?:uid=|euid=|Sys\.setuid)$/, ROOT],
  [/^(?:TCPSocket\.new|TCPSocket\.open|Socket\.\w+|Net\.HTTP\.\w+|URI\.open|HTTParty\.\w+)$/, NETWORK],
];

const JAVASCRIPT: ApiTable = [
  [/^(?:child_process\.(?:exec|execSync)|Bun\.\$|shelljs\.exec|exec)$/, SHELL],
  [/^child_process\.(?:spawn|spawnSync|execFile|execFileSync)$/, { kind: "program", program: 0, list: 1 }],
  [/^Deno\.Command$/, { kind: "program", program: 0, list: 1, listKey: "args" }],
  [/^(?:Deno\.run|Bun\.spawn|Bun\.spawnSync)$/, { kind: "program", program: 0, list: 0, listKey: "cmd" }],
  [
    /^(?:eval|Function|vm\.runIn\w+|vm\.Script|vm\.compileFunction|setTimeout|setInterval|globalThis\.eval)$/,
    CODE,
  ],
  [
    /^(?:fs\.(?:rmSync|rm|rmdirSync|rmdir)|Deno\.(?:removeSync|remove))$/,
    { kind: "delete", recursive: "option" },
  ],
  [/^(?:fs\.(?:unlinkSync|unlink)|Deno\.unlinkSync)$/, RM],
  [
    /^(?:fs\.(?:writeFileSync|writeFile|createWriteStream)|Deno\.write\w*|Bun\.write)$/,
    { kind: "write", content: 1 },
  ],
  [/^fs\.(?:appendFileSync|appendFile)$/, { kind: "write", content: 1, append: true }],
  [/^fs\.(?:openSync|open)$/, { kind: "write", mode: 1 }],
  [
    /^(?:fs\.(?:readFileSync|readFile|createReadStream)|Deno\.readTextFileSync|Deno\.readFile\w*|Bun\.file)$/,
    { kind: "read" },
  ],
  [/^fs\.(?:renameSync|rename)$|^Deno\.rename\w*$/, MOVE],
  [/^fs\.(?:copyFileSync|copyFile|cpSync|cp)$|^Deno\.copyFile\w*$/, COPY],
  [/^fs\.(?:chmodSync|chmod|lchmodSync)$|^Deno\.chmod\w*$/, { kind: "chmod", path: 0, mode: 1 }],
  [/^fs\.(?:chownSync|chown|lchownSync)$|^Deno\.chown\w*$/, CHOWN],
  [/^(?:process\.kill|Deno\.kill)$/, { kind: "kill", pid: 0 }],
  [/^fs\.(?:mkdirSync|mkdir)$|^Deno\.mkdir\w*$/, MKDIR],
  [/^process\.set(?:e)?[ug]id$/, ROOT],
  [
    /^(?:fetch|https?\.(?:request|get)|net\.(?:Socket|connect|createConnection)|axios\.\w+|XMLHttpRequest|WebSocket|tls\.connect|dgram\.\w+)$/,
    NETWORK,
  ],
];

const PHP: ApiTable = [
  [/^(?:system|exec|shell_exec|passthru|popen|proc_open)$/, SHELL],
  [/^pcntl_exec$/, { kind: "program", program: 0, list: 1 }],
  [/^(?:eval|assert|create_function)$/, CODE],
  [/^(?:unlink|rmdir)$/, RM],
  [/^file_put_contents$/, { kind: "write", content: 1 }],
  [/^fopen$/, { kind: "write", mode: 1 }],
  [/^(?:file_get_contents|readfile|file|fread)$/, { kind: "read" }],
  [/^rename$/, MOVE],
  [/^copy$/, COPY],
  [/^chmod$/, { kind: "chmod", path: 0, mode: 1 }],
  [/^(?:chown|chgrp)$/, CHOWN],
  [/^posix_kill$/, { kind: "kill", pid: 0 }],
  [/^mkdir$/, MKDIR],
  [/^posix_set(?:e)?[ug]id$/, ROOT],
  [/^(?:fsockopen|pfsockopen|stream_socket_client|curl_exec|socket_connect|mail)$/, NETWORK],
];

const LUA: ApiTable = [
  [/^(?:os\.execute|io\.popen)$/, SHELL],
  [/^(?:load|loadstring|dofile|loadfile)$/, CODE],
  [/^os\.remove$/, RM],
  [/^io\.open$/, { kind: "write", mode: 1 }],
  [/^(?:io\.lines|io\.input)$/, { kind: "read" }],
  [/^os\.rename$/, MOVE],
  [/^(?:socket\.\w+|require\(\)\.connect)$/, NETWORK],
];

const R: ApiTable = [
  [/^(?:system|shell)$/, SHELL],
  [/^system2$/, { kind: "program", program: 0, list: 1 }],
  [/^(?:eval|source)$/, CODE],
  [/^unlink$/, { kind: "delete", recursive: "option" }],
  [/^file\.remove$/, RM],
  [/^file\.rename$/, MOVE],
  [/^file\.copy$/, COPY],
  [/^(?:writeLines|write|file\.create|saveRDS|write\.csv)$/, { kind: "change", what: "writes files" }],
  [/^(?:readLines|readRDS|read\.csv|file)$/, { kind: "read" }],
];

const JULIA: ApiTable = [
  [/^(?:run|read|success|pipeline)$/, SHELL],
  [/^(?:eval|include_string|Meta\.parse)$/, CODE],
  [/^rm$/, { kind: "delete", recursive: "option" }],
  [/^(?:mv)$/, MOVE],
  [/^(?:cp)$/, COPY],
  [/^(?:write|open|touch)$/, { kind: "write", mode: 1 }],
  [/^chmod$/, { kind: "chmod", path: 0, mode: 1 }],
  [/^mkpath|mkdir$/, MKDIR],
];

const ELIXIR: ApiTable = [
  [/^(?:System\.shell|:os\.cmd)$/, SHELL],
  [/^System\.cmd$/, { kind: "program", program: 0, list: 1 }],
  [/^Code\.eval_\w+$/, CODE],
  [/^File\.rm_rf!?$/, RM_RF],
  [/^File\.(?:rm|rmdir)!?$/, RM],
  [/^File\.write!?$/, { kind: "write", content: 1 }],
  [/^File\.read!?$/, { kind: "read" }],
];

const GROOVY: ApiTable = [
  [/^(?:exec|Runtime\.getRuntime\(\)\.exec|ProcessBuilder)$/, SHELL],
  [/^(?:evaluate|Eval\.me)$/, CODE],
];

export const LANGUAGE_APIS: Partial<Record<CodeLanguage, ApiTable>> = {
  python: PYTHON,
  perl: PERL,
  ruby: RUBY,
  javascript: JAVASCRIPT,
  php: PHP,
  lua: LUA,
  r: R,
  julia: JULIA,
  elixir: ELIXIR,
  groovy: GROOVY,
};

/** Perl and Ruby builtins that are often called without parentheses (`system "rm", "-rf", "/"`). */
export const BARE_CALLS: Partial<Record<CodeLanguage, RegExp>> = {
  perl: /^(?:system|exec|eval|unlink|rmtree|remove_tree|rmdir|open|rename|chmod|chown|kill|mkdir|print|say|move|copy)$/,
  ruby: /^(?:system|exec|spawn|eval|puts|print|p|require|open)$/,
  lua: /^(?:print)$/,
};

/** Names that make a program able to change things even when no modelled call was recognised. */
export const EFFECTFUL_NAMES =
  /\b(?:system|exec|execute|popen|spawn|fork|subprocess|child_process|unlink|remove|rmtree|rm_rf|rmSync|rmdir|writeFile|write_text|write|open|rename|chmod|chown|kill|socket|Socket|connect|delete|truncate|setuid|ctypes|ffi|dlopen|eval|load|require_relative|import_module|__import__|getattr|send|call_user_func|Function|vm|Deno|Bun|process\.binding|shell|pty|os\.\w+|shutil|FileUtils|File\.\w+|fs\.\w+)\b/;

/** Calls that only print or compute: their presence never makes code state-changing. */
export const READ_ONLY_CALLS =
  /^(?:print|println|puts|p|pp|say|printf|echo|print_r|var_dump|console\.\w+|process\.stdout\.write|sys\.stdout\.write|json\.\w+|JSON\.\w+|len|str|int|float|sorted|list|dict|set|range|sum|max|min|abs|repr|format|hex|oct|ord|chr|type|isinstance|round|enumerate|zip|map|filter|any|all|hash|id|vars|dir|help|iter|next|open|os\.path\.\w+|os\.getcwd|os\.listdir|os\.stat|os\.cpu_count|os\.getpid|os\.uname|os\.environ\.get|os\.getenv|os\.walk|os\.scandir|shutil\.disk_usage|shutil\.which|glob\.glob|platform\.\w+|sys\.\w+|socket\.gethostname|socket\.gethostbyname|time\.\w+|datetime\.\w+(?:\.\w+)*(?:\(\)\.\w+)*|math\.\w+|random\.\w+|uuid\.\w+|secrets\.\w+|base64\.\w+|hashlib\.\w+(?:\(\)\.\w+)*|importlib\.metadata\.\w+|yaml\.safe_load|tomllib\.load|site\.\w+|ssl\.\w+|urllib\.parse\.\w+|re\.\w+|string\.\w+|os\.path\.exists|fs\.readdirSync|fs\.existsSync|fs\.statSync|fs\.readFileSync|os\.homedir|os\.\w+|require|Date|Math\.\w+|Object\.\w+|crypto\.\w+|File\.read|File\.exist\?|File\.exists\?|Dir\.glob|Dir\.pwd|YAML\.\w+|Time\.\w+|strftime|localtime|scalar|length|sum|join|sprintf|printf|date|json_encode|json_decode|phpversion|get_loaded_extensions|extension_loaded|os\.time|os\.date|os\.clock|io\.write|sessionInfo|Sys\.time|VERSION)$/;
