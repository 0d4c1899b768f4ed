// A minimal observable value and its preact hook: components re-render only for the stores they
// read. `FrameStore` coalesces notifications to one per animation frame, so a burst of stream
// messages costs one render.

import { useEffect, useState } from 'preact/hooks';

type Listener = () => void;

export class Store<T> {
  protected listeners = new Set<Listener>();
  constructor(protected value: T) {}

  get(): T {
    return this.value;
  }

  set(value: T): void {
    this.value = value;
    this.notify();
  }

  update(fn: (v: T) => T): void {
    this.set(fn(this.value));
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  protected notify(): void {
    for (const fn of this.listeners) fn();
  }
}

/** Notifies at most once per animation frame, however often it changes. */
export class FrameStore<T> extends Store<T> {
  private scheduled = false;

  protected notify(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const flush = () => {
      this.scheduled = false;
      super.notify();
    };
    if (typeof requestAnimationFrame === 'function' && !document.hidden) requestAnimationFrame(flush);
    else setTimeout(flush, 16);
  }
}

export function useStore<T>(store: Store<T>): T {
  const [, force] = useState(0);
  useEffect(() => store.subscribe(() => force((n) => n + 1)), [store]);
  return store.get();
}
