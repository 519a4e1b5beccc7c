import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel, type Envelope, type RequestSpec, type Transport } from '../../../src/protocol/channel';

/** Two transports joined back to back, delivering asynchronously like postMessage does. */
function linkedTransports(): [Transport, Transport] {
  const listeners: [((m: unknown) => void)[], ((m: unknown) => void)[]] = [[], []];
  const make = (self: 0 | 1): Transport => ({
    post: (message: Envelope) => {
      const copy = JSON.parse(JSON.stringify(message)) as unknown;
      setImmediate(() => listeners[self === 0 ? 1 : 0].forEach((listen) => listen(copy)));
    },
    listen: (receive) => {
      listeners[self].push(receive);
      return { dispose: () => listeners[self].splice(listeners[self].indexOf(receive), 1) };
    },
  });
  return [make(0), make(1)];
}

type Requests = { add: RequestSpec<{ a: number; b: number }, number>; fail: RequestSpec<Record<string, never>, void> };
type Events = { note: string };
type None = Record<string, never>;

test('a request is answered by the handler on the other side, matched by id', async () => {
  const [left, right] = linkedTransports();
  const client = new MessageChannel<Requests, Events, None, None>(left);
  const notes: string[] = [];
  const server = new MessageChannel<None, None, Requests, Events>(right, {
    requests: {
      add: async ({ a, b }) => {
        await new Promise((resolve) => setTimeout(resolve, a));
        return a + b;
      },
      fail: () => {
        throw new Error('nope');
      },
    },
    events: { note: (text) => notes.push(text) },
  });
  // Answers arrive out of order; each promise still gets its own result.
  const [slow, fast] = await Promise.all([client.request('add', { a: 20, b: 1 }), client.request('add', { a: 1, b: 1 })]);
  assert.deepEqual([slow, fast], [21, 2]);
  await assert.rejects(client.request('fail', {}), /nope/);
  client.emit('note', 'hello');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(notes, ['hello']);
  client.dispose();
  server.dispose();
});

test('an unknown request is refused, an unanswered one times out, foreign messages are ignored', async () => {
  const [left, right] = linkedTransports();
  const client = new MessageChannel<Requests, None, None, None>(left, { timeoutMs: 50 });
  const server = new MessageChannel<None, None, None, None>(right);
  await assert.rejects(client.request('add', { a: 1, b: 2 }), /Unknown request "add"/);
  server.dispose();
  right.post({ kind: 'event', name: 'x', payload: null });
  const silent = new MessageChannel<Requests, None, None, None>(linkedTransports()[0], { timeoutMs: 20 });
  await assert.rejects(silent.request('add', { a: 1, b: 2 }), /No answer to "add" within 20 ms/);
  client.dispose();
  silent.dispose();
});
