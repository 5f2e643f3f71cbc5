import { describe, expect, it } from "vitest";
import { applyEditorKey, createLineEditor, editorText, type LineEditorState } from "./line-editor.js";
import { parseKeys } from "./parse-keys.js";

/** Type raw input into an editor holding `text`; returns the text, the cursor and the result. */
function type(text: string, input: string): { text: string; cursor: number; result: string } {
  let state: LineEditorState = createLineEditor(text);
  let result = "editing";
  for (const key of parseKeys(input)) {
    const step = applyEditorKey(state, key);
    state = step.state;
    result = step.result;
    if (result !== "editing") break;
  }
  return { text: editorText(state), cursor: state.cursor, result };
}

const LEFT = "\u001b[D";
const RIGHT = "\u001b[C";
const HOME = "\u001b[H";
const END = "\u001b[F";
const DELETE = "\u001b[3~";
const BACKSPACE = "\u007f";

describe("line editor", () => {
  const cases: [string, string, string, { text: string; cursor: number; result: string }][] = [
    ["types at the end", "ls", " -la", { text: "ls -la", cursor: 6, result: "editing" }],
    [
      "backspace deletes before the cursor",
      "ls -la",
      BACKSPACE,
      { text: "ls -l", cursor: 5, result: "editing" },
    ],
    [
      "backspace at the start does nothing",
      "ab",
      `${HOME}${BACKSPACE}`,
      { text: "ab", cursor: 0, result: "editing" },
    ],
    ["left then insert", "lsa", `${LEFT} -`, { text: "ls -a", cursor: 4, result: "editing" }],
    ["right stops at the end", "ab", `${RIGHT}${RIGHT}x`, { text: "abx", cursor: 3, result: "editing" }],
    ["home then insert", "ls", `${HOME}sudo `, { text: "sudo ls", cursor: 5, result: "editing" }],
    ["end after home", "ls", `${HOME}${END}!`, { text: "ls!", cursor: 3, result: "editing" }],
    ["delete under the cursor", "xls", `${HOME}${DELETE}`, { text: "ls", cursor: 0, result: "editing" }],
    ["delete at the end does nothing", "ls", DELETE, { text: "ls", cursor: 2, result: "editing" }],
    ["Ctrl-A / Ctrl-E", "b", "\u0001a\u0005c", { text: "abc", cursor: 3, result: "editing" }],
    [
      "Ctrl-U deletes to the start",
      "rm -rf build",
      `${LEFT}${LEFT}${LEFT}${LEFT}${LEFT}\u0015`,
      { text: "build", cursor: 0, result: "editing" },
    ],
    [
      "Ctrl-K deletes to the end",
      "echo hi there",
      `${HOME}${RIGHT}${RIGHT}${RIGHT}${RIGHT}\u000b`,
      { text: "echo", cursor: 4, result: "editing" },
    ],
    [
      "Ctrl-W deletes the word before",
      "git commit -m",
      "\u0017",
      { text: "git commit ", cursor: 11, result: "editing" },
    ],
    ["Ctrl-W skips spaces first", "git commit  ", "\u0017", { text: "git ", cursor: 4, result: "editing" }],
    ["Ctrl-W at the start does nothing", "ab", `${HOME}\u0017`, { text: "ab", cursor: 0, result: "editing" }],
    ["Enter accepts", "ls", "\r", { text: "ls", cursor: 2, result: "accepted" }],
    ["Escape cancels", "ls", "x\u001b", { text: "lsx", cursor: 3, result: "cancelled" }],
    [
      "multi-byte characters move as one",
      "café",
      `${LEFT}${BACKSPACE}`,
      { text: "caé", cursor: 2, result: "editing" },
    ],
    ["pasted tabs become spaces", "", "a\tb", { text: "a b", cursor: 3, result: "editing" }],
    ["up and down change nothing", "ls", "\u001b[A\u001b[B", { text: "ls", cursor: 2, result: "editing" }],
  ];
  it.each(cases)("%s", (_name, initial, input, expected) => {
    expect(type(initial, input)).toEqual(expected);
  });
});
