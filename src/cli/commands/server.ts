/** `cmdai server status | stop` (and `run`, which cmdai starts itself): the warm model server. */
import { currentPathEnvironment } from "../../config/paths.js";
import {
  listWarmServers,
  readWarmServerSpec,
  runWarmServer,
  stopWarmServers,
} from "../../core/warm-server-process.js";
import { ExitCode, UsageError } from "../../errors.js";
import type { CliIo } from "../io.js";
import { packageVersion } from "../version.js";

export interface ServerCommandOptions {
  json?: boolean | undefined;
}

function ageText(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

export async function runServerCommand(
  action: string,
  options: ServerCommandOptions,
  io: CliIo,
): Promise<number> {
  const paths = { ...currentPathEnvironment(), env: io.env };
  switch (action) {
    case "run":
      await runWarmServer(readWarmServerSpec(io.env), { version: packageVersion(), env: io.env });
      return ExitCode.ok;
    case "status": {
      const servers = await listWarmServers(paths);
      if (options.json === true) {
        io.stdout.write(
          `${JSON.stringify({ servers: servers.map((server) => ({ socket: server.socketPath, ...server.status })) }, null, 2)}\n`,
        );
      } else if (servers.length === 0) {
        io.stdout.write("No model server is running (one starts with the next embedded request).\n");
      } else {
        for (const { socketPath, status } of servers) {
          io.stdout.write(
            `pid ${status.pid}  model ${status.model}  served ${status.served}  up ${ageText(status.startedAt)}  ` +
              `idle ${ageText(status.lastUsedAt)} of ${status.idleTimeoutSeconds} s  ${socketPath}\n`,
          );
        }
      }
      return ExitCode.ok;
    }
    case "stop": {
      const stopped = await stopWarmServers(paths);
      if (options.json === true) io.stdout.write(`${JSON.stringify({ stopped })}\n`);
      else
        io.stderr.write(
          stopped === 0
            ? "cmdai: no model server was running.\n"
            : `cmdai: stopped ${stopped} model server(s).\n`,
        );
      return ExitCode.ok;
    }
    default:
      throw new UsageError(`Unknown server action "${action}".`, {
        hint: "Use `cmdai server status` or `cmdai server stop`.",
      });
  }
}
