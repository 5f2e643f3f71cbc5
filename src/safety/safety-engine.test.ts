import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { createSafetyEngine, MAXIMUM_COMMAND_LENGTH, type SafetyEngine } from "./safety-engine.js";
import type { RiskLevel } from "./types.js";

let engine: SafetyEngine;
beforeAll(async () => {
  engine = await createSafetyEngine();
});

function levelOf(command: string, shell: "bash" | "fish" | "zsh" | "powershell" | "cmd" = "bash"): RiskLevel {
  return engine.assess(command, { shell }).level;
}

describe("acceptance examples", () => {
  it("allows ls -la as safe", () => {
    expect(engine.assess("ls -la", { shell: "bash" })).toEqual({
      level: "safe",
      decision: "allow",
      reasons: [],
    });
  });

  it("blocks sudo rm -rf --no-preserve-root / as critical, with reasons", () => {
    const assessment = engine.assess("sudo rm -rf --no-preserve-root /", { shell: "bash" });
    expect(assessment.level).toBe("critical");
    expect(assessment.decision).toBe("block");
    expect(assessment.reasons[0]?.message).toMatch(/\//);
    expect(assessment.reasons.some((reason) => reason.saferAlternative !== undefined)).toBe(true);
  });
});

describe("adversarial: quoting and escaping", () => {
  it.each([
    `"rm" -rf /`,
    `\\rm -rf /`,
    `r''m -rf /`,
    `r""m -rf /`,
    `/bin/rm -rf /`,
    `command rm -rf /`,
    `$'rm' -rf /`,
    `rm -rf '/'`,
    `rm -rf "/"`,
    `rm -r -f /`,
    `rm -fr /`,
    `rm --recursive --force /`,
  ])("%s is critical", (command) => {
    expect(levelOf(command)).toBe("critical");
  });
});

describe("adversarial: wrappers", () => {
  it.each([
    "sudo -u root -E rm -rf /",
    "sudo -- rm -rf /",
    "doas rm -rf /",
    "env -i A=1 rm -rf /",
    "nice -n 10 ionice -c3 rm -rf /",
    "timeout -s KILL 5 rm -rf /",
    "nohup stdbuf -oL rm -rf /",
    "time -p rm -rf /",
    "busybox rm -rf /",
    "xargs rm -rf <<< /",
    "echo / | xargs rm -rf",
    "watch -n1 'rm -rf /'",
    "ssh -i key.pem user@host 'rm -rf /'",
    "su -c 'rm -rf /'",
    "bash -lc 'rm -rf /'",
    "fish -c 'rm -rf /'",
    "eval 'rm -rf /'",
    "find / -exec rm -rf {} +",
    "perl -e 'system(\"rm -rf /\")'",
  ])("%s is critical", (command) => {
    expect(levelOf(command)).toBe("critical");
  });
});

describe("adversarial: chains, substitutions, here-docs, assignments", () => {
  it.each([
    "ls && rm -rf /",
    "ls || rm -rf ~",
    "ls; rm -rf $HOME",
    "ls | rm -rf /",
    "(rm -rf /)",
    "{ rm -rf /; }",
    "if true; then rm -rf /; fi",
    "f() { rm -rf /; }; f",
    "echo $(rm -rf /)",
    "echo `rm -rf /`",
    "cat <(rm -rf /)",
    "X=/; rm -rf $X",
    "D=$HOME && rm -rf $D",
    "rm -rf ${TARGET:-/}",
    "bash <<EOF\nrm -rf /\nEOF",
    "cat <<'EOF' | sh\nrm -rf ~\nEOF",
    'sh -c "$(echo rm -rf /)"',
  ])("%j is critical", (command) => {
    expect(levelOf(command)).toBe("critical");
  });

  it("judges redirections", () => {
    expect(levelOf("echo x > /dev/sda")).toBe("critical");
    expect(levelOf("echo x > /etc/passwd")).toBe("critical");
    expect(levelOf("echo x >> ~/.bashrc")).toBe("high");
    expect(levelOf("ls > /dev/null 2>&1")).toBe("safe");
  });

  it("treats commands that only mention danger as safe", () => {
    for (const command of [
      "echo 'rm -rf /'",
      'grep "DROP TABLE" dump.sql',
      "man rm",
      "printf '%s' ':(){ :|:& };:' > /dev/null",
    ]) {
      expect(levelOf(command)).toBe("safe");
    }
  });
});

describe("adversarial: Unicode and odd input", () => {
  it("normalises an en dash and still sees rm -rf /", () => {
    const assessment = engine.assess("rm \u2013rf /", { shell: "bash" });
    expect(assessment.level).toBe("critical");
    expect(assessment.reasons.map((reason) => reason.rule)).toContain("unicode-lookalike");
  });

  it("maps a Cyrillic look-alike and flags it", () => {
    const assessment = engine.assess("rm -rf /h\u043eme", { shell: "bash" });
    expect(assessment.level).toBe("critical");
    expect(assessment.reasons.map((reason) => reason.rule)).toContain("unicode-lookalike");
    expect(levelOf("echo \u043f\u0440\u0438\u0432\u0435\u0442")).toBe("safe");
  });

  it("makes non-breaking and zero-width spaces at least confirm", () => {
    const nbsp = engine.assess("ls\u00a0-la", { shell: "bash" });
    expect(nbsp.decision).not.toBe("allow");
    const zeroWidth = engine.assess("l\u200bs", { shell: "bash", interactive: false });
    expect(zeroWidth.decision).toBe("block");
  });

  it("fails closed on very long input", () => {
    const long = `echo ${"a".repeat(MAXIMUM_COMMAND_LENGTH)}`;
    expect(engine.assess(long, { shell: "bash" }).decision).toBe("confirm");
    expect(engine.assess(long, { shell: "bash", interactive: false }).decision).toBe("block");
  });

  it("fails closed on binary input and on unparseable input", () => {
    expect(engine.assess("ls \u0000\u0001", { shell: "bash", interactive: false }).decision).toBe("block");
    expect(engine.assess("echo 'unterminated", { shell: "bash" }).decision).toBe("confirm");
    expect(engine.assess("echo 'unterminated", { shell: "bash", interactive: false }).decision).toBe("block");
  });
});

describe("fish and Windows shells", () => {
  it("falls back to a tokeniser for fish syntax", () => {
    expect(levelOf("set -x FOO bar; and rm -rf (pwd)", "fish")).not.toBe("safe");
    expect(levelOf("ls -la; and echo (date)", "fish")).toBe("safe");
    expect(levelOf("begin; rm -rf /; end", "fish")).toBe("critical");
  });

  it("rates PowerShell and cmd destructive forms", () => {
    expect(levelOf("Remove-Item -Recurse -Force C:\\", "powershell")).toBe("critical");
    expect(levelOf("ri -r -fo $env:SystemDrive\\", "powershell")).toBe("critical");
    expect(levelOf("Get-ChildItem -Recurse | Measure-Object", "powershell")).toBe("safe");
    expect(levelOf("del /s /q C:\\*", "cmd")).toBe("critical");
    expect(levelOf('echo "rd /s /q C:\\" & dir', "cmd")).toBe("safe");
  });
});

describe("modes", () => {
  it("maps levels to decisions by mode", async () => {
    const strict = await createSafetyEngine({ mode: "strict" });
    const permissive = await createSafetyEngine({ mode: "permissive" });
    expect(strict.assess("rm notes.txt", { shell: "bash" }).decision).toBe("confirm");
    expect(strict.assess("git reset --hard", { shell: "bash" }).decision).toBe("block");
    expect(engine.assess("git reset --hard", { shell: "bash" }).decision).toBe("confirm");
    expect(permissive.assess("git reset --hard", { shell: "bash" }).decision).toBe("allow");
    expect(permissive.assess("rm -rf /", { shell: "bash" }).decision).toBe("confirm");
    expect(engine.assess("git reset --hard", { shell: "bash", mode: "strict" }).decision).toBe("block");
  });
});

describe("user rules and allowlist", () => {
  it("lets a user rule raise a level but never lower one", async () => {
    const custom = await createSafetyEngine({
      rules: [
        { command: "deploy", pattern: "--prod", level: "high", message: "Deploys to production." },
        { command: "rm", level: "safe", message: "Trying to lower rm." },
      ],
    });
    const deploy = custom.assess("./bin/deploy --prod", { shell: "bash" });
    expect(deploy.level).toBe("high");
    expect(deploy.reasons[0]?.message).toBe("Deploys to production.");
    expect(custom.assess("deploy --staging", { shell: "bash" }).level).toBe("moderate");
    expect(custom.assess("sudo rm -rf /", { shell: "bash" }).level).toBe("critical");
  });

  it("allowlists exact normalised commands and /patterns/, but not critical ones unless allow_critical", async () => {
    const custom = await createSafetyEngine({
      allow: [
        "git push --force origin my-branch",
        { pattern: "/make (clean|distclean)/", allow_critical: false },
        "rm -rf /",
      ],
    });
    expect(custom.assess("git  push --force   origin my-branch", { shell: "bash" })).toMatchObject({
      level: "safe",
      decision: "allow",
    });
    expect(custom.assess("git push --force origin main", { shell: "bash" }).level).toBe("high");
    expect(custom.assess("make clean", { shell: "bash" }).decision).toBe("allow");
    expect(custom.assess("make clean; rm -rf ~", { shell: "bash" }).level).toBe("critical");
    expect(custom.assess("rm -rf /", { shell: "bash" }).decision).toBe("block");
    const trusting = await createSafetyEngine({ allow: [{ pattern: "rm -rf /", allow_critical: true }] });
    expect(trusting.assess("rm -rf /", { shell: "bash" }).decision).toBe("allow");
  });

  it("reports a bad pattern as a ConfigError naming the key", async () => {
    await expect(
      createSafetyEngine({ rules: [{ command: "x", pattern: "(", level: "high", message: "m" }] }),
    ).rejects.toThrow(ConfigError);
  });
});

describe("intent check", () => {
  it("raises a changing command one level when the request only asks to look", () => {
    const assessment = engine.assess("rm -rf ./build", {
      shell: "bash",
      request: "show me what is in the build folder",
    });
    expect(assessment.level).toBe("high");
    expect(assessment.reasons.map((reason) => reason.rule)).toContain("intent-mismatch");
  });

  it("leaves read-only commands and change requests alone", () => {
    expect(engine.assess("ls build", { shell: "bash", request: "list the build folder" }).level).toBe("safe");
    expect(engine.assess("rm -rf ./build", { shell: "bash", request: "delete the build folder" }).level).toBe(
      "moderate",
    );
  });
});
