/**
 * Library functions whose result the evaluator can work out from static arguments: character codes, base64/hex/
 * rot13 decoders, path joins, globs, `sprintf`, `join`, `paste`. Anything else is {@link UNKNOWN}.
 */
import {
  base64Decode,
  decoded,
  hexDecode,
  joinValues,
  pathJoin,
  PRINTF,
  rot13,
  substituteFormat,
  textJoin,
  UNKNOWN,
  unknown,
  type Scope,
  type Value,
} from "./value-basics.js";

/** The value of a call to `name` with `args`, when it is one the evaluator knows. */
export function knownCall(name: string, args: readonly Value[], scope: Scope): Value {
  const base = name.replace(/^.*\./, "");
  const first = args[0];
  switch (base) {
    case "chr":
    case "fromCharCode":
    case "char":
    case "Char":
      return decoded(args.map((arg) => String.fromCharCode(Number(arg.text))).join(""));
    case "b64decode":
    case "decodebytes":
    case "urlsafe_b64decode":
    case "atob":
    case "decode_base64":
    case "decode64":
    case "strict_decode64":
    case "urlsafe_decode64":
    case "base64_decode":
    case "base64decode":
      return decoded(base64Decode(first?.text));
    case "fromhex":
    case "unhexlify":
    case "hex2bin":
      return decoded(hexDecode(first?.text));
    case "pack":
      return (first?.text ?? "").startsWith("H")
        ? decoded(hexDecode(args[1]?.text))
        : unknown({ decoded: true });
    case "from":
      if (name.endsWith("Buffer.from")) {
        const encoding = args[1]?.text;
        if (encoding === "base64") return decoded(base64Decode(first?.text));
        if (encoding === "hex") return decoded(hexDecode(first?.text));
        return first ?? unknown();
      }
      return unknown();
    case "decode":
      if (/rot_?13/.test(args[1]?.text ?? "")) return decoded(rot13(first?.text));
      return /codecs/.test(name) ? unknown({ decoded: true }) : (first ?? unknown());
    case "str_rot13":
      return decoded(rot13(first?.text));
    case "decompress":
    case "gzinflate":
    case "gzuncompress":
    case "inflateSync":
    case "gunzipSync":
    case "loads":
      return unknown({ decoded: true });
    case "join":
      if (/path|File|os\.path/.test(name) || name === "join" ? /path|File/.test(name) : false)
        return pathJoin(args);
      if (scope.language === "perl" || name === "join") return textJoin(first?.text ?? "", args.slice(1));
      return pathJoin(args);
    case "implode":
      return textJoin(first?.text ?? "", args.slice(1));
    case "resolve":
    case "abspath":
    case "realpath":
    case "normpath":
    case "expanduser":
    case "expand_path":
    case "Path":
    case "PurePath":
    case "str":
    case "String":
    case "compile":
    case "strip":
    case "chomp":
    case "trim":
    case "fspath":
      return name === "compile" || first === undefined
        ? (first ?? unknown())
        : { ...first, text: first.text };
    case "glob":
    case "iglob":
    case "rglob":
      return first ?? unknown();
    case "sprintf":
    case "format":
      return { ...joinValues(args), text: substituteFormat(first?.text ?? UNKNOWN, args.slice(1), PRINTF) };
    case "paste":
    case "paste0":
      return textJoin(base === "paste0" ? "" : " ", args);
    default:
      return unknown();
  }
}
