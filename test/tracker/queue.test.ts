import { expect, test } from "bun:test";
import { installApi, type EventOptions } from "../../ui/tracker/queue.ts";

/** What the sites' stub does: `(window.pulse.q = window.pulse.q || []).push(arguments)`. */
function stubbed(): { pulse: ((...args: unknown[]) => void) & { q?: IArguments[] } } {
  const host = {} as { pulse: ((...args: unknown[]) => void) & { q?: IArguments[] } };
  host.pulse = function () {
    // eslint-disable-next-line prefer-rest-params
    (host.pulse.q = host.pulse.q || []).push(arguments);
  };
  return host;
}

test("replays the queued calls in order, then is window.pulse", () => {
  const host = stubbed();
  host.pulse("Signup", { props: { plan: "pro" } });
  host.pulse("Checkout");
  const seen: Array<[string, EventOptions | undefined]> = [];
  const track = (name: string, options?: EventOptions) => void seen.push([name, options]);
  installApi(host, track, "tab1tab1");
  expect(seen).toEqual([
    ["Signup", { props: { plan: "pro" } }],
    ["Checkout", undefined],
  ]);
  expect(host.pulse as unknown).toBe(track);
});

test("without a stub, or with an empty one", () => {
  const seen: string[] = [];
  const track = (name: string) => void seen.push(name);
  const bare: { pulse?: unknown } = {};
  installApi(bare, track, "tab1tab1");
  expect(bare.pulse).toBe(track);
  installApi(stubbed(), track, "tab1tab1");
  expect(seen).toEqual([]);
});

test("a queued call's own pulse() call is not lost", () => {
  const host = stubbed();
  const seen: string[] = [];
  host.pulse("First", { callback: () => (host.pulse as (name: string) => void)("Second") });
  installApi(
    host,
    (name, options) => {
      seen.push(name);
      options?.callback?.();
    },
    "tab1tab1",
  );
  expect(seen).toEqual(["First", "Second"]);
});

test("the tab id is window.pulse.tab, and window.pulse stays callable", () => {
  const host = stubbed();
  const seen: string[] = [];
  installApi(host, (name) => void seen.push(name), "k3x9q2m7a1b8");
  expect((host.pulse as unknown as { tab: string }).tab).toBe("k3x9q2m7a1b8");
  host.pulse("Signup");
  expect(seen).toEqual(["Signup"]);
});
