/**
 * What changed, for screens that stay open: one poller per API process reads the topics' change
 * stamps (store/activity.ts `changeStamps`, one cheap statement) every LIVE_POLL_MS while at least one
 * screen listens, and tells each listener which topics moved. Changes made by worker processes are
 * seen too, since the stamps come from the shared store. Listeners then re-read what they show through
 * the ordinary routes, so what a live screen shows is what the API gives that caller, and every such
 * read is on the audit trail.
 *
 * Input: the store. Output: `subscribe(fn)` calls `fn(topics)` after each change; nothing runs while
 * nobody listens.
 */
import type { Logger } from 'pino';
import type { Db } from '../store/index.ts';
import { changeStamps, LIVE_TOPICS, type ChangeStamps, type LiveTopic } from '../store/activity.ts';

export const LIVE_POLL_MS = 1000;

/** What moved since the last look: the topics, and the recipient ORIs whose lead packages changed. */
type Listener = (topics: LiveTopic[], leadsOf: ReadonlySet<string>) => void;

export class LiveFeed {
  readonly #listeners = new Set<Listener>();
  #last: ChangeStamps | null = null;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly intervalMs = LIVE_POLL_MS,
  ) {}

  get listeners(): number {
    return this.#listeners.size;
  }

  subscribe(fn: Listener): () => void {
    this.#listeners.add(fn);
    if (!this.#timer && !this.#closed) this.#schedule();
    return () => {
      this.#listeners.delete(fn);
    };
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#listeners.clear();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => void this.#tick(), this.intervalMs);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    this.#timer = null;
    if (this.#closed) return;
    if (!this.#listeners.size) {
      // Nobody listens: stop, and compare afresh when someone does.
      this.#last = null;
      return;
    }
    try {
      const stamps = await changeStamps(this.db);
      const last = this.#last;
      const moved = last ? LIVE_TOPICS.filter((t) => stamps[t] !== last[t]) : [];
      const leadsOf = new Set(last ? Object.keys(stamps.leadsByOri).filter((ori) => stamps.leadsByOri[ori] !== last.leadsByOri[ori]) : []);
      this.#last = stamps;
      if (moved.length) for (const fn of this.#listeners) fn(moved, leadsOf);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'live feed: the store did not answer; trying again');
    }
    if (!this.#closed) this.#schedule();
  }
}
