import { describe, expect, it } from "vitest";
import { detectShell, shellFromProgramName } from "./detect-shell.js";

describe("shellFromProgramName", () => {
  const table: [string, string | undefined][] = [
    ["/bin/bash", "bash"],
    ["-zsh", "zsh"],
    ["/usr/local/bin/fish", "fish"],
    ["dash", "sh"],
    ["pwsh.exe", "powershell"],
    ["C:\\Windows\\System32\\cmd.exe", "cmd"],
    ["node", undefined],
    ["", undefined],
  ];
  for (const [program, expected] of table) {
    it(`${program || "(empty)"} → ${expected ?? "unknown"}`, () => {
      expect(shellFromProgramName(program)).toBe(expected);
    });
  }
});

describe("detectShell", () => {
  it("skips npm's sh -c wrapper under npx and uses $SHELL", () => {
    const env = { SHELL: "/usr/bin/fish", npm_config_user_agent: "npm/10.8.2 node/v20.20.2 linux x64" };
    expect(detectShell({ env, platform: "linux", parentProcessName: "sh" })).toBe("fish");
    expect(detectShell({ env: { SHELL: "/bin/bash" }, platform: "linux", parentProcessName: "sh" })).toBe(
      "sh",
    );
  });
  it("under npm's wrapper, finds the shell above npm before falling back to $SHELL", () => {
    const env = {
      SHELL: "/bin/bash",
      npm_command: "exec",
      npm_execpath: "/usr/lib/node_modules/npm/bin/npm-cli.js",
    };
    const ancestors = (): readonly string[] => ["npm exec cmdai", "fish", "sshd"];
    expect(
      detectShell({ env, platform: "linux", parentProcessName: "sh", ancestorProcessNames: ancestors }),
    ).toBe("fish");
    expect(
      detectShell({
        env,
        platform: "linux",
        parentProcessName: "sh",
        ancestorProcessNames: () => ["node", "tmux"],
      }),
    ).toBe("bash");
  });
  it("does not read the ancestors when the parent is the user's shell", () => {
    const ancestors = (): readonly string[] => {
      throw new Error("read the ancestors");
    };
    expect(
      detectShell({ env: {}, platform: "linux", parentProcessName: "zsh", ancestorProcessNames: ancestors }),
    ).toBe("zsh");
  });
  it("prefers the parent process when it is a shell", () => {
    expect(detectShell({ env: { SHELL: "/bin/bash" }, platform: "linux", parentProcessName: "fish" })).toBe(
      "fish",
    );
  });
  it("falls back to $SHELL when the parent is not a shell", () => {
    expect(
      detectShell({ env: { SHELL: "/usr/bin/zsh" }, platform: "linux", parentProcessName: "node" }),
    ).toBe("zsh");
  });
  it("uses PSModulePath on Windows", () => {
    const powershellPaths =
      "C:\\Users\\me\\Documents\\PowerShell\\Modules;C:\\Program Files\\PowerShell\\Modules;C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\Modules";
    expect(detectShell({ env: { PSModulePath: powershellPaths }, platform: "win32" })).toBe("powershell");
    expect(detectShell({ env: {}, platform: "win32" })).toBe("cmd");
  });
  it("defaults to the platform's shell", () => {
    expect(detectShell({ env: {}, platform: "darwin" })).toBe("zsh");
    expect(detectShell({ env: {}, platform: "linux" })).toBe("bash");
  });
});
