import { describe, expect, test } from "bun:test";
import type { Component, VNode } from "preact";
import { pure } from "../../ui/components/pure.ts";

interface Props {
  label: string;
  onPick?: (value: string) => void;
}

const Inner = ({ label }: Props) => label;
type Instance = Omit<Component<Props>, "render" | "shouldComponentUpdate"> & { shouldComponentUpdate(next: Props): boolean; render(props: Props): VNode<Props> };

/** The wrapper as preact drives it, without a DOM: props set, asked whether to draw, drawn. */
function mount(props: Props): Instance {
  const Pure = pure<Props>(Inner) as unknown as new (props: Props) => Instance;
  const instance = new Pure(props);
  instance.props = props;
  return instance;
}

describe("pure", () => {
  test("draws again when a prop changed, not when the same props come again", () => {
    const instance = mount({ label: "a" });
    expect(instance.shouldComponentUpdate({ label: "a" })).toBe(false);
    expect(instance.shouldComponentUpdate({ label: "b" })).toBe(true);
  });

  test("the rule given decides", () => {
    const Pure = pure<Props>(Inner, () => true) as unknown as new (props: Props) => Instance;
    expect(new Pure({ label: "a" }).shouldComponentUpdate({ label: "b" })).toBe(false);
  });

  test("a new closure alone does not draw again, and the one drawn calls the latest", () => {
    const picked: string[] = [];
    const instance = mount({ label: "a", onPick: (value) => picked.push(`first ${value}`) });
    const drawn = instance.render(instance.props).props;
    const latest = { label: "a", onPick: (value: string) => picked.push(`latest ${value}`) };
    expect(instance.shouldComponentUpdate(latest)).toBe(false);
    instance.props = latest; // as preact does on a render it skips
    drawn.onPick!("x");
    expect(picked).toEqual(["latest x"]);
  });
});
