import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAck, MAX_ACK_CHARS, parsePutMediaAcks, PutMediaAckParser, type AckParseItem, type PutMediaAck } from '../../../../src/kvs/putMedia/acks';
import { formatProducerStartTimestamp } from '../../../../src/kvs/putMedia/putMedia';

const N1 = '91343852333181432392682062607743920146159169392';
const N2 = '91343852333181432511524306419788296366724229586';

// A response as KVS sends it (research §1.8), plus the awkward parts a transport may produce: objects
// back to back without a newline, CRLF, and a member whose string holds braces, escaped quotes and
// multi-byte UTF-8 (so chunk boundaries fall inside characters).
const RESPONSE =
  `{"EventType":"BUFFERING","FragmentTimecode":253000,"FragmentNumber":"${N1}"}\n` +
  `{"EventType":"RECEIVED","FragmentTimecode":253000,"FragmentNumber":"${N1}"}` +
  `{"EventType":"PERSISTED","FragmentTimecode":253000,"FragmentNumber":"${N1}"}\r\n` +
  `{"EventType":"ERROR","FragmentTimecode":1565810137603,"FragmentNumber":"${N2}","ErrorCode":"MAX_FRAGMENT_DURATION_REACHED","ErrorId":4002,"Note":"a {brace} \\"quoted\\" – é 🎥 \\\\"}\n` +
  `{"EventType":"IDLE"}\n` +
  `{"EventType":"ERROR","ErrorId":4004}\n`;

const EXPECTED: PutMediaAck[] = [
  { eventType: 'BUFFERING', fragmentTimecode: 253000, fragmentNumber: N1 },
  { eventType: 'RECEIVED', fragmentTimecode: 253000, fragmentNumber: N1 },
  { eventType: 'PERSISTED', fragmentTimecode: 253000, fragmentNumber: N1 },
  { eventType: 'ERROR', fragmentTimecode: 1565810137603, fragmentNumber: N2, errorId: 4002, errorCode: 'MAX_FRAGMENT_DURATION_REACHED' },
  { eventType: 'IDLE' },
  { eventType: 'ERROR', errorId: 4004, errorCode: 'FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS' },
];
const BYTES = new TextEncoder().encode(RESPONSE);

function acksOf(items: AckParseItem[]): PutMediaAck[] {
  const malformed = items.filter((item) => item.kind === 'malformed');
  assert.deepEqual(malformed, []);
  return items.flatMap((item) => (item.kind === 'ack' ? [item.ack] : []));
}

test('one chunk', () => {
  assert.deepEqual(acksOf(parsePutMediaAcks([BYTES])), EXPECTED);
  assert.deepEqual(acksOf(parsePutMediaAcks([RESPONSE])), EXPECTED);
});

test('every split into two and three chunks (bytes, boundaries inside UTF-8 characters too)', () => {
  const n = BYTES.length;
  for (let i = 0; i <= n; i++) {
    assert.deepEqual(acksOf(parsePutMediaAcks([BYTES.subarray(0, i), BYTES.subarray(i)])), EXPECTED, `split at ${i}`);
  }
  for (let i = 1; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const items = parsePutMediaAcks([BYTES.subarray(0, i), BYTES.subarray(i, j), BYTES.subarray(j)]);
      if (items.length !== EXPECTED.length || items.some((item) => item.kind !== 'ack')) assert.fail(`split at ${i}, ${j}`);
    }
  }
  // The three-chunk runs above only counted; check the values for a sample of them.
  for (let i = 1; i < n; i += 7) {
    for (let j = i + 1; j < n; j += 11) {
      assert.deepEqual(acksOf(parsePutMediaAcks([BYTES.subarray(0, i), BYTES.subarray(i, j), BYTES.subarray(j)])), EXPECTED, `split at ${i}, ${j}`);
    }
  }
});

test('byte by byte, and random chunkings', () => {
  assert.deepEqual(acksOf(parsePutMediaAcks([...BYTES].map((byte) => Uint8Array.of(byte)))), EXPECTED);
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (let run = 0; run < 2000; run++) {
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < BYTES.length; ) {
      const size = Math.floor(random() * 40);
      chunks.push(BYTES.subarray(at, at + size));
      at += size;
    }
    assert.deepEqual(acksOf(parsePutMediaAcks(chunks)), EXPECTED, `run ${run}`);
  }
});

