import { randomBytes } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import type { Bus, BusEvents } from '../coherence/bus';
import { decodeMessage, encodeMessage, type Change, type Message, type RevocationAdded, type VariantScope } from '../coherence/messages';
import { stampChain } from '../coherence/chain';
import { postgresBus } from '../coherence/postgres-bus';
import { redisBus } from '../coherence/redis-bus';
import { channelName, chooseTransport, newStamp, stampStore, type StampKind, type Stamps, type Transport } from '../coherence/stamps';
import { settings } from '../settings';

export { chooseTransport, type Transport };

/**
 * What a subscriber does with its kind of change. The transport knows no domain: the variant index
 * and the revocations register these in bootstrap.
 */
export interface CoherenceHandlers {
  /** Variants, segments or publication changed somewhere: read what `scope` names again, or everything. */
  variants: { reload(scope?: VariantScope): Promise<void> };
  revocations: {
    /** Read the revocations again: all of them, or those recorded since `since`. */
    reload(since?: Date): Promise<void>;
    /** Another instance announced one withdrawal. */
    apply(change: RevocationAdded): void;
  };
}

/** Revocations are read again from this far before the last check: covers clock skew and slow commits. */
const REVOCATION_LOOKBACK_MS = 5 * 60_000;
/** With a live notification connection the stamps are still checked, this many times less often. */
const SAFETY_FACTOR = 10;

export interface CoherenceStatus {
  transport: Transport;
  origin: string;
  channel: string | null;
  /** Notifications arrive now (always false for poll and off). */
  listening: boolean;
  /** The current background check interval. */
  intervalMs: number | null;
  /** Changes this instance announced (stamped, and published when there is a bus). */
  announced: number;
  published: number;
  publishFailures: number;
  received: number;
  reconnects: number;
  resyncs: number;
  checks: number;
  checkFailures: number;
  details: Record<string, unknown>;
}

/**
 * Keeps every instance on one database coherent: after a committed local change it rewrites a
 * change stamp and notifies the others (PostgreSQL NOTIFY or Redis pub/sub); on a notification an
 * instance rebuilds its variant index or marks the revocation. A background check of the stamps
 * (every pollIntervalMs in poll mode or while the notification connection is down, ten times less
 * often otherwise) catches anything a notification missed. Nothing here runs per content request.
 */
