#!/usr/bin/env node
// Points the Homebrew formula at a published npm tarball: rewrites its `url` and `sha256` lines in place.
// Usage: node packaging/homebrew/update-formula.mjs FORMULA VERSION SHA256   (used by .github/workflows/release.yml)
import fs from "node:fs";
import process from "node:process";

const [formulaPath, version, sha256] = process.argv.slice(2);
if (
  formulaPath === undefined ||
  !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version ?? "") ||
  !/^[0-9a-f]{64}$/.test(sha256 ?? "")
) {
  process.stderr.write(
    "usage: update-formula.mjs FORMULA VERSION SHA256  (VERSION like 1.2.3, SHA256 as 64 hex digits)\n",
  );
  process.exit(2);
}
const text = fs.readFileSync(formulaPath, "utf8");
const updated = text
  .replace(/^(\s*url\s+")[^"]*(")/m, `$1https://registry.npmjs.org/cmdai/-/cmdai-${version}.tgz$2`)
  .replace(/^(\s*sha256\s+")[0-9a-f]*(")/m, `$1${sha256}$2`);
if (!updated.includes(`cmdai-${version}.tgz`) || !updated.includes(sha256)) {
  process.stderr.write(`${formulaPath}: no url / sha256 line found to update\n`);
  process.exit(1);
}
// Write beside and rename, so an interrupted run never leaves half a formula.
fs.writeFileSync(`${formulaPath}.tmp`, updated);
fs.renameSync(`${formulaPath}.tmp`, formulaPath);
process.stdout.write(`${formulaPath}: cmdai ${version} (${sha256})\n`);
