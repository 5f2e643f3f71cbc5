/**
 * A small single-line editor as a pure function: (state, key) → state. Cursor left/right/Home/End, Backspace,
 * Delete, Ctrl-A/E/B/F (home, end, back, forward), Ctrl-U (delete to start), Ctrl-K (delete to end), Ctrl-W
 * (delete the word before the cursor), Ctrl-D (delete under the cursor). Enter accepts, Escape cancels. The
 * cursor counts code points, so multi-byte characters move and delete as one.
 */
import type { Key } from "./parse-keys.js";

export interface LineEditorState {
  /** The text, as an array of code points so the cursor never splits a character. */
  characters: readonly string[];
  /** Cursor position, 0 … characters.length. */
  cursor: number;
}

/** What a key did: the new state, and whether the edit was accepted or cancelled. */
export interface LineEditorStep {
  state: LineEditorState;
  result: "editing" | "accepted" | "cancelled";
}

/** An editor holding `text` with the cursor at its end. */
export function createLineEditor(text = ""): LineEditorState {
  const characters = Array.from(text);
  return { characters, cursor: characters.length };
}

/** The editor's text. */
export function editorText(state: LineEditorState): string {
  return state.characters.join("");
}

function isWordCharacter(character: string | undefined): boolean {
  return character !== undefined && !/\s/.test(character);
}

function deleteRange(state: LineEditorState, start: number, end: number): LineEditorState {
  if (start >= end) return state;
  return {
    characters: [...state.characters.slice(0, start), ...state.characters.slice(end)],
    cursor: start,
  };
}

/** Apply one key. Keys the editor does not use (up, down, other Ctrl letters) change nothing. */
export function applyEditorKey(state: LineEditorState, key: Key): LineEditorStep {
  const editing = (next: LineEditorState): LineEditorStep => ({ state: next, result: "editing" });
  const { characters, cursor } = state;
  switch (key.name) {
    case "text": {
      // Line breaks and tabs inside pasted text would make a different command than the one shown.
      const inserted = Array.from(key.text.replace(/[\r\n\t]/g, " "));
      return editing({
        characters: [...characters.slice(0, cursor), ...inserted, ...characters.slice(cursor)],
        cursor: cursor + inserted.length,
      });
    }
    case "enter":
      return { state, result: "accepted" };
    case "escape":
      return { state, result: "cancelled" };
    case "backspace":
      return editing(cursor === 0 ? state : deleteRange(state, cursor - 1, cursor));
    case "delete":
      return editing(deleteRange(state, cursor, cursor + 1));
    case "left":
      return editing({ characters, cursor: Math.max(0, cursor - 1) });
    case "right":
      return editing({ characters, cursor: Math.min(characters.length, cursor + 1) });
    case "home":
      return editing({ characters, cursor: 0 });
    case "end":
      return editing({ characters, cursor: characters.length });
    case "up":
    case "down":
      return editing(state);
    case "control":
      switch (key.letter) {
        case "a":
          return editing({ characters, cursor: 0 });
        case "e":
          return editing({ characters, cursor: characters.length });
        case "b":
          return editing({ characters, cursor: Math.max(0, cursor - 1) });
        case "f":
          return editing({ characters, cursor: Math.min(characters.length, cursor + 1) });
        case "u":
          return editing(deleteRange(state, 0, cursor));
        case "k":
          return editing(deleteRange(state, cursor, characters.length));
        case "d":
          return editing(deleteRange(state, cursor, cursor + 1));
        case "w": {
          let start = cursor;
          while (start > 0 && !isWordCharacter(characters[start - 1])) start -= 1;
          while (start > 0 && isWordCharacter(characters[start - 1])) start -= 1;
          return editing(deleteRange(state, start, cursor));
        }
        case "h":
          return editing(cursor === 0 ? state : deleteRange(state, cursor - 1, cursor));
        case "j":
        case "m":
          return { state, result: "accepted" };
        default:
          return editing(state);
      }
  }
}
