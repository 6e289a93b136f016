/**
 * A first-in first-out queue with O(1) take: a stage can hold many small chunks (the chain
 * only pauses its source above 1 MiB held), and Array#shift is linear on large arrays.
 */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  take(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.head += 1;
    if (this.head === this.items.length) this.clear();
    else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Replaces the first item (a partly sent chunk keeps its place). */
  replaceHead(item: T): void {
    if (this.head < this.items.length) this.items[this.head] = item;
  }

  /** Everything still queued, oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let index = this.head; index < this.items.length; index += 1) yield this.items[index] as T;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
