/**
 * SpoolWriter against a real PostgreSQL: events wait while the database is stopped and are written
 * when it returns; the spool is bounded; an event the store could never take is set aside at once.
 * Skipped, saying why, where PostgreSQL is not installed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { Metrics } from "../../src/core/metrics.ts";
import { PostgresStore } from "../../src/storage/postgres-store.ts";
import { SpoolWriter } from "../../src/storage/spool-writer.ts";
import { POSTGRES_MISSING, postgresBinaries, startPostgres, type PostgresProcess } from "../helpers/postgres-server.ts";
import { storedEvent } from "../helpers/stored-events.ts";
import { until } from "../helpers/until.ts";

const missing = postgresBinaries() ? undefined : POSTGRES_MISSING;
if (missing) console.warn(`SpoolWriter tests skipped: ${missing}`);

let postgres: PostgresProcess;
beforeAll(async () => {
  if (!missing) postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
});

async function fresh(): Promise<PostgresStore> {
  const admin = new SQL(postgres.url, { max: 1 });
  await admin`DROP TABLE IF EXISTS pulse_events, pulse_stream_positions`;
  await admin.close();
  return PostgresStore.open(postgres.url, { log: () => {} });
}


describe.skipIf(missing !== undefined)("SpoolWriter against a real PostgreSQL", () => {
  test("while the database is stopped, events wait in order and are written when it returns; /healthz is told meanwhile", async () => {
    const store = await fresh();
    const metrics = new Metrics();
    const lines: string[] = [];
    const writer = new SpoolWriter(store, metrics, (line) => lines.push(line), { describe: (error) => store.describe(error) });
    writer.add(storedEvent({ path: "/before" }));
    await writer.flush();
    expect(await store.count()).toBe(1);

    await postgres.pause();
    for (let i = 0; i < 5; i++) writer.add(storedEvent({ path: `/during-${i}` }));
    await writer.flush();
    expect(writer.size).toBe(5);
    expect(metrics.storageFault).toMatch(/^storage is failing since/);
    expect(metrics.storagePending).toBe(5);
    expect(lines.join("\n")).not.toContain(new URL(postgres.url).password);

    await postgres.restart();
    writer.add(storedEvent({ path: "/after" }));
    // Each tick drains; the pool connects again once the server answers.
    await until("the spool written", async () => {
      writer.drain();
      await writer.flush();
      return writer.size === 0;
    });
    expect(metrics.storageFault).toBe("");
    const paths = [];
    for await (const event of store.range({ site: "example.com" })) paths.push(event.path);
    expect(paths).toEqual(["/before", "/during-0", "/during-1", "/during-2", "/during-3", "/during-4", "/after"]);
    expect(metrics.storedEvents).toBe(7);
    expect(metrics.eventsNotStored.backlog).toBe(0);
    await store.close();
  }, 60_000);

  test("past its bound the spool gives up the oldest, counted; an event no store could take is set aside at once", async () => {
    const store = await fresh();
    const metrics = new Metrics();
    const writer = new SpoolWriter(store, metrics, () => {}, { maxPending: 3 });
    writer.add(storedEvent({ path: "/bad", props: { plan: 3 } as unknown as Record<string, string> }));
    expect(metrics.eventsNotStored.refused).toBe(1);
    await postgres.pause();
    for (let i = 0; i < 5; i++) writer.add(storedEvent({ path: `/${i}` }));
    expect(writer.size).toBe(3);
    expect(metrics.eventsNotStored.backlog).toBe(2);
    await postgres.restart();
    await until("the spool written", async () => {
      writer.drain();
      await writer.flush();
      return writer.size === 0;
    });
    const paths = [];
    for await (const event of store.range({ site: "example.com" })) paths.push(event.path);
    expect(paths).toEqual(["/2", "/3", "/4"]);
    await store.close();
  }, 60_000);
});
