/** A notification bus: how a change reaches every instance at once. */
export interface Bus {
  readonly transport: 'postgres' | 'redis';
  /** Resolves after the first connection attempt, whatever its outcome; reconnects on its own afterwards. */
  start(): Promise<void>;
  /** Sends to every listening instance, this one included. Rejects when it cannot. */
  publish(text: string): Promise<void>;
  /** Proves the listening connection alive; a dead or silent one is dropped and reconnected. */
  ping(timeoutMs: number): Promise<void>;
  connected(): boolean;
  /** For status and tests: e.g. the listener's backend pid. */
  details(): Record<string, unknown>;
  stop(): Promise<void>;
}

export interface BusEvents {
  message(text: string): void;
  /** The listening connection is (again) subscribed: messages from now on arrive. */
  up(): void;
  /** The listening connection is lost: messages may be missed until the next `up`. */
  down(error?: unknown): void;
}

export function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
