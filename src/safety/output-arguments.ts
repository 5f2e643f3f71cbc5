/**
 * Files that a command writes through its arguments rather than a redirection: `sort -o FILE`, `uniq IN OUT`,
 * `openssl … -out FILE`, `wget -O FILE`, `curl -o FILE`, `tee FILE`, `cp … DEST`, `install … DEST`, `dd of=FILE`,
 * `sed -i … FILE`, `gpg -o FILE`, `ssh-keygen -f FILE`. Each is judged as a `>` redirection to it would be
 * (`write-target.ts`), so `sudo sort -o /etc/passwd` is as critical as `> /etc/passwd`.
 */
import { operands } from "./command-words.js";

/** One file a command writes. */
export interface WrittenFile {
  path: string;
  append: boolean;
  /** Files are written into this folder (an archive extracted there, a download saved there). */
  folder?: boolean;
}

type Finder = (args: readonly string[]) => WrittenFile[];

/** The value of an option written `-o FILE`, `-oFILE`, `--output FILE` or `--output=FILE`, wherever it appears. */
function optionValues(args: readonly string[], short: readonly string[], long: readonly string[]): string[] {
  const values: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const word = args[index] ?? "";
    if (word === "--") break;
    if (short.includes(word) || long.includes(word)) {
      const value = args[index + 1];
      if (value !== undefined) values.push(value);
      index++;
      continue;
    }
    for (const name of long) if (word.startsWith(`${name}=`)) values.push(word.slice(name.length + 1));
    if (word.startsWith("--") || !word.startsWith("-")) continue;
    for (const name of short) {
      if (name.length !== 2) continue;
      const letter = name.charAt(1);
      // `-oFILE`, and clustered flags ending in the option (`curl -sSLo FILE`, `wget -qO FILE`).
      if (word.startsWith(name) && word.length > 2 && !/^[A-Za-z]+$/.test(word.slice(2)))
        values.push(word.slice(2));
      else if (new RegExp(`^-[A-Za-z]*${letter}$`).test(word) && word.length > 2) {
        const value = args[index + 1];
        if (value !== undefined) values.push(value);
        index++;
      }
    }
  }
  return values;
}

/** The folder a command extracts or downloads into (`tar -C DIR`, `unzip -d DIR`, `wget -P DIR`). */
const folder = (paths: readonly string[]): WrittenFile[] =>
  paths.filter((path) => path !== "").map((path) => ({ path, append: false, folder: true }));

const written = (paths: readonly string[], append = false): WrittenFile[] =>
  paths.filter((path) => path !== "" && path !== "-").map((path) => ({ path, append }));

/** The destination of `cp`/`mv`/`install`/`ln`: `-t DIR`, else the last operand. */
function destination(args: readonly string[], valued: readonly string[]): WrittenFile[] {
  const target = optionValues(args, ["-t"], ["--target-directory"]);
  if (target.length > 0) return written(target);
  const words = operands(args, valued);
  return words.length >= 2 ? written([words.at(-1) ?? ""]) : [];
}

