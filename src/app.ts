import type { Config } from "./config.ts";
import { Dashboards } from "./core/dashboards.ts";
import { Hub } from "./core/hub.ts";
import { Ingestor } from "./core/ingest.ts";
import { startBunServer } from "./server/bun-server.ts";
import { createHttpHandler } from "./server/http-handler.ts";
import { openGeoipDatabase } from "./server/geoip.ts";
import { StaticAssets, type Asset } from "./server/static-assets.ts";
import { startTickLoop } from "./server/tick-loop.ts";

export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

/** The one place that picks the pieces and wires them together from the config. Throws GeoipError on a bad --geoip. */
export function startServer(config: Config, files: Readonly<Record<string, Asset>>): RunningServer {
  const hub = new Hub();
  const dashboards = new Dashboards(hub);
  const handler = createHttpHandler({
    ingestor: new Ingestor(hub, { geoip: config.geoip === null ? undefined : openGeoipDatabase(config.geoip) }),
    assets: new StaticAssets(files),
    allowOrigins: config.allowOrigins,
    trustProxy: config.trustProxy,
  });
  const transport = startBunServer({ port: config.port, host: config.host, handler, dashboards });
  const ticks = startTickLoop({
    tickMs: config.tickMs,
    tick: (time) => hub.tick(time),
    publish: ({ topic, data }) => transport.publish(topic, data),
  });
  return {
    port: transport.port,
    async stop() {
      ticks.stop();
      await transport.stop();
    },
  };
}
