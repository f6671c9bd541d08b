import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<true>();

/** Runs the plugin's own document reads and writes so its middleware leaves them alone. */
export function internalRead<T>(work: () => Promise<T>): Promise<T> {
  return storage.run(true, work);
}

export function isInternal(): boolean {
  return storage.getStore() === true;
}
