/** A binary heap over a comparator (`before(a, b)`: a comes out first). Small and allocation-free per op. */
export class Heap<T> {
  readonly #items: T[] = [];
  readonly #before: (a: T, b: T) => boolean;

  constructor(before: (a: T, b: T) => boolean, items: Iterable<T> = []) {
    this.#before = before;
    for (const item of items) this.#items.push(item);
    for (let i = (this.#items.length >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#before(item, items[p] as T)) break;
      items[i] = items[p] as T;
      i = p;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.#items;
    if (items.length === 0) return undefined;
    const top = items[0] as T;
    const last = items.pop() as T;
    if (items.length > 0) {
      items[0] = last;
      this.#down(0);
    }
    return top;
  }

  #down(start: number): void {
    const items = this.#items;
    const item = items[start] as T;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= items.length) break;
      const r = l + 1;
      const c = r < items.length && this.#before(items[r] as T, items[l] as T) ? r : l;
      if (!this.#before(items[c] as T, item)) break;
      items[i] = items[c] as T;
      i = c;
    }
    items[i] = item;
  }
}
