/** Database clients: statements that destroy or change data, and tools that drop databases. */
import { hasWord } from "../command-words.js";
import type { CommandContext, SafetyRule } from "./rule.js";

const SQL_DESTRUCTIVE =
  /\b(drop\s+(database|schema|table|user|role|index|view|collection|keyspace)|truncate(\s+table)?\s+[`"\w]|delete\s+from\s+[`"\w.]+\s*(;|$|"|')|update\s+[`"\w.]+\s+set\s+(?:(?!\bwhere\b)[^;])*(;|$)|flushall|flushdb|dropDatabase\s*\(|\.drop\s*\(|deleteMany\s*\(\s*\{\s*\}\s*\)|remove\s*\(\s*\{\s*\}\s*\)|alter\s+table\s+\S+\s+drop)/i;
const SQL_WRITE =
  /\b(insert\s+into|replace\s+into|merge\s+into|update\s+[`"\w.]+\s+set|delete\s+from|create\s+(table|database|schema|index|view|user|role)|alter\s+(table|database|user|role)|grant|revoke|copy\s+\S+\s+from)\b|\.(insert|update|delete|replace)(One|Many)?\s*\(/i;
const DATABASE_CLIENTS = [
  "psql",
  "mysql",
  "mariadb",
  "sqlite3",
  "sqlite",
  "mongo",
  "mongosh",
  "redis-cli",
  "clickhouse-client",
  "clickhouse",
  "cqlsh",
  "sqlcmd",
  "duckdb",
  "cockroach",
  "influx",
  "valkey-cli",
  "keydb-cli",
  "pgcli",
  "mycli",
  "usql",
  "snowsql",
  "bq",
  "trino",
  "presto",
];

const REDIS_VALUED = new Set([
  "-h",
  "-p",
  "-a",
  "-n",
  "-u",
  "-s",
  "--user",
  "--pass",
  "--tls",
  "-r",
  "-i",
  "--cacert",
  "--cert",
  "--key",
]);

/**
 * The statements a database client runs. SQL string literals are blanked (`SELECT 'DROP TABLE x'` only
 * mentions a drop); for redis-cli only the command word counts (`GET flushall` reads a key named flushall).
 */
function databaseText(context: CommandContext): string {
  if (context.name === "redis-cli") {
    const words: string[] = [];
    for (let index = 0; index < context.args.length; index++) {
      const word = context.args[index] ?? "";
      if (REDIS_VALUED.has(word)) index++;
      else if (!word.startsWith("-")) {
        words.push(word);
        break;
      }
    }
    const piped = (context.stdinText ?? "").split("\n").map((line) => line.trim().split(/\s+/)[0] ?? "");
    return [...words, ...piped].join(" ; ");
  }
  const text = `${context.args.join(" ")} ${context.stdinText ?? ""}`;
  return /^(mongo|mongosh)$/.test(context.name) ? text : text.replace(/'(?:[^']|'')*'/g, "''");
}

export const databaseRules: SafetyRule[] = [
  {
    id: "database-destructive",
    commands: DATABASE_CLIENTS,
    level: "high",
    matches: (context) => SQL_DESTRUCTIVE.test(databaseText(context)),
    message: "Drops, truncates or wipes database data.",
    saferAlternative: "take a dump first (`pg_dump`, `mysqldump`) and run inside a transaction",
    example: `psql -c "DROP DATABASE production;"`,
  },
  {
    id: "database-write",
    commands: DATABASE_CLIENTS,
    level: "moderate",
    matches: (context) => SQL_WRITE.test(databaseText(context)),
    message: "Changes data or schema in the database.",
    saferAlternative: "run it inside a transaction (`BEGIN; …; ROLLBACK;`) first to check what it changes",
    example: `psql -c "UPDATE users SET name = 'x' WHERE id = 3"`,
  },
  {
    id: "database-drop-tool",
    commands: ["dropdb", "dropuser", "mysqladmin"],
    level: "high",
    matches: (context) => context.name !== "mysqladmin" || hasWord(context.args, "drop", "DROP"),
    message: "Deletes a database or database user.",
    saferAlternative: "dump the database first",
    example: "dropdb production",
  },
];
