import { describe, expect, test } from "bun:test";
import { eventProblem } from "../../../src/core/ingest/event-shape.ts";
import { storedEvent } from "../../helpers/stored-events.ts";

describe("eventProblem", () => {
  test("an accepted event, with or without its optional fields, has none", () => {
    expect(eventProblem(storedEvent({ path: "/a" }))).toBeNull();
    expect(eventProblem({ ...storedEvent({}), tab: "AbCdEf12", presence: "held", campaign: { source: "s", medium: "", campaign: "", content: "", term: "", ref: "" } })).toBeNull();
  });

  test.each([
    ["not an object", 5, "an event must be an object"],
    ["an array", [], "an event must be an object"],
    ["a fractional time", { ...storedEvent({}), time: 1.5 }, "an event's time must be an integer, not 1.5"],
    ["a visitor as text", { ...storedEvent({}), visitor: "7" }, "an event's visitor must be an integer, not 7"],
    ["no site", { ...storedEvent({}), site: undefined }, "an event's site must be a string, not undefined"],
    ["props as a list", { ...storedEvent({}), props: ["a"] }, "an event's props must be an object"],
    ["a prop that is a number", { ...storedEvent({}), props: { plan: 3 } }, "an event's prop plan must be a string"],
    ["half a campaign", { ...storedEvent({}), campaign: { source: "s" } }, "an event's campaign must be six strings (source, medium, campaign, content, term, ref)"],
    ["a numeric tab", { ...storedEvent({}), tab: 12 }, "an event's tab must be a string"],
    ["an unknown presence", { ...storedEvent({}), presence: "away" }, "an event's presence must be here, gone, held or released"],
  ])("%s is refused with the reason", (_, value, problem) => {
    expect(eventProblem(value)).toBe(problem);
  });
});
