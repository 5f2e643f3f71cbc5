/** The snippet `cmdai init bash` prints. */
import { bashKeySequence, describeHotkey, type Hotkey } from "./hotkey.js";
import { EXECUTED_COMMAND_FILE_VARIABLE } from "../../exec/executed-command-file.js";

/**
 * Bash: a `bind -x` hotkey that replaces the request on the line with the generated command (the request goes
 * to cmdai on stdin, stdout is not a terminal so only the command comes back, the exit code says allow 0 /
 * needs confirmation 4 / never runs 3, and stderr's `[LEVEL]` badge gives the level), and a `cmdai` wrapper that puts the
 * command the menu ran into bash's history.
 */
export function bashSnippet(hotkey: Hotkey): string {
  return `# cmdai shell integration for bash. Add to ~/.bashrc:  eval "$(cmdai init bash)"
# ${describeHotkey(hotkey)} turns the request typed on the command line into a command, ready to edit or run.
# Commands run from the cmdai menu are added to the shell history.

__cmdai_hotkey() {
  local request="$READLINE_LINE" errors_file output exit_status level details line
  if [[ -z "\${request//[[:space:]]/}" ]]; then return 0; fi
  errors_file="$(mktemp "\${TMPDIR:-/tmp}/cmdai-hotkey.XXXXXX")" || return 1
  printf 'cmdai: generating...\\r' >&2
  output="$(printf '%s' "$request" | NO_COLOR=1 command cmdai --output plain --shell bash 2>"$errors_file")"
  exit_status=$?
  # Not $(<file): in a bind -x function, bash 5.2 then runs the next command line with its first word lost.
  details=""
  IFS= read -r -d '' details <"$errors_file"
  rm -f -- "$errors_file"
  level=""
  if [[ "$details" =~ \\[(SAFE|MODERATE|HIGH|CRITICAL)\\] ]]; then level="\${BASH_REMATCH[1]}"; fi
  printf '\\r\\033[K' >&2
  case "$exit_status" in
    0 | 4)
      if [[ -z "$output" ]]; then return 1; fi
      READLINE_LINE="$output"
      READLINE_POINT=\${#READLINE_LINE}
      if [[ "$exit_status" == 4 ]]; then
        printf 'cmdai: [%s] needs confirmation: read it before pressing Enter\\n' "\${level:-?}" >&2
        # Why: the reasons, their safer alternatives and the preview from cmdai's verdict.
        while IFS= read -r line; do
          case "$line" in
            "  - "* | "    safer: "* | "preview: "* | "explanation: "*) printf '%s\\n' "$line" >&2 ;;
          esac
        done <<<"$details"
      else
        printf 'cmdai: [%s]\\n' "\${level:-SAFE}" >&2
      fi
      ;;
    3)
      printf 'cmdai: [%s] blocked, not inserted: %s\\n%s\\n' "\${level:-?}" "$output" "$details" >&2
      ;;
    *)
      printf '%s\\n' "\${details:-cmdai failed (exit $exit_status)}" >&2
      ;;
  esac
}

cmdai() {
  local executed_file exit_status
  executed_file="$(mktemp "\${TMPDIR:-/tmp}/cmdai-executed.XXXXXX")" || {
    command cmdai "$@"
    return
  }
  ${EXECUTED_COMMAND_FILE_VARIABLE}="$executed_file" command cmdai "$@"
  exit_status=$?
  if [[ -s "$executed_file" ]]; then
    local executed="" before after
    IFS= read -r -d '' executed <"$executed_file"
    # history -s replaces the line that ran cmdai when bash saved it: put that line back first, so ↑ finds
    # the request as well as the command it ran. (Saved or not shows in whether the entry count changed.)
    local entry_pattern='^ *([0-9]+)[* ] (.*)$'
    before="$(HISTTIMEFORMAT= builtin history 1)"
    history -s -- "$executed"
    after="$(HISTTIMEFORMAT= builtin history 1)"
    if [[ "$before" =~ $entry_pattern ]]; then
      local number="\${BASH_REMATCH[1]}" request_line="\${BASH_REMATCH[2]}"
      if [[ "$after" =~ $entry_pattern && "\${BASH_REMATCH[1]}" == "$number" ]]; then
        builtin history -d "$number"
        history -s -- "$request_line"
        history -s -- "$executed"
      fi
    fi
  fi
  rm -f -- "$executed_file"
  return "$exit_status"
}

bind -x '"${bashKeySequence(hotkey)}": __cmdai_hotkey'
`;
}
