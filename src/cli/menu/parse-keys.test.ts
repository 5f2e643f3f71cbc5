import { describe, expect, it } from "vitest";
import { parseKeys, type Key } from "./parse-keys.js";

describe("parseKeys", () => {
  const cases: [string, string, Key[]][] = [
    ["a letter", "r", [{ name: "text", text: "r" }]],
    [
      "typed text in one chunk",
      "yes",
      [
        { name: "text", text: "y" },
        { name: "text", text: "e" },
        { name: "text", text: "s" },
      ],
    ],
    ["Enter (CR)", "\r", [{ name: "enter" }]],
    ["Enter (LF)", "\n", [{ name: "enter" }]],
    ["CR LF as one Enter", "a\r\n", [{ name: "text", text: "a" }, { name: "enter" }]],
    ["lone Escape", "\u001b", [{ name: "escape" }]],
    ["Ctrl-C", "\u0003", [{ name: "control", letter: "c" }]],
    [
      "Ctrl-A, Ctrl-W",
      "\u0001\u0017",
      [
        { name: "control", letter: "a" },
        { name: "control", letter: "w" },
      ],
    ],
    ["Backspace (DEL)", "\u007f", [{ name: "backspace" }]],
    ["Backspace (BS)", "\b", [{ name: "backspace" }]],
    ["arrows (CSI)", "\u001b[D\u001b[C", [{ name: "left" }, { name: "right" }]],
    ["arrows (SS3)", "\u001bOD", [{ name: "left" }]],
    [
      "Home / End",
      "\u001b[H\u001b[F\u001b[1~\u001b[4~",
      [{ name: "home" }, { name: "end" }, { name: "home" }, { name: "end" }],
    ],
    ["Delete", "\u001b[3~", [{ name: "delete" }]],
    ["unknown sequences are dropped", "\u001b[15~x", [{ name: "text", text: "x" }]],
    ["Alt+letter is Escape, not text", "\u001bq", [{ name: "escape" }]],
    [
      "multi-byte text",
      "é✓",
      [
        { name: "text", text: "é" },
        { name: "text", text: "✓" },
      ],
    ],
    [
      "text around keys",
      "a\u001b[Db",
      [{ name: "text", text: "a" }, { name: "left" }, { name: "text", text: "b" }],
    ],
  ];
  it.each(cases)("%s", (_name, input, expected) => {
    expect(parseKeys(input)).toEqual(expected);
  });
});
