/**
 * Builtins of zsh and fish that only print, test, or change the current shell's own settings (options, colours,
 * completion styles): safe when no rule matches them. Builtins that run code (`eval`, `source`, `bindkey -s`,
 * `sched`, `emulate -c`), define aliases or change the environment are judged by their own rules, not here.
 */
export const READ_ONLY_SHELL_BUILTINS: ReadonlySet<string> = new Set(
  `
print whence where setopt unsetopt zstyle bindkey autoload zmodload zstat zparseopts zformat rehash colors
promptinit compinit compdef add-zsh-hook vcs_info functions string math count contains set_color status path
isatty random prompt_pwd fish_is_root_user argparse emit realpath dirh prevd nextd cdh fish_key_reader
`
    .trim()
    .split(/\s+/),
);
