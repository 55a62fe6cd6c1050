import { describe, expect, test } from "bun:test";
import { shardTopic, TopicShards } from "../../../src/core/fanout/topic-shards.ts";

const topicsOf = (passes: Array<Array<{ topic: string }>>) => passes.map((pass) => pass.map(({ topic }) => topic));

describe("TopicShards", () => {
  test("shard 0 is the topic itself, so a small site is published once to its own topic", () => {
    expect(shardTopic("site:a.test", 0)).toBe("site:a.test");
    expect(shardTopic("site:a.test", 3)).toBe("site:a.test#3");
  });

  test("joining fills the first shard with room, and empty trailing shards go away", () => {
    const shards = new TopicShards(3);
    expect(Array.from({ length: 7 }, () => shards.join("t"))).toEqual([0, 0, 0, 1, 1, 1, 2]);
    shards.leave("t", 1);
    expect(shards.join("t")).toBe(1);
    shards.leave("t", 2);
    expect(shards.shardsOf("t")).toEqual([3, 3]);
    for (let i = 0; i < 3; i++) shards.leave("t", 0);
    for (let i = 0; i < 3; i++) shards.leave("t", 1);
    expect(shards.shardsOf("t")).toEqual([]);
    // Leaving twice never goes negative.
    shards.leave("t", 0);
    expect(shards.shardsOf("t")).toEqual([]);
  });

  test("a tick's frames become one publish per shard, packed into passes of at most a shard's subscribers, small first", () => {
    const shards = new TopicShards(4);
    for (let i = 0; i < 10; i++) shards.join("big");
    shards.join("small");
    const passes = shards.passes([
      { topic: "big", data: "B" },
      { topic: "small", data: "S" },
      { topic: "nobody", data: "N" },
    ]);
    expect(topicsOf(passes)).toEqual([["nobody", "small", "big#2"], ["big"], ["big#1"]]);
    // The frame is the same string for every shard: encoded once.
    expect(passes.flat().filter(({ data }) => data === "B")).toHaveLength(3);
  });

  test("many small sites share a pass", () => {
    const shards = new TopicShards(100);
    const publications = Array.from({ length: 50 }, (_, i) => {
      shards.join(`site:${i}`);
      return { topic: `site:${i}`, data: String(i) };
    });
    expect(shards.passes(publications)).toHaveLength(1);
  });
});
