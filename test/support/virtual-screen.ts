/**
 * A small terminal model for unit tests of in-place drawing: it applies what a renderer wrote (text, `\r`,
 * `\n`, erase line `ESC[2K`, cursor up `ESC[nA`, cursor right `ESC[nC`, erase below `ESC[J`, colour codes
 * ignored) and gives the rows a person would see. Lines wrap at `columns`.
 */
export function virtualScreen(output: string, columns = 80): string[] {
  const rows: string[][] = [[]];
  let row = 0;
  let column = 0;
  const line = (): string[] => (rows[row] ??= []);
  for (let index = 0; index < output.length; index++) {
    const character = output.charAt(index);
    if (character === "\u001b") {
      // eslint-disable-next-line no-control-regex -- escape sequences are what this reads
      const match = /^\u001b\[([0-9;]*)([A-Za-z])/.exec(output.slice(index));
      if (match === null) continue;
      index += match[0].length - 1;
      const count = Number(match[1] === "" ? "1" : match[1]);
      switch (match[2]) {
        case "A":
          row = Math.max(0, row - count);
          break;
        case "C":
          column += count;
          break;
        case "K":
          rows[row] = [];
          break;
        case "J":
          rows.length = row + 1;
          rows[row] = line().slice(0, column);
          break;
        default:
          break; // colours
      }
      continue;
    }
    if (character === "\r") {
      column = 0;
    } else if (character === "\n") {
      row += 1;
      column = 0;
      line();
    } else {
      if (column >= columns) {
        row += 1;
        column = 0;
      }
      const current = line();
      while (current.length < column) current.push(" ");
      current[column] = character;
      column += 1;
    }
  }
  return rows.map((cells) => cells.join("").trimEnd());
}