const FINDERS: Record<string, Finder> = {
  sort: (args) => written(optionValues(args, ["-o"], ["--output"])),
  uniq: (args) =>
    written(operands(args, ["-f", "-s", "-w", "--skip-fields", "--skip-chars", "--check-chars"]).slice(1, 2)),
  openssl: (args) => written(optionValues(args, ["-out", "-keyout", "-signature"], [])),
  wget: (args) =>
    written([
      ...optionValues(args, ["-O"], ["--output-document"]),
      ...optionValues(args, ["-o", "-a"], ["--output-file", "--append-output"]),
    ]),
  curl: (args) =>
    written([
      ...optionValues(
        args,
        ["-o", "-D", "-c"],
        ["--output", "--dump-header", "--cookie-jar", "--trace", "--trace-ascii", "--stderr"],
      ),
    ]),
  aria2c: (args) => {
    const directory = optionValues(args, ["-d"], ["--dir"])[0];
    const names = optionValues(args, ["-o"], ["--out"]);
    return directory === undefined
      ? written(names)
      : names.length > 0
        ? written(names.map((name) => `${directory}/${name}`))
        : folder([directory]);
  },
  scp: (args) => {
    const words = operands(args, ["-P", "-i", "-o", "-F", "-S", "-c", "-l", "-J"]);
    const target = words.at(-1) ?? "";
    return words.length >= 2 && !/^[^/]*:/.test(target) ? written([target]) : [];
  },
  sponge: (args) => written(operands(args), args.includes("-a")),
  split: (args) => written(operands(args, ["-b", "-l", "-n", "-C", "-a", "--additional-suffix"]).slice(1, 2)),
  csplit: (args) => written(optionValues(args, ["-f"], ["--prefix"])),
  tar: (args) =>
    args.some((word) => /^(-?[a-zA-Z]*x|--extract|--get)/.test(word))
      ? folder(
          optionValues(args, ["-C"], ["--directory"]).length > 0
            ? optionValues(args, ["-C"], ["--directory"])
            : [],
        )
      : [],
  unzip: (args) => folder(optionValues(args, ["-d"], [])),
  cpio: (args) => folder(optionValues(args, ["-D"], ["--directory"])),
  "7z": (args) =>
    folder(args.filter((word) => word.startsWith("-o") && word.length > 2).map((word) => word.slice(2))),
  git: (args) => {
    const tree = optionValues(args, [], ["--work-tree"])[0];
    return tree !== undefined &&
      args.some((word) => /^(checkout|reset|restore|stash|pull|merge|switch)$/.test(word))
      ? folder([tree])
      : [];
  },
  python3: (args) =>
    args[0] === "-m" && args[1] === "json.tool" ? written(operands(args.slice(2)).slice(1, 2)) : [],
  python: (args) =>
    args[0] === "-m" && args[1] === "json.tool" ? written(operands(args.slice(2)).slice(1, 2)) : [],
  socat: (args) =>
    written(
      args
        .filter((word) => /^(CREATE|OPEN|GOPEN):/i.test(word))
        .map((word) => word.replace(/^\w+:/, "").replace(/,.*$/, "")),
    ),
  sqlite3: (args) =>
    written(
      args.flatMap((word) =>
        [...word.matchAll(/\.(?:output|once)\s+([^\s|][^\s]*)/g)].map((match) => match[1] ?? ""),
      ),
    ),
  ex: editedFiles,
  vim: editedFiles,
  vi: editedFiles,
  nvim: editedFiles,
  ed: (args) => written(operands(args, ["-p"]).slice(0, 1)),
  tee: (args) => written(operands(args), args.includes("-a") || args.includes("--append")),
  cp: (args) => destination(args, ["-S", "--suffix"]),
  mv: (args) => destination(args, ["-S", "--suffix"]),
  install: (args) => destination(args, ["-m", "--mode", "-o", "--owner", "-g", "--group", "-S", "--suffix"]),
  ln: (args) => destination(args, ["-S", "--suffix"]),
  rsync: (args) => {
    const words = operands(args, [
      "-e",
      "--rsh",
      "--rsync-path",
      "--exclude",
      "--include",
      "--filter",
      "-f",
      "--chmod",
      "--chown",
      "--log-file",
    ]);
    const target = words.at(-1) ?? "";
    return words.length >= 2 && !/^[^/]*:/.test(target) ? written([target]) : [];
  },
  dd: (args) => written(args.filter((word) => word.startsWith("of=")).map((word) => word.slice(3))),
  sed: (args) =>
    args.some((word) => /^(-[a-zA-Z]*i|--in-place)/.test(word))
      ? written(
          operands(args, ["-e", "-f", "--expression", "--file", "-l", "--line-length"]).slice(
            args.some(
              (word) =>
                word === "-e" ||
                word === "-f" ||
                word.startsWith("--expression") ||
                word.startsWith("--file"),
            )
              ? 0
              : 1,
          ),
        )
      : [],
  perl: (args) =>
    args.some((word) => /^-[a-zA-Z]*i/.test(word))
      ? written(operands(args, ["-e", "-E", "-M", "-I", "-m"]))
      : [],
  truncate: (args) => written(operands(args, ["-s", "--size", "-r", "--reference"])),
  gpg: (args) => written(optionValues(args, ["-o"], ["--output"])),
  "ssh-keygen": (args) =>
    args.some((word) => /^-[a-zA-Z]*[lFyBL]/.test(word)) ? [] : written(optionValues(args, ["-f"], [])),
  iconv: (args) => written(optionValues(args, ["-o"], ["--output"])),
  base64: (args) => written(optionValues(args, ["-o"], ["--output"])),
  xxd: (args) => written(operands(args, ["-c", "-g", "-l", "-s", "-o", "-n"]).slice(1, 2)),
  zstd: (args) => written(optionValues(args, ["-o"], [])),
  patch: (args) =>
    written([
      ...optionValues(args, ["-o"], ["--output"]),
      ...operands(args, ["-p", "-i", "-o", "-d", "-F", "-z", "-B", "-Y", "-V", "-r", "-D"]).slice(0, 1),
    ]),
  gcc: (args) => written(optionValues(args, ["-o"], [])),
  cc: (args) => written(optionValues(args, ["-o"], [])),
  "g++": (args) => written(optionValues(args, ["-o"], [])),
  clang: (args) => written(optionValues(args, ["-o"], [])),
  strip: (args) => written(optionValues(args, ["-o"], [])),
  tcpdump: (args) => written(optionValues(args, ["-w"], [])),
  touch: (args) => written(operands(args, ["-d", "-t", "-r", "--date", "--reference"])),
  htpasswd: (args) => written(operands(args).slice(0, 1)),
  pandoc: (args) => written(optionValues(args, ["-o"], ["--output"])),
  ffmpeg: (args) =>
    written(
      operands(args, [
        "-i",
        "-f",
        "-c",
        "-codec",
        "-vcodec",
        "-acodec",
        "-b",
        "-r",
        "-s",
        "-ss",
        "-t",
        "-to",
        "-vf",
        "-af",
        "-map",
        "-filter_complex",
        "-preset",
        "-crf",
        "-c:v",
        "-c:a",
        "-b:v",
        "-b:a",
        "-q:v",
        "-q:a",
        "-metadata",
      ]).slice(-1),
    ),
  convert: (args) =>
    written(
      operands(args)
        .slice(-1)
        .map((word) => word.replace(/^[a-z0-9]+:(?=\/)/i, "")),
    ),
  magick: (args) =>
    written(
      operands(args)
        .slice(-1)
        .map((word) => word.replace(/^[a-z0-9]+:(?=\/)/i, "")),
    ),
  "qemu-img": (args) =>
    args[0] === "convert" || args[0] === "dd"
      ? written(operands(args.slice(1), ["-f", "-O", "-o", "-t", "-T"]).slice(-1))
      : [],
  ddrescue: (args) => written(operands(args).slice(1, 2)),
  mkisofs: (args) => written(optionValues(args, ["-o"], [])),
  genisoimage: (args) => written(optionValues(args, ["-o"], [])),
  xorriso: (args) => written(optionValues(args, ["-outdev"], [])),
};
FINDERS.gsort = (args) => written(optionValues(args, ["-o"], ["--output"]));

/** `vim -es -c … -c wq FILE`, `ex -sc '%d|x' FILE`: an editor run with commands that write saves its files. */
function editedFiles(args: readonly string[]): WrittenFile[] {
  const commands = args
    .filter((word, index) => word.startsWith("+") || ["-c", "--cmd"].includes(args[index - 1] ?? ""))
    .join("|");
  const joined =
    args.filter((word) => /^-[a-zA-Z]*c/.test(word)).length > 0 ? `${commands}|${args.join(" ")}` : commands;
  if (
    !/(^|[|:\s])(w|wq|x|wq!|w!|up|update|sav|saveas|exit|xit)(!|\s|$|\|)/.test(joined) &&
    !/\|x\b|%d\|x/.test(joined)
  )
    return [];
  return written(
    operands(args, ["-c", "--cmd", "-S", "-u", "-i", "-s", "-T", "-w", "-W"]).filter(
      (word) => !word.startsWith("+"),
    ),
  );
}

/** The files a command writes through its arguments (no redirections); empty when none or unknown. */
export function writtenFiles(name: string, args: readonly string[]): WrittenFile[] {
  const finder = Object.hasOwn(FINDERS, name) ? FINDERS[name] : undefined;
  return finder === undefined ? [] : finder(args);
}
