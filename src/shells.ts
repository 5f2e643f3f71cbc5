/** The shells cmdai can generate commands for, assess and run commands in. */
export const SHELL_NAMES = ["bash", "zsh", "fish", "sh", "powershell", "cmd"] as const;

export type ShellName = (typeof SHELL_NAMES)[number];

/** Whether a string names a supported shell. */
export function isShellName(value: string): value is ShellName {
  return (SHELL_NAMES as readonly string[]).includes(value);
}

/** POSIX-family shells whose commands the bash grammar can parse. */
export function isPosixFamily(shell: ShellName): boolean {
  return shell === "bash" || shell === "zsh" || shell === "sh" || shell === "fish";
}
