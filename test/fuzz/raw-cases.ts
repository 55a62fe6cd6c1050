/**
 * Requests over raw TCP that fetch() would never send: lying or repeated Content-Length, broken
 * chunked bodies, huge and malformed headers, bad Host headers, garbage request lines, odd targets,
 * and requests cut off half-way. The server must answer with a 4xx or close; a few must be left
 * waiting (a body that never comes), which is the client's timeout to end, not the server's fault.
 */
import { ANY_CLIENT_ERROR, MUTANT_SITE, type RawCase } from "./cases.ts";
import type { Payload } from "./raw-http.ts";
import { BROWSER_UAS, type Rng } from "./generators.ts";

/** Answered at once, or the server closes: a client should never need this long. */
const ANSWER_MS = 3000;
/** How long a request the server must wait on is kept open before we give up on it. */
const WAIT_MS = 400;

/** An event missing its url: a 400 whenever it is read whole. */
const BAD_EVENT = '{"n":"pageview","d":"mutant.test"}';
const GOOD_EVENT = JSON.stringify({ n: "pageview", u: `https://${MUTANT_SITE}/raw`, d: MUTANT_SITE });

function raw(label: string, payload: Payload, expect: readonly number[], options: Partial<Pick<RawCase, "hangUp" | "head" | "mayClose" | "mayWait">> = {}): RawCase {
  const mayWait = options.mayWait ?? false;
  return { kind: "raw", category: "raw", label, payload, expect, mayClose: options.mayClose ?? true, mayWait, timeoutMs: mayWait ? WAIT_MS : ANSWER_MS, ...options };
}

function request(port: number, head: string, body = ""): string {
  return `${head.replace("HOST", `Host: 127.0.0.1:${port}`)}\r\n\r\n${body}`;
}

