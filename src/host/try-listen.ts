import { createServer, type AddressInfo } from "node:net";

/**
 * Binds `host:port` with Node's own listen for a moment, then lets it go: the port bound (a free
 * one for port 0), or the errno code that refused it (EADDRINUSE, EACCES…).
 */
export function tryListen(host: string, port: number): Promise<{ port: number } | { code: string | undefined }> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => resolve({ code: error.code }));
    probe.listen({ host, port, exclusive: true }, () => {
      const bound = (probe.address() as AddressInfo).port;
      probe.close(() => resolve({ port: bound }));
    });
  });
}
