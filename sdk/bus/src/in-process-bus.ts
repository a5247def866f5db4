/**
 * The embedded bus: every service in one process, no broker. Same subjects, wildcards, queue groups and
 * request/reply semantics as NATS; payloads are handed over by reference, never copied or encoded.
 */
import { ErrorKind, envelopeOf, unwrapReply, type MessageEnvelope, type Subject } from "@brink/contracts";
import { BusError, BusErrorCode, closedError, noRespondersError, timeoutError } from "./errors.js";
import { Counters, DEFAULT_REQUEST_TIMEOUT_MS, StatusEmitter, newId, runHandler, runServeHandler, stderrLogger } from "./internal/common.js";
import { SubjectTrie, assertPattern, assertSubject } from "./subject-match.js";
import type {
  BusLogger, BusMessage, BusStats, BusStatus, MessageBus, MessageHandler, PublishOptions, RequestHandler, RequestOptions,
  SubscribeOptions, Subscription,
} from "./types.js";

/** Options of {@link InProcessBus}. */
export interface InProcessBusOptions {
  /** Where handler failures are logged. @default warnings and errors as JSON lines on stderr */
  logger?: BusLogger;
}

type AnyMessage = BusMessage<unknown>;
type ReplyFn = (envelope: MessageEnvelope<unknown>) => void;

interface Entry {
  readonly pattern: string;
  readonly queue: string | undefined;
  readonly serve: boolean;
  readonly handler: (msg: AnyMessage) => unknown;
  active: boolean;
}

interface QueueTargets {
  readonly queue: string;
  readonly members: readonly Entry[];
}

/** Who gets a message published on one subject: every plain entry, and one member of each queue group. */
interface Targets {
  readonly plain: readonly Entry[];
  readonly groups: readonly QueueTargets[];
}

const NO_TARGETS: Targets = { plain: [], groups: [] };
const RESOLVED: Promise<void> = Promise.resolve();
// Bounds the memory of the per-subject cache; subjects beyond it are still matched, just not remembered.
const MAX_CACHED_SUBJECTS = 10_000;

/**
 * MessageBus inside one process. Handlers run in a microtask after `publish` returns, never inside its call stack,
 * so a slow or throwing handler cannot break the publisher. Matching is done once per subject and cached until the
 * subscriptions change.
 */
export class InProcessBus implements MessageBus {
  readonly kind = "inprocess" as const;
  private readonly logger: BusLogger;
  private readonly status_: StatusEmitter;
  private readonly counters = new Counters();
  private trie = new SubjectTrie<Entry>();
  private readonly cache = new Map<string, Targets>();
  private readonly roundRobin = new Map<string, number>();
  private readonly pending = new Set<(err: Error) => void>();
  private closed = false;

  constructor(options: InProcessBusOptions = {}) {
    this.logger = options.logger ?? stderrLogger;
    this.status_ = new StatusEmitter("connected", this.logger);
  }

  /** Nothing to connect to; resolves at once (rejects with BUS_CLOSED after `close()`). */
  connect(): Promise<void> {
    return this.closed ? Promise.reject(closedError()) : RESOLVED;
  }

