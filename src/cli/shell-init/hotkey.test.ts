import { describe, expect, it } from "vitest";
import { ConfigError } from "../../errors.js";
import {
  bashKeySequence,
  describeHotkey,
  fishKeySequence,
  parseHotkey,
  powershellChord,
  zshKeySequence,
} from "./hotkey.js";

describe("parseHotkey", () => {
  it.each([
    ["\\C-g", "\\C-g", "^G", "\\cg", "Ctrl+g", "Ctrl-G"],
    ["\\C-G", "\\C-g", "^G", "\\cg", "Ctrl+g", "Ctrl-G"],
    ["ctrl-t", "\\C-t", "^T", "\\ct", "Ctrl+t", "Ctrl-T"],
    ["Ctrl+Space".replace("Space", "o"), "\\C-o", "^O", "\\co", "Ctrl+o", "Ctrl-O"],
    ["^X", "\\C-x", "^X", "\\cx", "Ctrl+x", "Ctrl-X"],
    ["\\M-g", "\\eg", "^[g", "\\eg", "Alt+g", "Alt-G"],
    ["\\eg", "\\eg", "^[g", "\\eg", "Alt+g", "Alt-G"],
    ["alt-1", "\\e1", "^[1", "\\e1", "Alt+1", "Alt-1"],
    ["\\e\\C-g", "\\e\\C-g", "^[^G", "\\e\\cg", "Ctrl+Alt+g", "Ctrl-Alt-G"],
  ])("%s", (notation, bash, zsh, fish, powershell, description) => {
    const hotkey = parseHotkey(notation);
    expect(bashKeySequence(hotkey)).toBe(bash);
    expect(zshKeySequence(hotkey)).toBe(zsh);
    expect(fishKeySequence(hotkey)).toBe(fish);
    expect(powershellChord(hotkey)).toBe(powershell);
    expect(describeHotkey(hotkey)).toBe(description);
  });

  it.each(["g", "", "\\C-", "\\C-gg", "ctrl-'", "\\C-1", "F5", "\\C-g; rm -rf ~"])(
    "rejects %j with a config error naming ui.hotkey",
    (notation) => {
      expect(() => parseHotkey(notation)).toThrow(ConfigError);
      expect(() => parseHotkey(notation)).toThrow(/ui\.hotkey/);
    },
  );
});