const coherence = ({ strapi }: { strapi: Core.Strapi }) => {
  const origin = randomBytes(8).toString('hex');
  const handlers: Partial<CoherenceHandlers> = {};
  const reloadVariants = (scope?: VariantScope) => handlers.variants?.reload(scope) ?? Promise.resolve();
  /** The variants stamps this instance has applied, in the order they were written. */
  const chain = stampChain();
  const counters = { announced: 0, published: 0, publishFailures: 0, received: 0, reconnects: 0, resyncs: 0, checks: 0, checkFailures: 0 };

  let transport: Transport = 'off';
  let channel: string | null = null;
  let bus: Bus | undefined;
  let pollIntervalMs = 500;
  let seen: Stamps = { variants: undefined, revocations: undefined };
  let revocationsCheckedAt = 0;
  let started = false;
  let stopped = false;
  let needsResync = false;
  let timer: NodeJS.Timeout | undefined;
  let currentInterval: number | null = null;
  let failing = false;
  /** A variants stamp seen ahead of the chain at a check, and when (see variantsBehind). */
  let suspect: string | undefined;
  let suspectSince = 0;

  const stamps = stampStore(strapi);

  /** Reads the stamps; reloads what changed since the last look, or everything when `full`. */
  async function check(full: boolean): Promise<void> {
    const at = Date.now();
    const current = await stamps.read();
    counters.checks += 1;
    const work: Array<Promise<void>> = [];
    if (variantsBehind(full, current.variants)) {
      work.push(reloadVariants().then(() => chain.reset(current.variants)));
    }
    if (full || current.revocations !== seen.revocations) {
      const since = full ? undefined : new Date(revocationsCheckedAt - REVOCATION_LOOKBACK_MS);
      work.push(
        (handlers.revocations?.reload(since) ?? Promise.resolve()).then(() => {
          seen.revocations = current.revocations;
          revocationsCheckedAt = at;
        })
      );
    }
    await Promise.all(work);
  }

  /**
   * Whether to read every variant again. With notifications up, a stamp ahead of this instance's
   * chain is most often a message still on its way, or one queued behind other changes being
   * applied: it is read again only if the chain has not reached that stamp within a safety
   * interval, checked sooner than usual meanwhile (see intervalNow). A full read of 50,000 variants
   * takes seconds, so one per race would stall every change behind it.
   */
  function variantsBehind(full: boolean, stamp: string | undefined, now = Date.now()): boolean {
    if (full || !bus?.connected() || transport === 'poll') return full || stamp !== chain.head();
    if (stamp === chain.head() || (stamp !== undefined && chain.reached(stamp))) {
      suspect = undefined;
      return false;
    }
    if (suspect === undefined || chain.reached(suspect)) {
      suspect = stamp;
      suspectSince = now;
      return false;
    }
    if (now - suspectSince < pollIntervalMs * SAFETY_FACTOR) return false;
    suspect = undefined;
    return true;
  }

  function intervalNow(): number {
    if (transport === 'poll' || needsResync || !bus?.connected() || suspect !== undefined) return pollIntervalMs;
    return pollIntervalMs * SAFETY_FACTOR;
  }

  function schedule(): void {
    clearTimeout(timer);
    if (stopped || !started) return;
    currentInterval = intervalNow();
    timer = setTimeout(tick, currentInterval);
    timer.unref();
  }

  async function tick(): Promise<void> {
    try {
      if (bus?.connected()) await bus.ping(Math.max(1_000, pollIntervalMs));
      const full = needsResync;
      await check(full);
      if (full) needsResync = false;
      if (failing) strapi.log.info('[personalization] coherence: the change check works again');
      failing = false;
    } catch (error) {
      counters.checkFailures += 1;
      if (!failing && !stopped) {
        strapi.log.warn(`[personalization] coherence: the change check failed (${(error as Error).message}); retrying every ${pollIntervalMs} ms`);
      }
      failing = true;
    } finally {
      schedule();
    }
  }

  async function apply(message: Message): Promise<void> {
    const { change } = message;
    if (change.kind === 'revocation') {
      handlers.revocations?.apply(change);
      return;
    }
    await reloadVariants(change.scope);
    if (!message.stamp) return;
    // A full refresh began after the stamp was written, so it holds every change stamped before it;
    // a scoped one holds this change only, so the stamp counts once the chain reaches it.
    if (change.scope) chain.link(message.prev, message.stamp);
    else chain.reset(message.stamp);
  }

  const events: BusEvents = {
    message(text) {
      const message = decodeMessage(text);
      if (!message || message.origin === origin || stopped) return;
      counters.received += 1;
      apply(message).catch((error) => {
        strapi.log.warn(`[personalization] coherence: applying a change failed (${(error as Error).message}); the next check retries`);
        needsResync = true;
        schedule();
      });
    },
    up() {
      if (!started || stopped) return;
      counters.reconnects += 1;
      strapi.log.info(`[personalization] coherence: ${transport} notifications are back; resyncing`);
      // Whatever happened while away: reload everything, then relax to the safety interval.
      needsResync = true;
      counters.resyncs += 1;
      clearTimeout(timer);
      void tick();
    },
    down(error) {
      if (stopped) return;
      const reason = error instanceof Error ? ` (${error.message})` : '';
      strapi.log.warn(
        `[personalization] coherence: lost the ${transport} notification connection${reason}; checking for changes every ${pollIntervalMs} ms until it is back`
      );
      schedule();
    },
  };

  /** Stamps the change, then publishes it; never throws: the change itself is committed already. */
  async function send(change: Change): Promise<{ stamp?: string; prev?: string }> {
    const kind: StampKind = change.kind === 'variants' ? 'variants' : 'revocations';
    counters.announced += 1;
    let stamp: string | undefined = newStamp();
    let prev: string | undefined;
    try {
      prev = await stamps.write(kind, stamp);
    } catch (error) {
      stamp = undefined;
      strapi.log.warn(`[personalization] coherence: could not write the change stamp (${(error as Error).message})`);
    }
    if (bus) {
      const text = encodeMessage({ origin, stamp, prev, change });
      // Twice: after a database restart the pool may first hand out a connection that died with it.
      for (let attempt = 1; attempt <= 2; attempt += 1) {
        try {
          await bus.publish(text);
          counters.published += 1;
          break;
        } catch (error) {
          if (attempt === 1) continue;
          counters.publishFailures += 1;
          strapi.log.warn(
            `[personalization] coherence: could not publish a ${change.kind} change (${(error as Error).message}); other instances catch up within ${pollIntervalMs * SAFETY_FACTOR} ms`
          );
        }
      }
    }
    return { stamp, prev };
  }

  return {
    /** Subscribes the handler of one kind of change; bootstrap does it before `start`. */
    on<K extends keyof CoherenceHandlers>(kind: K, handler: CoherenceHandlers[K]): void {
      handlers[kind] = handler;
    },

    /** Called in bootstrap before the state is first loaded, so no change after that load is missed. */
    async start(): Promise<void> {
      const { coherence: config } = settings(strapi).config;
      pollIntervalMs = config.pollIntervalMs;
      transport = chooseTransport(config.mode, config.redisUrl, strapi.db.dialect.client);
      if (transport === 'off') return;
      await stamps.ensure();
      seen = await stamps.read();
      chain.reset(seen.variants);
      revocationsCheckedAt = Date.now();
      if (transport !== 'poll') {
        channel = channelName(strapi);
        bus =
          transport === 'postgres'
            ? postgresBus(strapi, channel, events)
            : redisBus(config.redisUrl!, channel, `personalization-${origin}`, events);
        await bus.start();
        if (!bus.connected()) {
          strapi.log.warn(`[personalization] coherence: no ${transport} notification connection yet; checking for changes every ${pollIntervalMs} ms`);
        }
      }
      started = true;
      schedule();
    },

    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await bus?.stop();
    },

    /**
     * After a committed local change: tells every other instance, then runs `applyLocally` (the
     * local rebuild). Inside a transaction the announcement waits for the commit, after which
     * `applyLocally` runs again, as it does after a rollback so this instance forgets what never happened.
     */
    async announce(change: Change, applyLocally?: () => Promise<void>): Promise<void> {
      const quiet = transport === 'off' || stopped;
      const linked = ({ stamp, prev }: { stamp?: string; prev?: string }) => {
        if (!stamp || change.kind !== 'variants' || !applyLocally) return;
        if (change.scope) chain.link(prev, stamp);
        else chain.reset(stamp);
      };
      if (strapi.db.inTransaction()) {
        await strapi.db.transaction(async ({ onCommit, onRollback }) => {
          // Once more after the commit: requests outside the transaction that read the rows between
          // the local update and the commit got them as they were, and may have kept them.
          onCommit(() => {
            const sent = quiet ? Promise.resolve({}) : send(change);
            void Promise.all([sent, applyLocally?.().catch(() => undefined)]).then(([link]) => linked(link));
          });
          if (applyLocally) onRollback(() => void applyLocally().catch(() => undefined));
        });
        return applyLocally?.();
      }
      if (quiet) return applyLocally?.();
      const sent = await send(change);
      await applyLocally?.();
      // The local update began after the stamp was written: the next check need not repeat it.
      linked(sent);
    },

    status(): CoherenceStatus {
      return {
        transport,
        origin,
        channel,
        listening: bus?.connected() ?? false,
        intervalMs: started && !stopped ? currentInterval : null,
        ...counters,
        details: bus?.details() ?? {},
      };
    },
  };
};

export type CoherenceService = ReturnType<typeof coherence>;
export default coherence;
