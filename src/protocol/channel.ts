/**
 * The typed message protocol between the extension host and a webview. Both sides compile this file.
 *
 * A protocol is described by two maps: requests (name → request payload and response payload) that
 * one side sends to the other and awaits, and events (name → payload) that need no answer. Messages
 * on the wire are plain JSON envelopes; a response carries the id of the request it answers.
 */

export interface RequestSpec<Request, Response> {
  request: Request;
  response: Response;
}

export type RequestMap = Record<string, RequestSpec<unknown, unknown>>;
export type EventMap = Record<string, unknown>;

export type Envelope =
  | { kind: 'request'; id: number; method: string; params: unknown }
  | { kind: 'response'; inReplyTo: number; result: unknown }
  | { kind: 'error'; inReplyTo: number; message: string }
  | { kind: 'event'; name: string; payload: unknown };

/** What the channel needs from its side: a way to post and a way to hear messages. */
export interface Transport {
  post(message: Envelope): void;
  listen(receive: (message: unknown) => void): { dispose(): void };
}

export type RequestHandlers<Incoming extends RequestMap> = {
  [Method in keyof Incoming]?: (
    params: Incoming[Method]['request'],
  ) => Incoming[Method]['response'] | Promise<Incoming[Method]['response']>;
};

export type EventHandlers<Incoming extends EventMap> = {
  [Name in keyof Incoming]?: (payload: Incoming[Name]) => void;
};

export interface ChannelOptions<InRequests extends RequestMap, InEvents extends EventMap> {
  requests?: RequestHandlers<InRequests>;
  events?: EventHandlers<InEvents>;
  /** Milliseconds before an unanswered request is rejected. */
  timeoutMs?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export function isEnvelope(message: unknown): message is Envelope {
  if (typeof message !== 'object' || message === null) return false;
  const kind = (message as { kind?: unknown }).kind;
  return kind === 'request' || kind === 'response' || kind === 'error' || kind === 'event';
}

/**
 * One end of a conversation. `OutRequests`/`OutEvents` are what this side sends; `InRequests`/
 * `InEvents` are what it answers and hears.
 */
export class MessageChannel<
  OutRequests extends RequestMap,
  OutEvents extends EventMap,
  InRequests extends RequestMap,
  InEvents extends EventMap,
> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly subscription: { dispose(): void };
  private readonly timeoutMs: number;

  constructor(
    private readonly transport: Transport,
    private readonly options: ChannelOptions<InRequests, InEvents> = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.subscription = transport.listen((message) => void this.receive(message));
  }

  request<Method extends keyof OutRequests & string>(
    method: Method,
    params: OutRequests[Method]['request'],
  ): Promise<OutRequests[Method]['response']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`No answer to "${method}" within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.transport.post({ kind: 'request', id, method, params });
    });
  }

  emit<Name extends keyof OutEvents & string>(name: Name, payload: OutEvents[Name]): void {
    this.transport.post({ kind: 'event', name, payload });
  }

  dispose(): void {
    this.subscription.dispose();
    for (const [, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error('Channel closed'));
    }
    this.pending.clear();
  }

  private async receive(message: unknown): Promise<void> {
    if (!isEnvelope(message)) return;
    switch (message.kind) {
      case 'response':
      case 'error':
        this.settle(message);
        return;
      case 'event':
        this.options.events?.[message.name as keyof InEvents]?.(message.payload as InEvents[keyof InEvents]);
        return;
      case 'request':
        await this.answer(message);
        return;
    }
  }

  private settle(message: Extract<Envelope, { kind: 'response' | 'error' }>): void {
    const pending = this.pending.get(message.inReplyTo);
    if (!pending) return;
    this.pending.delete(message.inReplyTo);
    clearTimeout(pending.timer);
    if (message.kind === 'response') pending.resolve(message.result);
    else pending.reject(new Error(message.message));
  }

  private async answer(message: Extract<Envelope, { kind: 'request' }>): Promise<void> {
    const handler = this.options.requests?.[message.method as keyof InRequests];
    if (!handler) {
      this.transport.post({ kind: 'error', inReplyTo: message.id, message: `Unknown request "${message.method}"` });
      return;
    }
    try {
      const result = await handler(message.params as InRequests[keyof InRequests]['request']);
      this.transport.post({ kind: 'response', inReplyTo: message.id, result });
    } catch (error) {
      this.transport.post({ kind: 'error', inReplyTo: message.id, message: errorMessage(error) });
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
