/**
 * A minimal typed listener list. A throwing listener is reported to `onListenerError` and never
 * stops the others (user callbacks must not break the runtime).
 */
export class Emitter<T> {
  private listeners: Array<(v: T) => void> = [];
  constructor(private readonly onListenerError: (e: unknown) => void = () => {}) {}

  on(fn: (v: T) => void): () => void {
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }

  emit(v: T): void {
    for (const l of this.listeners.slice()) {
      try {
        l(v);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }

  get size(): number {
    return this.listeners.length;
  }
}