function chunked(body: string): string {
  return `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
}

export function rawCase(rng: Rng, port: number): RawCase {
  const post = (headers: string) => `POST /api/event HTTP/1.1\r\nHOST\r\nUser-Agent: ${rng.pick(BROWSER_UAS)}${headers}`;
  switch (rng.int(16)) {
    case 0: {
      const extra = rng.between(1, 20_000);
      const head = post(`\r\nContent-Length: ${BAD_EVENT.length + extra}`);
      // Declared over 8 KiB: refused from the header alone. Else the server waits for the rest.
      return raw(`Content-Length ${extra} larger than the body`, request(port, head, BAD_EVENT), [400, 413], { mayWait: true });
    }
    case 1: {
      const declared = rng.int(BAD_EVENT.length);
      return raw(`Content-Length ${declared} smaller than the body`, request(port, post(`\r\nContent-Length: ${declared}`), BAD_EVENT), [400]);
    }
    case 2: {
      const [a, b] = rng.pick([[BAD_EVENT.length, BAD_EVENT.length + 3], [BAD_EVENT.length, BAD_EVENT.length], [0, BAD_EVENT.length], [BAD_EVENT.length, -1]]);
      return raw(`Content-Length ${a} and ${b}`, request(port, post(`\r\nContent-Length: ${a}\r\nContent-Length: ${b}`), BAD_EVENT), [400]);
    }
    case 3: return raw("Content-Length with Transfer-Encoding: chunked", request(port, post(`\r\nContent-Length: 5\r\nTransfer-Encoding: chunked`), chunked(BAD_EVENT)), [400]);
    case 4: {
      const broken = rng.pick([
        ["a size that is not hex", `zz\r\n${BAD_EVENT}\r\n0\r\n\r\n`, false],
        ["a negative size", `-5\r\nabcde\r\n0\r\n\r\n`, false],
        ["a size past 64 bits", `FFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n`, false],
        ["no CRLF after the data", `5\r\nabcdeXY0\r\n\r\n`, false],
        ["a size larger than the data", `400\r\n${BAD_EVENT}`, true],
        ["no last chunk", `${BAD_EVENT.length.toString(16)}\r\n${BAD_EVENT}\r\n`, true],
      ] as const);
      return raw(`chunked body with ${broken[0]}`, request(port, post("\r\nTransfer-Encoding: chunked"), broken[1]), [400, 413], { mayWait: broken[2] });
    }
    case 5: {
      if (rng.chance(0.2)) {
        // Past Bun's maxRequestBodySize: refused before the handler reads it, with no JSON body.
        const size = rng.between(65 * 1024, 400 * 1024);
        return raw(`a body of ${size} bytes`, request(port, post(`\r\nContent-Length: ${size}`), " ".repeat(size)), [413]);
      }
      const good = rng.chance(0.3);
      const body = good ? GOOD_EVENT : rng.chance(0.5) ? BAD_EVENT : " ".repeat(9000);
      return raw(`a well-formed chunked body (${good ? "valid" : "invalid"})`, request(port, post("\r\nTransfer-Encoding: chunked"), chunked(body)), good ? [202] : [400, 413], { mayClose: false });
    }
    case 6: {
      const size = rng.pick([rng.between(1000, 8000), rng.between(8000, 20_000), rng.between(20_000, 100_000)]);
      return raw(`a header value of ${size} bytes`, request(port, `GET /healthz HTTP/1.1\r\nHOST\r\nX-Big: ${"b".repeat(size)}`), [200, 431]);
    }
    case 7: {
      const count = rng.pick([rng.between(10, 90), rng.between(90, 300), rng.between(300, 3000)]);
      const headers = Array.from({ length: count }, (_, i) => `X-H${i}: ${i}`).join("\r\n");
      return raw(`${count} headers`, request(port, `GET /healthz HTTP/1.1\r\nHOST\r\n${headers}`), [200, 431]);
    }
    case 8: {
      const [label, line] = rng.pick([
        ["a control character in a value", "X-A: a\u0001b"],
        ["a header without a colon", "X-A b"],
        ["a space before the colon", "X-A : b"],
        ["an obsolete folded line", "X-A: a\r\n  folded"],
        ["a NUL in a header name", "X-\u0000A: b"],
        ["UTF-8 in a header value", "X-Emoji: 🎉 ünï"],
        ["an empty header name", ": b"],
        ["a bare CR", "X-A: a\rb"],
      ] as const);
      return raw(`GET /healthz with ${label}`, new TextEncoder().encode(request(port, `GET /healthz HTTP/1.1\r\nHOST\r\n${line}`)), [200, 400]);
    }
    case 9: {
      // A Host that makes no URL: the request's URL cannot be parsed (was a 500 with Bun's error page).
      const host = rng.pick(["", "a b", "[::1", "a/b?c", "x:99999", "a%00", "a@b", "a#b", "a\\b", "é.test"]);
      return raw(`Host ${JSON.stringify(host)}`, new TextEncoder().encode(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`), [400]);
    }
    case 10: {
      const [label, payload, expect] = rng.pick([
        ["HTTP/1.0 without a Host", "GET /healthz HTTP/1.0\r\n\r\n", [200, 400]],
        ["POST HTTP/1.0 without a Host", `POST /api/event HTTP/1.0\r\nContent-Length: ${BAD_EVENT.length}\r\n\r\n${BAD_EVENT}`, [400]],
        ["HTTP/1.0 with a Host", request(port, "GET /healthz HTTP/1.0\r\nHOST"), [200]],
        ["an absolute-form target", request(port, "GET http://evil.test/healthz HTTP/1.1\r\nHOST"), [200, 400]],
        ["an upgrade to a route that has none", request(port, "GET /healthz HTTP/1.1\r\nHOST\r\nConnection: Upgrade\r\nUpgrade: websocket"), [200, 400, 426]],
        ["five pipelined unknown routes", request(port, "GET /nope HTTP/1.1\r\nHOST").repeat(5), [404]],
      ] as const);
      return raw(label, payload, expect);
    }
    case 11: {
      const [label, target, expect] = rng.pick([
        ["a dot-dot traversal", "/../../etc/passwd", [404]],
        ["a traversal under /api/event", "/api/event/../../x", [404]],
        ["an encoded traversal", "/%2e%2e/%2e%2e/etc/passwd", [404]],
        ["a traversal out of /assets", "/assets/../../../../etc/passwd", [404]],
        ["an encoded NUL", "/a%00b", [404]],
        ["a raw UTF-8 byte sequence", "/caf\u00e9", [400, 404]],
        ["a long target", `/${"a".repeat(4000)}`, [404]],
        ["a target over the header limit", `/${"a".repeat(20_000)}`, [414, 431]],
        ["a target of *", "*", [400]],
        ["an empty target", "", [400]],
        // Bun reads what follows the space as the version: 505, as for any version it cannot read.
        ["a target with a space", "/a b", [400, 404, 505]],
      ] as const);
      return raw(`GET ${label}`, request(port, `GET ${target} HTTP/1.1\r\nHOST`), expect);
    }
    case 12: {
      const method = rng.pick(["FOO", "get", "BREW", "CONNECT", "TRACE", "PROPFIND", "G E T", "\u00ff"]);
      return raw(`method ${method}`, request(port, `${method} /api/event HTTP/1.1\r\nHOST`), [400, 404, 405]);
    }
    case 13: {
      // Bun's parser answers an unparsable request line with 400 or, when the version is what it
      // cannot read, 505 HTTP Version Not Supported: the right answer, if a 5xx.
      const [label, payload] = rng.pick<readonly [string, Payload]>([
        ["random bytes", rng.bytes(rng.between(1, 2000))],
        ["random bytes then a blank line", new Uint8Array([...rng.bytes(rng.between(1, 500)), 13, 10, 13, 10])],
        ["HTTP/9.9", request(port, "GET / HTTP/9.9\r\nHOST")],
        ["an HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"],
        ["a TLS ClientHello", new Uint8Array([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, ...rng.bytes(64)])],
        ["LF line endings", "GET /healthz HTTP/1.1\nHost: x\n\n"],
      ]);
      return raw(`garbage: ${label}`, payload, [...ANY_CLIENT_ERROR, 505], { mayWait: label === "random bytes" || label.startsWith("a TLS") });
    }
    case 14: {
      // Cut inside the head, then hang up: the server may answer 400 or just close.
      const full = request(port, post(`\r\nContent-Length: ${BAD_EVENT.length}`), BAD_EVENT);
      return raw("a head cut off, then a hang-up", full.slice(0, rng.between(1, full.indexOf("\r\n\r\n"))), [400], { hangUp: true, mayWait: true });
    }
    default: {
      const head = request(port, post(`\r\nContent-Length: ${BAD_EVENT.length}`));
      return raw("a body cut off, then a hang-up", head + BAD_EVENT.slice(0, rng.int(BAD_EVENT.length)), [400], { hangUp: true, mayWait: true });
    }
  }
}
