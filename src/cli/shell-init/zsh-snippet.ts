/** The snippet `cmdai init zsh` prints. */
import { describeHotkey, zshKeySequence, type Hotkey } from "./hotkey.js";
import { EXECUTED_COMMAND_FILE_VARIABLE } from "../../exec/executed-command-file.js";

/**
 * zsh: a ZLE widget bound to the hotkey that replaces the request in `$BUFFER` with the generated command
 * and shows its level with `zle -M`, and a `cmdai` wrapper that adds the command the menu ran to the history
 * with `print -s`.
 */
export function zshSnippet(hotkey: Hotkey): string {
  return `# cmdai shell integration for zsh. Add to ~/.zshrc:  eval "$(cmdai init zsh)"
# ${describeHotkey(hotkey)} turns the request typed on the command line into a command, ready to edit or run.
# Commands run from the cmdai menu are added to the shell history.

__cmdai_hotkey() {
  emulate -L zsh
  local request="$BUFFER" errors_file output cmdai_status level details
  if [[ -z "\${request//[[:space:]]/}" ]]; then return 0; fi
  errors_file="$(mktemp "\${TMPDIR:-/tmp}/cmdai-hotkey.XXXXXX")" || return 1
  zle -M "cmdai: generating..."
  zle -R
  output="$(print -rn -- "$request" | NO_COLOR=1 command cmdai --output plain --shell zsh 2>"$errors_file")"
  cmdai_status=$?
  details="$(<"$errors_file")"
  rm -f -- "$errors_file"
  level=""
  if [[ "$details" =~ '\\[(SAFE|MODERATE|HIGH|CRITICAL)\\]' ]]; then level="$match[1]"; fi
  case "$cmdai_status" in
    0|4)
      if [[ -z "$output" ]]; then
        zle -M "cmdai: no command came back"
        return 1
      fi
      BUFFER="$output"
      CURSOR=\${#BUFFER}
      if [[ "$cmdai_status" == 4 ]]; then
        # Why: the reasons, their safer alternatives and the preview from cmdai's verdict.
        local why="" line
        for line in "\${(@f)details}"; do
          case "$line" in
            ("  - "*|"    safer: "*|"preview: "*|"explanation: "*) why+=$'\\n'"$line" ;;
          esac
        done
        zle -M "cmdai: [\${level:-?}] needs confirmation: read it before pressing Enter$why"
      else
        zle -M "cmdai: [\${level:-SAFE}]"
      fi
      ;;
    3)
      zle -M "cmdai: [\${level:-?}] blocked, not inserted: $output"$'\\n'"$details"
      ;;
    *)
      zle -M "\${details:-cmdai failed (exit $cmdai_status)}"
      ;;
  esac
}
zle -N __cmdai_hotkey

cmdai() {
  local executed_file cmdai_status
  executed_file="$(mktemp "\${TMPDIR:-/tmp}/cmdai-executed.XXXXXX")" || {
    command cmdai "$@"
    return
  }
  ${EXECUTED_COMMAND_FILE_VARIABLE}="$executed_file" command cmdai "$@"
  cmdai_status=$?
  if [[ -s "$executed_file" ]]; then print -rs -- "$(<"$executed_file")"; fi
  rm -f -- "$executed_file"
  return "$cmdai_status"
}

bindkey -M emacs '${zshKeySequence(hotkey)}' __cmdai_hotkey
bindkey -M viins '${zshKeySequence(hotkey)}' __cmdai_hotkey
`;
}
