/**
 * The command-line program: argv → options → the right command. Every command returns an exit code; errors
 * are typed and rendered here (text on stderr, or the JSON/YAML error object on stdout), never thrown past.
 */
import { Command, CommanderError, Option } from "commander";
import { BACKEND_NAMES, OUTPUT_FORMATS } from "../config/choices.js";
import { ExitCode, UsageError } from "../errors.js";
import { SAFETY_MODES } from "../safety/types.js";
import { SHELL_NAMES } from "../shells.js";
import { CHECK_OPTIONS, commanderFlags } from "./check-options.js";
import { joinCommandWords, quoteOrDashDashHint } from "./command-words.js";
import type { CliIo } from "./io.js";
import { outputFormatOf } from "./output-format.js";
import { runWithOutputFormat } from "./structured-output.js";
import { reportError, requestedOutputFormat } from "./report-error.js";
import type { RequestCommandOptions } from "./run-request.js";

export { reportError, requestedOutputFormat };

const EXIT_CODE_HELP = `
Exit codes:
  0    success (or, when cmdai ran the command, that command's exit code)
  1    internal error
  2    usage or configuration error
  3    blocked: the command never runs (critical, or blocked by the safety mode)
  4    confirmation needed but not given (declined, cancelled, or no terminal to ask)
  5    backend or model unavailable
  6    cmdai eval: no sandbox (bubblewrap with user namespaces, Linux only)
  130  interrupted (Ctrl-C)

Examples:
  cmdai "find all PDFs over 10MB changed this week"
  cmdai --shell fish --explain "show the ten largest files here"
  cmdai --output json --dry-run "count lines in all TypeScript files"
  echo "list listening ports" | cmdai -o json
  cmdai check 'rm -rf ~/'`;

const GUARD_ACTIONS = [
  "install <claude-code|gemini-cli>   add cmdai's check to the agent's pre-tool hook",
  "uninstall <claude-code|gemini-cli> remove it",
  "status                             which agents are guarded",
];
const MODELS_ACTIONS = [
  "list            the catalog and the models in the cache",
  "pull <ref>      download a model (a local .gguf is imported)",
  "import <file>   copy a .gguf you have into the cache [--as <id>] [--link] [--force]",
  "rm <ref>        delete a cached model",
  "verify [<ref>]  check cached files against their checksums",
  "path <ref>      where a model's file is (or will be) kept",
];
const SERVER_ACTIONS = ["status  is the warm model server running?", "stop    stop it"];

/** A subcommand's action, or a usage error listing the actions when none was given. */
function actionOf(subcommand: string, action: string | undefined, actions: readonly string[]): string {
  if (action !== undefined) return action;
  throw new UsageError(`cmdai ${subcommand} needs an action.`, {
    hint: `One of:\n${actions.map((line) => `    cmdai ${subcommand} ${line}`).join("\n")}`,
  });
}

function rootOutput(program: Command): { rootOutput: string | undefined } {
  return { rootOutput: program.opts<RequestCommandOptions>().output };
}

/** A subcommand's options, with `-c`/`--verbose` given before the subcommand filled in. */
function withRootOptions<T extends { config?: string }>(
  program: Command,
  options: T,
): T & { verbose?: boolean } {
  const root = program.opts<RequestCommandOptions>();
  return {
    ...options,
    ...(options.config === undefined && root.config !== undefined ? { config: root.config } : {}),
    ...(root.verbose === true ? { verbose: true } : {}),
  };
}

/**
 * `check`'s words → one command: a single argument as it is, several only after `--` (joined like `sudo`
 * joins its command); several without `--` are a usage error, since the shell split what the user meant.
 */
function checkCommandOf(words: readonly string[], argv: readonly string[]): string | undefined {
  if (words.length <= 1) return words[0];
  if (!argv.slice(argv.indexOf("check") + 1).includes("--")) {
    throw new UsageError(`cmdai check takes one command, but got ${words.length} words.`, {
      hint: quoteOrDashDashHint("cmdai check", words),
    });
  }
  return joinCommandWords(words);
}

/** A hint for an unknown option that is most likely part of the user's command or request. */
function unknownOptionHint(argv: readonly string[], subcommands: readonly string[]): string {
  const first = argv.findIndex((argument) => !argument.startsWith("-"));
  const name = first === -1 ? undefined : argv[first];
  if (name === "check") return quoteOrDashDashHint("cmdai check", argv.slice(first + 1));
  if (name !== undefined && !subcommands.includes(name))
    return quoteOrDashDashHint("cmdai", argv.slice(first));
  return "Run `cmdai --help` for usage.";
}