test('acks are delivered as soon as their object closes', () => {
  const parser = new PutMediaAckParser();
  assert.deepEqual(parser.push('{"EventType":"PERSI'), []);
  assert.deepEqual(parser.push('STED","FragmentTimecode":0,"FragmentNumber":"1"}'), [{ kind: 'ack', ack: { eventType: 'PERSISTED', fragmentTimecode: 0, fragmentNumber: '1' } }]);
  assert.deepEqual(parser.push('\n'), []);
  assert.deepEqual(parser.end(), []);
});

test('separators between objects: whitespace, commas, a JSON array', () => {
  assert.deepEqual(acksOf(parsePutMediaAcks(['[{"EventType":"IDLE"},\n {"EventType":"IDLE"}]'])), [{ eventType: 'IDLE' }, { eventType: 'IDLE' }]);
});

test('bad objects cost only themselves', () => {
  const items = parsePutMediaAcks([
    '{"EventType":"IDLE"}\n{"EventType":}\n{"FragmentTimecode":5}\n<html>oops</html>\n{"EventType":"PERSISTED","FragmentTimecode":"7","FragmentNumber":12}\n{"EventType":"RECE',
  ]);
  assert.deepEqual(
    items.map((item) => (item.kind === 'ack' ? item.ack.eventType : `malformed: ${item.reason.split(' (')[0]} [${item.text}]`)),
    [
      'IDLE',
      'malformed: not JSON [{"EventType":}]',
      'malformed: no EventType [{"FragmentTimecode":5}]',
      'malformed: text outside acknowledgement objects [<html>oops</html>]',
      'PERSISTED',
      'malformed: the response ended inside an acknowledgement object [{"EventType":"RECE]',
    ],
  );
  const persisted = items[4];
  assert.ok(persisted?.kind === 'ack');
  // Numbers as strings are read; a numeric fragment number becomes its decimal string.
  assert.deepEqual(persisted.ack, { eventType: 'PERSISTED', fragmentTimecode: 7, fragmentNumber: '12' });
});

test('an endless object is dropped at MAX_ACK_CHARS without holding it, and parsing goes on', () => {
  const parser = new PutMediaAckParser();
  const items: AckParseItem[] = [];
  items.push(...parser.push('{"EventType":"IDLE","Padding":"'));
  for (let i = 0; i < 100; i++) items.push(...parser.push('x'.repeat(MAX_ACK_CHARS / 10)));
  items.push(...parser.push('"}\n{"EventType":"IDLE"}'));
  items.push(...parser.end());
  assert.equal(items.length, 2);
  assert.equal(items[0]?.kind, 'malformed');
  assert.ok(items[0]?.kind === 'malformed' && items[0].text.length <= 201);
  assert.deepEqual(items[1], { kind: 'ack', ack: { eventType: 'IDLE' } });
});

test('formatAck: one line per acknowledgement', () => {
  assert.equal(formatAck({ eventType: 'PERSISTED', fragmentNumber: N1, fragmentTimecode: 2000 }), `PERSISTED fragment ${N1} timecode 2000`);
  assert.equal(
    formatAck({ eventType: 'ERROR', fragmentTimecode: 1565810137603, errorId: 4002, errorCode: 'MAX_FRAGMENT_DURATION_REACHED' }),
    'ERROR 4002 MAX_FRAGMENT_DURATION_REACHED at timecode 1565810137603',
  );
  assert.equal(formatAck({ eventType: 'IDLE' }), 'IDLE');
});

test('producer start timestamp: seconds "." unpadded milliseconds, as the producer SDKs print it', () => {
  assert.equal(formatProducerStartTimestamp(1_700_000_000_005), '1700000000.5');
  assert.equal(formatProducerStartTimestamp(1_700_000_000_050), '1700000000.50');
  assert.equal(formatProducerStartTimestamp(1_700_000_000_123), '1700000000.123');
  assert.equal(formatProducerStartTimestamp(1_700_000_000_000), '1700000000.0');
  assert.equal(formatProducerStartTimestamp(1_700_000_000_000.6), '1700000000.1');
});
