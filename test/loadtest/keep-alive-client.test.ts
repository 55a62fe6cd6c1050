import { afterEach, describe, expect, test } from "bun:test";
import { KeepAliveClient, postRequest, ResponseReader } from "../../src/loadtest/keep-alive-client.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function reader() {
  const statuses: Array<number | null> = [];
  return { statuses, reader: new ResponseReader((status) => statuses.push(status)) };
}

describe("ResponseReader", () => {
  test("tells each response's status once its body has been read, however the bytes are split", () => {
    const { statuses, reader: responses } = reader();
    const text = "HTTP/1.1 202 Accepted\r\ncontent-length: 5\r\n\r\nhello" + "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 2\r\n\r\nno";
    for (let i = 0; i < text.length; i += 7) responses.push(bytes(text.slice(i, i + 7)));
    expect(statuses).toEqual([202, 429]);
  });

  test("a response without a body, and a chunked one, end where they end", () => {
    const { statuses, reader: responses } = reader();
    responses.push(bytes("HTTP/1.1 204 No Content\r\n\r\n"));
    responses.push(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));
    expect(statuses).toEqual([204]);
    responses.push(bytes("0\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"));
    expect(statuses).toEqual([204, 200, 202]);
  });

  test("what is not an HTTP response is told as a failure", () => {
    const { statuses, reader: responses } = reader();
    responses.push(bytes("SSH-2.0-OpenSSH\r\n\r\n"));
    expect(statuses).toEqual([null]);
  });
});

describe("postRequest", () => {
  test("is a whole POST with the body's length in bytes", () => {
    const text = new TextDecoder().decode(postRequest(new URL("http://127.0.0.1:3000/api/event"), '{"u":"é"}', { "User-Agent": "test" }));
    expect(text).toBe('POST /api/event HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nUser-Agent: test\r\nContent-Length: 10\r\n\r\n{"u":"é"}');
  });
});

describe("KeepAliveClient", () => {
  let server: ReturnType<typeof Bun.serve> | undefined;
  let client: KeepAliveClient | undefined;
  afterEach(() => {
    client?.close();
    server?.stop(true);
    server = client = undefined;
  });

  const send = (client: KeepAliveClient, url: URL, body: string) =>
    new Promise<number | null>((resolve) => client.send({ bytes: postRequest(url, body, {}), done: resolve }));

  test("sends every request over a few kept connections and tells each status", async () => {
    const peers = new Set<number>();
    server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(request, server) {
        peers.add(server.requestIP(request)!.port);
        const body = await request.text();
        return new Response(body, { status: body === "bad" ? 400 : 202 });
      },
    });
    const url = new URL(`http://127.0.0.1:${server.port}/api/event`);
    client = new KeepAliveClient([{ hostname: "127.0.0.1", port: server.port! }], 4);
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => send(client!, url, i === 7 ? "bad" : `event ${i}`)));
    expect(statuses.filter((status) => status === 202)).toHaveLength(39);
    expect(statuses[7]).toBe(400);
    expect(peers.size).toBeLessThanOrEqual(4);
    expect(client.inFlight).toBe(0);
  });

  test("a connection the server closes is opened again for the next request", async () => {
    let answered = 0;
    server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () => new Response(null, { status: 202, headers: { connection: "close" }, statusText: String(++answered) }),
    });
    const url = new URL(`http://127.0.0.1:${server.port}/api/event`);
    client = new KeepAliveClient([{ hostname: "127.0.0.1", port: server.port! }], 1);
    for (let i = 0; i < 3; i++) expect(await send(client, url, "x")).toBe(202);
    expect(answered).toBe(3);
  });

  test("requests to a server that is not there fail, and so do those left when it closes", async () => {
    client = new KeepAliveClient([{ hostname: "127.0.0.1", port: 1 }], 2);
    const url = new URL("http://127.0.0.1:1/api/event");
    expect(await Promise.all([send(client, url, "a"), send(client, url, "b"), send(client, url, "c")])).toEqual([null, null, null]);
    const waiting = new KeepAliveClient([{ hostname: "127.0.0.1", port: 1 }], 0);
    const left = send(waiting, url, "d");
    waiting.close();
    expect(await left).toBeNull();
  });
});