function buildProgram(
  io: CliIo,
  run: (action: () => Promise<number>) => Promise<void>,
  argv: readonly string[],
): Command {
  const program = new Command("cmdai")
    .description(
      "Turn a request in plain language into a command for your shell, rate how dangerous it is, and run it only with your consent.",
    )
    .argument(
      "[request...]",
      "what you want to do, in plain language (read from stdin when absent and stdin is not a terminal)",
    )
    .addOption(
      new Option("-s, --shell <shell>", `target shell: ${SHELL_NAMES.join("|")} (default: detected)`),
    )
    .addOption(
      new Option("-b, --backend <backend>", `${BACKEND_NAMES.join("|")} (default: config, else embedded)`),
    )
    .addOption(
      new Option(
        "-m, --model <model>",
        "catalog id | hf:owner/repo/file.gguf | path.gguf | server model name",
      ),
    )
    .addOption(new Option("--safety <mode>", `${SAFETY_MODES.join("|")} (default: moderate)`))
    .addOption(new Option("-o, --output <format>", `${OUTPUT_FORMATS.join("|")} (default: plain)`))
    .option(
      "-x, --execute",
      "run without the menu: at once when safe, else after asking (exit 4 without a terminal)",
    )
    .option("-y, --yes", "answer yes to confirmations (never overrides a block)")
    .option("--dry-run", "never execute")
    .option("--explain", "include an explanation")
    .option("--timeout <seconds>", "seconds to wait for the backend's answer (default: 60)")
    .option("--offline", "never use the network (like HF_HUB_OFFLINE=1)")
    .option("-c, --config <file>", "config file (default: $XDG_CONFIG_HOME/cmdai/config.toml)")
    .option("-v, --verbose", "backend, model and timings on stderr; stack traces for internal errors")
    .option("-V, --version", "print the version (with --verbose: library and llama.cpp versions too)")
    .addHelpText("after", EXIT_CODE_HELP)
    .showSuggestionAfterError(true)
    .enablePositionalOptions()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {
        // Errors are rendered by reportError, in the requested output format.
      },
    })
    .exitOverride()
    .action((requestParts: string[], options: RequestCommandOptions) =>
      run(async () => {
        if (options.version === true) {
          const { runVersionCommand } = await import("./commands/version.js");
          return runVersionCommand(
            { verbose: options.verbose, json: options.output === "json" || options.output === "yaml" },
            io,
          );
        }
        const { runRequestCommand } = await import("./run-request.js");
        return runRequestCommand(requestParts, options, io);
      }),
    );

  const check = program
    .command("check [command...]")
    .description(
      "rate a command's risk without generating anything; - reads one command per stdin line (JSON lines)",
    );
  // The same table the commander-free fast path reads (check-fast-path.ts).
  for (const option of CHECK_OPTIONS) check.option(commanderFlags(option), option.description);
  check
    .addHelpText(
      "after",
      "\nThe command is one argument (quote it), or the words after --: cmdai check -- rm -rf build\n" +
        "Exit codes: 0 allow, 4 confirm, 3 block; with -, 0 after the last line.\n" +
        "With --hook, the agent's protocol: claude-code and gemini-cli exit 0 with their JSON answer; json exits 0 allow or defer, 4 ask, 3 deny.",
    )
    .action(
      (
        words: string[],
        options: {
          shell?: string;
          safety?: string;
          output?: string;
          json?: boolean;
          preview?: boolean;
          config?: string;
          hook?: string;
        },
      ) =>
        run(async () => {
          const command = checkCommandOf(words, argv);
          if (options.hook !== undefined) {
            if (command !== undefined) {
              throw new UsageError("cmdai check --hook reads the command from the agent's JSON on stdin.", {
                hint: `Drop "${command}", e.g. echo '{"command":"ls"}' | cmdai check --hook json`,
              });
            }
            return (await import("./check-hook-entry.js")).runHookFromArguments(
              options.hook,
              withRootOptions(program, options),
              io,
            );
          }
          return (await import("./check-entry.js")).runCheckFromArguments(
            command,
            withRootOptions(program, options),
            io,
          );
        }),
    );

  program
    .command("guard [action] [agent]")
    .description(
      "guard AI coding agents with cmdai's safety check: install|uninstall <claude-code|gemini-cli> | status",
    )
    .option("--user", "the agent's settings in your home folder (default)")
    .option("--project", "the agent's settings in the current folder")
    .option("-o, --output <format>", "plain|json|yaml")
    .option("--json", "the same as -o json")
    .addHelpText(
      "after",
      "\nExamples:\n  cmdai guard install claude-code          # ~/.claude/settings.json\n  cmdai guard install gemini-cli --project  # ./.gemini/settings.json\n  cmdai guard status",
    )
    .action(
      (
        action: string | undefined,
        agent: string | undefined,
        options: { user?: boolean; project?: boolean; output?: string; json?: boolean },
      ) =>
        run(async () => {
          const format = outputFormatOf(options, rootOutput(program));
          const { runGuardCommand } = await import("./commands/guard.js");
          return runWithOutputFormat(format, io, (out) =>
            runGuardCommand(
              actionOf("guard", action, GUARD_ACTIONS),
              agent,
              { ...options, json: format !== "plain" },
              out,
            ),
          );
        }),
    );

  program
    .command("doctor")
    .description("check the installation, model, servers and shell integration; each problem with its fix")
    .option("-o, --output <format>", "plain|json|yaml")
    .option("--json", "the same as -o json")
    .option("-c, --config <file>", "config file")
    .action((options: { output?: string; json?: boolean; config?: string }) =>
      run(async () => {
        // `cmdai -o json doctor` asks for JSON too.
        const format = outputFormatOf(options, rootOutput(program));
        const { runDoctorCommand } = await import("./commands/doctor.js");
        return runWithOutputFormat(format, io, (out) =>
          runDoctorCommand({ ...withRootOptions(program, options), json: format !== "plain" }, out),
        );
      }),
    );

  program
    .command("models [action] [ref]")
    .description(
      "manage models: list | pull <ref> | import <file.gguf> | rm <ref> | verify [<ref>] | path <ref>",
    )
    .option("-o, --output <format>", "plain|json|yaml")
    .option("--json", "the same as -o json")
    .option("--offline", "never use the network")
    .option("-c, --config <file>", "config file")
    .option("--as <id>", "import: the id to use (a catalog id, or a new one; default: from the file name)")
    .option("--link", "import: symlink to the file instead of copying it")
    .option("--force", "import: replace another file under the same id, or accept a catalog mismatch")
    .addHelpText(
      "after",
      "\nReferences: a catalog id (cmdai models list), an imported id, hf:owner/repo/file.gguf[@revision], https://…/file.gguf, or a local path." +
        "\nImport: `cmdai models import ~/Downloads/My-Model.Q4_K_M.gguf` checks the GGUF header and copies it to" +
        "\n<models dir>/local/my-model.gguf (id: the name without .gguf and the quantization tag); with --as <catalog id>" +
        "\nit goes where that model's download would. Exit codes: 0 imported (or already there), 2 bad usage, a folder," +
        "\nan invalid id or an id taken by another file, 5 missing file, not a GGUF, or not the catalog model named.",
    )
    .action(
      (
        action: string | undefined,
        reference: string | undefined,
        options: {
          output?: string;
          json?: boolean;
          offline?: boolean;
          config?: string;
          as?: string;
          link?: boolean;
          force?: boolean;
        },
      ) =>
        run(async () => {
          const format = outputFormatOf(options, rootOutput(program));
          const { runModelsFromArguments } = await import("./models-entry.js");
          return runWithOutputFormat(format, io, (out) =>
            runModelsFromArguments(
              actionOf("models", action, MODELS_ACTIONS),
              reference,
              { ...withRootOptions(program, options), output: format },
              out,
            ),
          );
        }),
    );

  program
    .command("eval")
    .description(
      "score a backend and model on an NL→shell benchmark by running each command in a sandbox (Linux, bubblewrap)",
    )
    .option("--suite <suite>", "nl2sh-alfa|intercode-bash (default: nl2sh-alfa)")
    .option("-n, --limit <count>", "only the first N prompts (default: all)")
    .option("-j, --jobs <count>", "prompts in flight at once (default: 1)")
    .option("-b, --backend <backend>", `${BACKEND_NAMES.join("|")} (default: config, else embedded)`)
    .option("-m, --model <model>", "catalog id | hf:owner/repo/file.gguf | path.gguf | server model name")
    .option("-o, --output <format>", "plain|json: json prints every prompt's record (default: plain)")
    .option("--resume <file>", "continue the run recorded in this JSON-lines file, and record into it")
    .option("--timeout <seconds>", "seconds to wait for each answer (default: 60)")
    .option("-c, --config <file>", "config file")
    .addHelpText(
      "after",
      "\nExit codes: 0 the run finished (whatever the score), 2 bad options, 5 backend or model unavailable,\n" +
        "6 no sandbox here (needs Linux with bubblewrap and user namespaces; never runs unsandboxed), 130 interrupted.",
    )
    .action(
      (options: {
        suite?: string;
        limit?: string;
        jobs?: string;
        backend?: string;
        model?: string;
        output?: string;
        resume?: string;
        timeout?: string;
        config?: string;
      }) =>
        run(async () =>
          (await import("./commands/eval.js")).runEvalCommand(withRootOptions(program, options), io),
        ),
    );

  program
    .command("server [action]")
    .description("the warm model server that keeps the embedded model loaded: status | stop")
    .option("-o, --output <format>", "plain|json|yaml")
    .option("--json", "the same as -o json")
    .action((action: string | undefined, options: { output?: string; json?: boolean }) =>
      run(async () => {
        const format = outputFormatOf(options, rootOutput(program));
        const { runServerCommand } = await import("./commands/server.js");
        return runWithOutputFormat(format, io, (out) =>
          runServerCommand(actionOf("server", action, SERVER_ACTIONS), { json: format !== "plain" }, out),
        );
      }),
    );

  const config = program.command("config").description("show, read, change or locate the configuration");
  config
    .command("show")
    .description("print the effective configuration and where each value came from")
    .option("-o, --output <format>", "plain|json|yaml")
    .option("--json", "the same as -o json")
    .option("-c, --config <file>", "config file")
    .action((options: { output?: string; json?: boolean; config?: string }) =>
      run(async () => {
        const format = outputFormatOf(options, rootOutput(program));
        const { runConfigShow } = await import("./commands/config.js");
        return runWithOutputFormat(format, io, (out) =>
          runConfigShow({ ...withRootOptions(program, options), json: format !== "plain" }, out),
        );
      }),
    );
  config
    .command("get <key>")
    .description("print one effective value, e.g. cmdai config get safety")
    .option("-c, --config <file>", "config file")
    .action((key: string, options: { config?: string }) =>
      run(async () =>
        (await import("./commands/config.js")).runConfigGet(key, withRootOptions(program, options), io),
      ),
    );
  config
    .command("set <key> <value>")
    .description("validate and write one value to the config file, e.g. cmdai config set safety strict")
    .option("-c, --config <file>", "config file")
    .action((key: string, value: string, options: { config?: string }) =>
      run(async () =>
        (await import("./commands/config.js")).runConfigSet(
          key,
          value,
          withRootOptions(program, options),
          io,
        ),
      ),
    );
  config
    .command("path")
    .description("print the config file's path")
    .option("-c, --config <file>", "config file")
    .action((options: { config?: string }) =>
      run(async () =>
        (await import("./commands/config.js")).runConfigPath(withRootOptions(program, options), io),
      ),
    );
  program
    .command("init <shell>")
    .description("print the shell integration to source: a hotkey and history (bash|zsh|fish|powershell)")
    .option("--hotkey <key>", 'key to bind, readline notation (default: ui.hotkey, "\\C-g" = Ctrl-G)')
    .option("-c, --config <file>", "config file")
    .action((shell: string, options: { hotkey?: string; config?: string }) =>
      run(async () =>
        (await import("./commands/init.js")).runInitCommand(shell, withRootOptions(program, options), io),
      ),
    );
  program
    .command("history")
    .description("list the last commands cmdai ran, with their verdicts and exit codes")
    .option("-n, --limit <count>", "how many entries (default: 20)")
    .option("-o, --output <format>", "plain|json|yaml")
    .option("--json", "the same as -o json")
    .option("-c, --config <file>", "config file")
    .action((options: { limit?: string; output?: string; json?: boolean; config?: string }) =>
      run(async () => {
        const format = outputFormatOf(options, rootOutput(program));
        const { runHistoryCommand } = await import("./commands/history.js");
        return runWithOutputFormat(format, io, (out) =>
          runHistoryCommand({ ...withRootOptions(program, options), json: format !== "plain" }, out),
        );
      }),
    );
  return program;
}

/** Run the CLI with the given arguments; resolves with the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Date.now, not performance.now: the first use of `performance` loads perf_hooks (~4 ms of every start-up).
  const startedAt = Date.now();
  const format = requestedOutputFormat(argv, io.env);
  const verbose = argv.includes("--verbose") || argv.includes("-v");
  let exitCode: number = ExitCode.ok;
  const run = async (action: () => Promise<number>): Promise<void> => {
    try {
      exitCode = await action();
    } catch (error) {
      exitCode = await reportError(io, error, { format, verbose, startedAt });
    }
  };
  const program = buildProgram(io, run, argv);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.help" ||
        error.code === "commander.version"
      ) {
        return ExitCode.ok;
      }
      const message = error.message.replace(/^error:\s*/, "");
      return reportError(
        io,
        new UsageError(message.charAt(0).toUpperCase() + message.slice(1), {
          hint:
            error.code === "commander.unknownOption"
              ? unknownOptionHint(
                  argv,
                  program.commands.map((command) => command.name()),
                )
              : "Run `cmdai --help` for usage.",
        }),
        { format, verbose, startedAt },
      );
    }
    return reportError(io, error, { format, verbose, startedAt });
  }
  return exitCode;
}
