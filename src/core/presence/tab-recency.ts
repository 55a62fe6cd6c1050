export interface RecencyNode<T> {
  readonly value: T;
  prev: RecencyNode<T> | null;
  next: RecencyNode<T> | null;
}

/**
 * Tabs in order of last signal, as a doubly linked list of nodes: touching moves a node to the
 * newest end, and the oldest is always at hand, each in O(1). (A Map's insertion order would do
 * the same on paper, but repeatedly deleting its oldest entries makes finding the next one cost
 * O(map size) in JSC.) Nodes rather than the slots of stats/recency-list.ts: a tab is an object
 * already, and its node is all the index it needs.
 */
export class RecencyList<T> {
  private head: RecencyNode<T> | null = null;
  private tail: RecencyNode<T> | null = null;
  size = 0;

  get oldest(): RecencyNode<T> | null {
    return this.head;
  }

  push(value: T): RecencyNode<T> {
    const node: RecencyNode<T> = { value, prev: null, next: null };
    this.append(node);
    return node;
  }

  remove(node: RecencyNode<T>): void {
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = null;
    this.size--;
  }

  moveToNewest(node: RecencyNode<T>): void {
    if (node === this.tail) return;
    this.remove(node);
    this.append(node);
  }

  /** Links a node that is in no list as the newest. */
  private append(node: RecencyNode<T>): void {
    node.prev = this.tail;
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.size++;
  }
}
