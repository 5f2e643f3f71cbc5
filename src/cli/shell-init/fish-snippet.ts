/** The snippet `cmdai init fish` prints. */
import { describeHotkey, fishKeySequence, type Hotkey } from "./hotkey.js";
import { EXECUTED_COMMAND_FILE_VARIABLE } from "../../exec/executed-command-file.js";

/**
 * fish: a key binding that replaces the request on the command line with the generated command
 * (`commandline -r`), and a `cmdai` wrapper that adds the command the menu ran with `history append`.
 */
export function fishSnippet(hotkey: Hotkey): string {
  const key = fishKeySequence(hotkey);
  return `# cmdai shell integration for fish. Add to ~/.config/fish/config.fish:  cmdai init fish | source
# ${describeHotkey(hotkey)} turns the request typed on the command line into a command, ready to edit or run.
# Commands run from the cmdai menu are added to the shell history.

function __cmdai_hotkey --description 'cmdai: turn the request on the command line into a command'
    set -l request (commandline | string collect)
    if test -z (string trim -- "$request" | string collect)
        return 0
    end
    set -l errors_file (mktemp -t cmdai-hotkey.XXXXXX)
    or return 1
    set -l output (printf '%s' "$request" | NO_COLOR=1 command cmdai --output plain --shell fish 2>$errors_file | string collect)
    set -l cmdai_status $pipestatus[2]
    set -l details (string collect < $errors_file)
    rm -f -- $errors_file
    set -l level (string match -r -g '\\[(SAFE|MODERATE|HIGH|CRITICAL)\\]' -- "$details")
    echo
    switch $cmdai_status
        case 0 4
            if test -z "$output"
                echo "cmdai: no command came back" >&2
                commandline -f repaint
                return 1
            end
            commandline -r -- "$output"
            commandline -C (string length -- "$output")
            if test "$cmdai_status" = 4
                echo "cmdai: [$level] needs confirmation: read it before pressing Enter" >&2
                # Why: the reasons, their safer alternatives and the preview from cmdai's verdict.
                for line in (string split \\n -- "$details")
                    if string match -q -r '^(  - |    safer: |preview: |explanation: )' -- "$line"
                        echo "$line" >&2
                    end
                end
            else
                echo "cmdai: [$level]" >&2
            end
        case 3
            echo "cmdai: [$level] blocked, not inserted: $output" >&2
            echo "$details" >&2
        case '*'
            if test -n "$details"
                echo "$details" >&2
            else
                echo "cmdai failed (exit $cmdai_status)" >&2
            end
    end
    commandline -f repaint
end

function __cmdai_add_to_history --argument-names executed
    if string match -qr '^([4-9]|[1-9][0-9])\\.' -- $version
        builtin history append -- $executed
        return
    end
    # fish 3 has no \`history append\`: add the entry to the history file, then merge it into this session.
    set -l name fish
    set -q fish_history
    and set name $fish_history
    test -n "$name"
    or return 0
    set -l data_dir ~/.local/share
    if set -q XDG_DATA_HOME; and test -n "$XDG_DATA_HOME"
        set data_dir $XDG_DATA_HOME
    end
    mkdir -p $data_dir/fish
    set -l escaped (string replace -a -- '\\\\' '\\\\\\\\' $executed | string join '\\n')
    printf '- cmd: %s\\n  when: %s\\n' "$escaped" (date +%s) >>$data_dir/fish/$name"_history"
    builtin history merge
end

function cmdai --wraps cmdai --description 'cmdai, adding the command it runs to the history'
    set -l executed_file (mktemp -t cmdai-executed.XXXXXX)
    or begin
        command cmdai $argv
        return
    end
    ${EXECUTED_COMMAND_FILE_VARIABLE}=$executed_file command cmdai $argv
    set -l cmdai_status $status
    if test -s $executed_file
        __cmdai_add_to_history (string collect < $executed_file)
    end
    rm -f -- $executed_file
    return $cmdai_status
end

bind ${key} __cmdai_hotkey
if bind -M insert >/dev/null 2>&1
    bind -M insert ${key} __cmdai_hotkey
end
`;
}
