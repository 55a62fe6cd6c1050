import { Component, h, type ComponentType, type FunctionComponent } from "preact";
import { sameFields } from "../same.ts";

/**
 * `Inner`, drawn again only when its props differ by `same` (by default, prop by prop): on a tick
 * most cards' figures are unchanged, and a card skipped is neither compared node by node nor laid
 * out and painted again. A callback prop may be a new closure on every render: the inner component
 * gets one that calls the latest, so skipping never leaves it calling an old one. `Inner` keeps
 * its own state (hooks) and draws again when that changes.
 */
export function pure<P extends object>(Inner: FunctionComponent<P>, same: (before: P, after: P) => boolean = sameFields): ComponentType<P> {
  return class Pure extends Component<P> {
    private callbacks: Record<string, (...args: unknown[]) => unknown> = {};

    override shouldComponentUpdate(next: P): boolean {
      return !same(this.props, next);
    }

    override render(props: P) {
      const forwarded: Record<string, unknown> = { ...(props as Record<string, unknown>) };
      for (const [name, value] of Object.entries(forwarded)) {
        if (typeof value !== "function" || name === "children") continue;
        // Reads this.props when called: preact keeps it current even on a render it skips.
        forwarded[name] = this.callbacks[name] ??= (...args) => (this.props as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
      }
      return h(Inner, forwarded as P);
    }
  };
}