  /** Lets queued deliveries run, then drops every subscription and fails pending requests with BUS_CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    for (const fail of [...this.pending]) fail(closedError());
    this.pending.clear();
    this.trie = new SubjectTrie<Entry>();
    this.cache.clear();
    this.status_.set("closed");
  }

  publish<T>(subject: Subject<T>, payload: T, options?: PublishOptions): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    let targets: Targets;
    try {
      targets = this.targetsOf(subject);
    } catch (err) {
      return Promise.reject(err);
    }
    this.counters.published++;
    if (targets !== NO_TARGETS) {
      const msg = messageOf(subject, payload, options);
      queueMicrotask(() => this.dispatch(targets, msg, undefined));
    }
    return RESOLVED;
  }

  subscribe<T>(pattern: Subject<T>, handler: MessageHandler<T>, options?: SubscribeOptions): Subscription {
    return this.add(pattern, handler as unknown as (msg: AnyMessage) => unknown, false, options);
  }

  serve<Req, Res>(pattern: Subject<Req>, handler: RequestHandler<Req, Res>, options?: SubscribeOptions): Subscription {
    return this.add(pattern, handler as unknown as (msg: AnyMessage) => unknown, true, options);
  }

  request<Req, Res>(subject: Subject<Req>, payload: Req, options?: RequestOptions): Promise<Res> {
    if (this.closed) return Promise.reject(closedError());
    let targets: Targets;
    try {
      targets = this.targetsOf(subject);
    } catch (err) {
      return Promise.reject(err);
    }
    this.counters.published++;
    if (targets === NO_TARGETS) return Promise.reject(noRespondersError(subject));
    const timeoutMs = options?.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const msg = messageOf(subject, payload, { ...options, requestID: options?.requestID ?? newId() });
    return new Promise<Res>((resolve, reject) => {
      let done = false;
      const finish = (): boolean => {
        if (done) return false;
        done = true;
        clearTimeout(timer);
        this.pending.delete(fail);
        return true;
      };
      const fail = (err: Error): void => {
        if (finish()) reject(err);
      };
      const timer = setTimeout(() => fail(timeoutError(subject, timeoutMs)), timeoutMs);
      this.pending.add(fail);
      const reply: ReplyFn = (envelope) => {
        if (!finish()) return;
        try {
          resolve(unwrapReply<Res>(envelope));
        } catch (err) {
          reject(err);
        }
      };
      // Like NATS, plain subscribers see the request too; with no server among the targets it times out.
      queueMicrotask(() => this.dispatch(targets, msg, reply));
    });
  }

  /** Resolves after every delivery queued so far has been handed to its handler. */
  flush(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  status(): BusStatus {
    return this.status_.get();
  }

  onStatus(listener: (status: BusStatus) => void): () => void {
    return this.status_.on(listener);
  }

  stats(): BusStats {
    return this.counters.snapshot();
  }

  private add(pattern: string, handler: (msg: AnyMessage) => unknown, serve: boolean, options: SubscribeOptions | undefined): Subscription {
    if (this.closed) throw closedError();
    assertPattern(pattern);
    const queue = options?.queue;
    if (queue !== undefined && !/^[^\s]+$/.test(queue)) {
      throw new BusError(ErrorKind.ContractInvalid, BusErrorCode.SubjectInvalid, `queue group ${JSON.stringify(queue)} is empty or holds whitespace`, { details: { queue } });
    }
    const entry: Entry = { pattern, queue, serve, handler, active: true };
    this.trie.add(pattern, entry);
    this.cache.clear();
    return {
      subject: pattern,
      unsubscribe: () => {
        if (!entry.active) return;
        entry.active = false;
        this.trie.remove(pattern, entry);
        this.cache.clear();
      },
    };
  }

  private targetsOf(subject: string): Targets {
    const cached = this.cache.get(subject);
    if (cached !== undefined) return cached;
    assertSubject(subject);
    const entries = this.trie.match(subject);
    let targets = NO_TARGETS;
    if (entries.length > 0) {
      const plain: Entry[] = [];
      const groups = new Map<string, Entry[]>();
      for (const e of entries) {
        if (e.queue === undefined) plain.push(e);
        else {
          const members = groups.get(e.queue);
          if (members === undefined) groups.set(e.queue, [e]);
          else members.push(e);
        }
      }
      targets = { plain, groups: [...groups].map(([queue, members]) => ({ queue, members })) };
    }
    if (this.cache.size >= MAX_CACHED_SUBJECTS) this.cache.clear();
    this.cache.set(subject, targets);
    return targets;
  }

  private dispatch(targets: Targets, msg: AnyMessage, reply: ReplyFn | undefined): void {
    for (const e of targets.plain) if (e.active) this.invoke(e, msg, reply);
    for (const g of targets.groups) {
      const e = this.pick(g);
      if (e !== undefined) this.invoke(e, msg, reply);
    }
  }

  /** Round robin over the group's active members. */
  private pick(group: QueueTargets): Entry | undefined {
    const n = group.members.length;
    const start = this.roundRobin.get(group.queue) ?? 0;
    for (let k = 0; k < n; k++) {
      const e = group.members[(start + k) % n]!;
      if (e.active) {
        this.roundRobin.set(group.queue, (start + k + 1) % n);
        return e;
      }
    }
    return undefined;
  }

  private invoke(e: Entry, msg: AnyMessage, reply: ReplyFn | undefined): void {
    if (!e.serve) {
      runHandler(e.handler as (m: AnyMessage) => void, msg, this.counters, this.logger, e.pattern);
      return;
    }
    runServeHandler(e.handler, msg, reply, this.counters, this.logger, e.pattern);
  }
}

function messageOf<T>(subject: string, payload: T, options: PublishOptions | undefined): BusMessage<T> {
  const correlationID = options?.correlationID ?? newId();
  const ids = options?.queryParams
    ? { correlationID, requestID: options.requestID ?? correlationID, queryParams: options.queryParams }
    : { correlationID, requestID: options?.requestID ?? correlationID };
  const envelope = envelopeOf((payload === undefined ? null : payload) as T, ids);
  envelope.receivedTopic = subject;
  return { subject, envelope };
}
