/**
 * A network link that a test can cut: a TCP proxy on 127.0.0.1 in front of a target port. `cut()` drops every
 * connection and refuses new ones, as a pulled cable or a dead uplink would; `restore()` accepts again on the same
 * port.
 */
import net from "node:net";
import { freePort } from "../harness/index.js";

export class CuttableLink {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    readonly port: number,
    private readonly targetPort: number,
  ) {}

  /** Opens a link on a free port to `targetPort` on 127.0.0.1. */
  static async open(targetPort: number): Promise<CuttableLink> {
    const link = new CuttableLink(await freePort(), targetPort);
    await link.restore();
    return link;
  }

  /** True while connections pass. */
  get up(): boolean {
    return this.server !== undefined;
  }

  /** Accepts and forwards connections again. */
  async restore(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, "127.0.0.1");
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.server = server;
  }

  /** Drops every connection and stops accepting. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    // Stop accepting first, so nothing reconnects between the drop and the close.
    const closed = server ? new Promise((resolve) => server.close(resolve)) : Promise.resolve();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }
}
