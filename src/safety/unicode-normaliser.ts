/**
 * Look-alike characters: `rm –rf /` with an en dash, `rm` with a Cyrillic `р`, non-breaking or zero-width spaces.
 * The shell would treat them as different characters, so the command may not do what it looks like; a person
 * reading it would see something else. They are mapped to ASCII for judging, and the command is flagged.
 */

const INVISIBLE =
  /\u00AD|\u034F|\u061C|\u115F|\u1160|\u17B4|\u17B5|\u180E|[\u200B-\u200F]|[\u202A-\u202E]|[\u2060-\u2064]|[\u2066-\u206F]|\uFEFF/g;
const ODD_SPACE = /[\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/g;
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g;
const QUOTES: Record<string, string> = {
  "\u2018": "'",
  "\u2019": "'",
  "\u201A": "'",
  "\u201B": "'",
  "\u2032": "'",
  "\u201C": '"',
  "\u201D": '"',
  "\u201E": '"',
  "\u2033": '"',
};
const CONFUSABLES: Record<string, string> = {
  а: "a",
  в: "b",
  е: "e",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  ѕ: "s",
  і: "i",
  ј: "j",
  ԁ: "d",
  һ: "h",
  ӏ: "l",
  ԛ: "q",
  ԝ: "w",
  ɡ: "g",
  ɑ: "a",
  А: "A",
  В: "B",
  Е: "E",
  К: "K",
  М: "M",
  Н: "H",
  О: "O",
  Р: "P",
  С: "C",
  Т: "T",
  Х: "X",
  Ѕ: "S",
  І: "I",
  Ј: "J",
  α: "a",
  ε: "e",
  ι: "i",
  κ: "k",
  ν: "v",
  ο: "o",
  ρ: "p",
  τ: "t",
  υ: "u",
  χ: "x",
  Α: "A",
  Β: "B",
  Ε: "E",
  Ζ: "Z",
  Η: "H",
  Ι: "I",
  Κ: "K",
  Μ: "M",
  Ν: "N",
  Ο: "O",
  Ρ: "P",
  Τ: "T",
  Υ: "Y",
  Χ: "X",
  "⁄": "/",
  "∕": "/",
  "∖": "\\",
  ǀ: "|",
  "│": "|",
  "；": ";",
  "＆": "&",
  "｜": "|",
};
const CONFUSABLE_CHARACTERS = new RegExp(`[${Object.keys(CONFUSABLES).join("")}]`, "u");

/** The command as judged, and whether anything had to be mapped. */
export interface NormalisedText {
  text: string;
  suspicious: boolean;
}

/** Maps look-alikes to ASCII. Genuine non-Latin words (all letters from one other script) are left alone. */
export function normaliseLookAlikes(command: string): NormalisedText {
  // eslint-disable-next-line no-control-regex -- the fast path is exactly "plain ASCII"
  if (/^[\x00-\x7F]*$/.test(command)) return { text: command, suspicious: false };
  let text = command.replace(INVISIBLE, "").replace(ODD_SPACE, " ").replace(DASHES, "-");
  text = text.replace(
    /[\u2018\u2019\u201A\u201B\u2032\u201C\u201D\u201E\u2033]/g,
    (character) => QUOTES[character] ?? character,
  );
  text = text.normalize("NFKC");
  text = text.replace(/\S+/g, (word) => {
    if (!CONFUSABLE_CHARACTERS.test(word)) return word;
    const letters = Array.from(word).filter(
      (character) => /\p{L}/u.test(character) && !/[A-Za-z]/.test(character),
    );
    const allConfusable = letters.every((character) => Object.hasOwn(CONFUSABLES, character));
    const mixed = /[A-Za-z]/.test(word);
    return allConfusable || mixed
      ? Array.from(word)
          .map((character) => CONFUSABLES[character] ?? character)
          .join("")
      : word;
  });
  return { text, suspicious: text !== command };
}
