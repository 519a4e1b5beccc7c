import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonText } from '../../../src/formats/inspect/jsonText';
import type { JsonReport } from '../../../src/formats/inspect/jsonReport';
import { kvsInspect, FIXTURES } from './cli';

test('the values are those of JSON.stringify', () => {
  const values: unknown[] = [
    null, 0, -1.5, Number.NaN, Number.POSITIVE_INFINITY, 'a "quoted"\nline', true, [], {},
    [1, undefined, null, 'x'],
    { a: undefined, b: () => 1, c: [{ d: 1 }, { e: [1, 2] }, [3, 4], [{ f: 'g' }], 5], h: { i: { j: [] } } },
    [{ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9 }, { nested: { deeper: [undefined] } }],
  ];
  for (const value of values) {
    assert.equal(JSON.stringify(JSON.parse(jsonText(value))), JSON.stringify(value), JSON.stringify(value));
  }
});

test('objects go one member per line, records and arrays of primitives on one line', () => {
  const text = jsonText({
    locations: [{ path: 'sps[0].level_idc', value: 31, bitOffset: 24, bitLength: 8 }],
    nalTypes: [9, 7, 8, 5],
    pps: [{ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9 }],
  });
  assert.equal(text, [
    '{',
    '  "locations": [',
    '    {"path":"sps[0].level_idc","value":31,"bitOffset":24,"bitLength":8}',
    '  ],',
    '  "nalTypes": [9,7,8,5],',
    '  "pps": [',
    '    {',
    '      "a": 1,',
    ...['b', 'c', 'd', 'e', 'f', 'g', 'h'].map((key, i) => `      "${key}": ${i + 2},`),
    '      "i": 9',
    '    }',
    '  ]',
    '}',
  ].join('\n'));
});

test('kvs-inspect --json: one line per field location and per issue', () => {
  for (const name of ['h264-aac.mkv', 'h265-main.mkv']) {
    const result = kvsInspect(['--json', `${FIXTURES}/${name}`]);
    assert.equal(result.status, 0);
    const json = JSON.parse(result.stdout) as JsonReport;
    const locations = json.tracks.flatMap((track) => track.codecPrivate?.locations ?? []);
    assert.ok(locations.length > 50, `${name}: ${locations.length} locations`);
    for (const location of locations) {
      assert.ok(result.stdout.includes(`\n          ${JSON.stringify(location)},\n`) || result.stdout.includes(`\n          ${JSON.stringify(location)}\n`), `${name}: ${location.path} on a line of its own`);
    }
    for (const issue of json.issues) assert.ok(result.stdout.includes(`\n    ${JSON.stringify(issue)}`), `${name}: ${issue.code} on a line of its own`);
  }
  // The document for this 62 kB file was 27 kB with every location member on a line of its own.
  assert.ok(kvsInspect(['--json', `${FIXTURES}/h264-aac.mkv`]).stdout.length < 20_000);
});
