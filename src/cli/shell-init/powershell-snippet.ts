/** The snippet `cmdai init powershell` prints. */
import { describeHotkey, powershellChord, type Hotkey } from "./hotkey.js";
import { EXECUTED_COMMAND_FILE_VARIABLE } from "../../exec/executed-command-file.js";

/**
 * PowerShell (PSReadLine): a key handler that replaces the request in the buffer with the generated command
 * (cmdai's JSON output, parsed with ConvertFrom-Json), and a `cmdai` wrapper function that adds the command
 * the menu ran to PSReadLine's history.
 */
export function powershellSnippet(hotkey: Hotkey): string {
  return `# cmdai shell integration for PowerShell. Add to $PROFILE:
#   Invoke-Expression (& cmdai init powershell | Out-String)
# ${describeHotkey(hotkey)} turns the request typed on the command line into a command, ready to edit or run.
# Commands run from the cmdai menu are added to the shell history.

$global:__CmdaiApplication = Get-Command -Name cmdai -CommandType Application -ErrorAction SilentlyContinue |
    Select-Object -First 1

Set-PSReadLineKeyHandler -Chord '${powershellChord(hotkey)}' -BriefDescription 'cmdai' -Description 'cmdai: turn the request on the command line into a command' -ScriptBlock {
    $line = $null
    $cursor = $null
    [Microsoft.PowerShell.PSConsoleReadLine]::GetBufferState([ref]$line, [ref]$cursor)
    if ([string]::IsNullOrWhiteSpace($line) -or $null -eq $global:__CmdaiApplication) { return }
    $previousNoColor = $env:NO_COLOR
    $env:NO_COLOR = '1'
    try {
        $text = ($line | & $global:__CmdaiApplication --output json --shell powershell 2>$null) | Out-String
    } finally {
        $env:NO_COLOR = $previousNoColor
    }
    try { $result = $text | ConvertFrom-Json } catch { $result = $null }
    if ($null -eq $result) {
        Write-Host ''
        Write-Host 'cmdai: no answer (run cmdai directly to see why)'
    } elseif ($null -ne $result.error) {
        Write-Host ''
        Write-Host "cmdai: $($result.error.message)"
    } elseif ($result.risk.decision -eq 'block') {
        Write-Host ''
        Write-Host "cmdai: [$($result.risk.level.ToUpper())] blocked, not inserted: $($result.command)"
        foreach ($reason in $result.risk.reasons) { Write-Host "  - $($reason.message)" }
    } else {
        [Microsoft.PowerShell.PSConsoleReadLine]::Replace(0, $line.Length, $result.command)
        Write-Host ''
        if ($result.risk.decision -eq 'confirm') {
            Write-Host "cmdai: [$($result.risk.level.ToUpper())] needs confirmation: read it before pressing Enter"
        } else {
            Write-Host "cmdai: [$($result.risk.level.ToUpper())]"
        }
    }
    [Microsoft.PowerShell.PSConsoleReadLine]::InvokePrompt()
}

function global:cmdai {
    if ($null -eq $global:__CmdaiApplication) { throw 'cmdai is not on the PATH' }
    $executedFile = [System.IO.Path]::GetTempFileName()
    $previous = $env:${EXECUTED_COMMAND_FILE_VARIABLE}
    $env:${EXECUTED_COMMAND_FILE_VARIABLE} = $executedFile
    try {
        & $global:__CmdaiApplication @args
        $exitCode = $LASTEXITCODE
    } finally {
        $env:${EXECUTED_COMMAND_FILE_VARIABLE} = $previous
    }
    $executed = Get-Content -LiteralPath $executedFile -Raw -ErrorAction SilentlyContinue
    if (-not [string]::IsNullOrWhiteSpace($executed)) {
        [Microsoft.PowerShell.PSConsoleReadLine]::AddToHistory($executed.TrimEnd([char]10, [char]13))
    }
    Remove-Item -LiteralPath $executedFile -ErrorAction SilentlyContinue
    $global:LASTEXITCODE = $exitCode
}
`;
}
