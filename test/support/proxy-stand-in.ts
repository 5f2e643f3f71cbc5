/**
 * A forward proxy on loopback whose answer to each CONNECT is scripted: refuse it with a status (403 as a
 * squid that only allows port 443 does, 407 for credentials, 502 for an upstream it cannot reach), or open
 * the tunnel — always to 127.0.0.1 at the requested port, whatever the host name, so a request for
 * `hub.invalid:PORT` reaches a loopback stand-in and nothing ever leaves the machine.
 */
import http from "node:http";
import net, { type AddressInfo } from "node:net";

/** How the proxy answers one CONNECT. */
export type ConnectAnswer = { refuse: number } | "tunnel";

/** One CONNECT received. */
export interface ConnectRequest {
  /** `host:port` asked for. */
  target: string;
  /** The `Proxy-Authorization` header sent, if any. */
  authorization: string | undefined;
}

export interface ProxyStandIn {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** `127.0.0.1:<port>`, as error messages name it. */
  address: string;
  port: number;
  /** Every CONNECT so far, in order. */
  connects: ConnectRequest[];
  close(): Promise<void>;
}

const REASONS: Readonly<Record<number, string>> = {
  403: "Forbidden",
  407: "Proxy Authentication Required",
  502: "Bad Gateway",
};

/** Starts the proxy; `answer` decides each CONNECT (its 0-based index counts every CONNECT so far). */
export async function startProxyStandIn(
  answer: (request: ConnectRequest, index: number) => ConnectAnswer,
): Promise<ProxyStandIn> {
  const connects: ConnectRequest[] = [];
  // Tunnelled sockets leave the HTTP server's books, so `closeAllConnections` would not end them.
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  const server = http.createServer((_request, response) => {
    // Only tunnels are scripted; cmdai never sends plain proxy requests.
    response.writeHead(405).end();
  });
  server.on("connect", (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const header = request.headers["proxy-authorization"];
    const connect: ConnectRequest = { target: request.url ?? "", authorization: header };
    connects.push(connect);
    track(client);
    client.on("error", () => undefined);
    const decision = answer(connect, connects.length - 1);
    if (decision !== "tunnel") {
      const status = decision.refuse;
      const extra = status === 407 ? 'Proxy-Authenticate: Basic realm="stand-in"\r\n' : "";
      client.end(`HTTP/1.1 ${status} ${REASONS[status] ?? "Refused"}\r\n${extra}Content-Length: 0\r\n\r\n`);
      return;
    }
    const port = Number.parseInt(connect.target.split(":").at(-1) ?? "", 10);
    const upstream = net.connect(port, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on("error", () => client.destroy());
    // A server that cuts its connection mid-body cuts the tunnel with it, as a real proxy passes it on.
    upstream.on("close", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    address: `127.0.0.1:${port}`,
    port,
    connects,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A loopback port nothing listens on (taken from the OS, then released). */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
