/**
 * Baseline: the original design Pulse replaces, a typical Node 20 + Socket.IO 4 app. Every
 * pageview is emitted to the site's room the moment it arrives; nothing is batched or aggregated.
 * Run: node bench/baselines/socketio-server.mjs [--port P] [--host ADDR]   (port 0 picks one)
 * Dashboards: ws://host:P/socket.io/?EIO=4&transport=websocket&site=<site> (see README.md).
 */
import { createServer } from "node:http";
import { Server } from "socket.io";

const port = Number(flag("--port") ?? 3001);
const host = flag("--host") ?? "0.0.0.0";

/** Pulse accepts ingest bodies up to 8 KiB; so does this baseline. */
const MAX_BODY_BYTES = 8 * 1024;

const http = createServer((req, res) => {
  if (req.method !== "POST" || req.url?.split("?")[0] !== "/api/event") return answer(res, 404, "not found");
  const chunks = [];
  let size = 0;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on("error", () => answer(res, 400, "bad request"));
  req.on("end", () => {
    if (size > MAX_BODY_BYTES) return answer(res, 413, "too large");
    const event = parseEvent(Buffer.concat(chunks).toString("utf8"));
    if (!event) return answer(res, 400, "bad request");
    io.to(event.site).emit("pageview", { p: event.path, n: event.name, t: Date.now() });
    answer(res, 202, "ok");
  });
});

// Socket.IO defaults otherwise (polling then upgrade allowed, 25 s pings, no compression):
// the point is a fair, typical Socket.IO app.
const io = new Server(http, {
  cors: { origin: true },
  perMessageDeflate: false,
  // Dashboards send nothing; 1 KiB, as Pulse's dashboard sockets.
  maxHttpBufferSize: 1024,
});

io.on("connection", (socket) => {
  const site = socket.handshake.query.site;
  if (typeof site === "string" && site !== "") socket.join(site);
  else socket.disconnect(true);
});

http.listen(port, host, () => console.log(`listening on ${http.address().port}`));

/** Plausible's long or short keys; the domain defaults to the URL's host. Null when unusable. */
function parseEvent(text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (body === null || typeof body !== "object") return null;
  let url;
  try {
    url = new URL(body.u ?? body.url);
  } catch {
    return null;
  }
  const name = body.n ?? body.name ?? "pageview";
  const site = body.d ?? body.domain ?? url.hostname;
  if (typeof name !== "string" || typeof site !== "string") return null;
  return { name, site, path: url.pathname };
}

function answer(res, status, text) {
  res.writeHead(status, { "Content-Type": "text/plain" }).end(text);
}

function flag(name) {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}
