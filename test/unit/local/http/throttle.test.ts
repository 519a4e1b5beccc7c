import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KvsError } from '../../../../src/local/http/errors';
import { DEFAULT_LIMITS, Throttle, apiName } from '../../../../src/local/http/throttle';

function clock(): { now: () => number; advance(ms: number): void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function takeN(throttle: Throttle, n: number, operation: string, resource?: string): boolean[] {
  return Array.from({ length: n }, () => throttle.tryTake(operation, resource));
}

test('defaults are the documented quotas', () => {
  assert.deepEqual(DEFAULT_LIMITS.DescribeStream, { perResource: { ratePerSecond: 5 }, perAccount: { ratePerSecond: 300 } });
  assert.deepEqual(DEFAULT_LIMITS.GetDataEndpoint?.perResource, { ratePerSecond: 5 });
  assert.deepEqual(DEFAULT_LIMITS.ListFragments, { perResource: { ratePerSecond: 5 } });
  assert.deepEqual(DEFAULT_LIMITS.GetMedia, { perResource: { ratePerSecond: 5 } });
  assert.deepEqual(DEFAULT_LIMITS.GetHLSStreamingSessionURL, { perResource: { ratePerSecond: 1, burst: 5 } });
  assert.deepEqual(DEFAULT_LIMITS.GetClip?.perResource, { ratePerSecond: 1 });
  for (const op of ['UpdateStream', 'DeleteStream', 'TagStream', 'UntagStream', 'UpdateDataRetention']) {
    assert.deepEqual(DEFAULT_LIMITS[op], { perResource: { ratePerSecond: 5 }, perAccount: { ratePerSecond: 50 } }, op);
  }
});

test('5 TPS per stream: the 6th call in the same instant is refused, and a token returns after 200 ms', () => {
  const c = clock();
  const throttle = new Throttle({ now: c.now });
  assert.deepEqual(takeN(throttle, 6, 'DescribeStream', 'cam1'), [true, true, true, true, true, false]);
  assert.equal(throttle.tryTake('DescribeStream', 'cam2'), true, 'another stream has its own bucket');
  assert.equal(throttle.tryTake('GetDataEndpoint', 'cam1'), true, 'another operation has its own bucket');
  c.advance(199);
  assert.equal(throttle.tryTake('DescribeStream', 'cam1'), false);
  c.advance(1);
  assert.equal(throttle.tryTake('DescribeStream', 'cam1'), true);
  assert.equal(throttle.tryTake('DescribeStream', 'cam1'), false);
  c.advance(10_000);
  assert.deepEqual(takeN(throttle, 6, 'DescribeStream', 'cam1'), [true, true, true, true, true, false], 'the bucket holds at most its burst');
});

test('path names and API names share limits', () => {
  assert.equal(apiName('describeStream'), 'DescribeStream');
  assert.equal(apiName('getHLSStreamingSessionURL'), 'GetHLSStreamingSessionURL');
  const throttle = new Throttle({ now: clock().now });
  takeN(throttle, 5, 'describeStream', 'cam1');
  assert.equal(throttle.tryTake('DescribeStream', 'cam1'), false);
});

test('ClientLimitExceededException names the API and the resource', () => {
  const throttle = new Throttle({ now: clock().now });
  takeN(throttle, 5, 'GetDataEndpoint', 'cam1');
  assert.throws(
    () => throttle.check('getDataEndpoint', 'cam1'),
    (error: unknown) =>
      error instanceof KvsError &&
      error.name === 'ClientLimitExceededException' &&
      error.status === 400 &&
      error.message.startsWith("Limit exceeded on number of requests for GetDataEndpoint API for resource 'cam1'"),
  );
});

test('per-account limits apply across streams', () => {
  const c = clock();
  const throttle = new Throttle({ now: c.now });
  for (let i = 0; i < 50; i++) assert.equal(throttle.tryTake('UpdateStream', `s${i}`), true);
  assert.throws(() => throttle.check('UpdateStream', 's50'), /for this account/);
  assert.deepEqual(takeN(throttle, 51, 'ListStreams').filter(Boolean).length, 50);
});

test('a refused request takes no token from the other bucket', () => {
  const c = clock();
  const throttle = new Throttle({ now: c.now, limits: { DescribeStream: { perResource: { ratePerSecond: 1 }, perAccount: { ratePerSecond: 2 } } } });
  assert.equal(throttle.tryTake('DescribeStream', 'a'), true);
  assert.equal(throttle.tryTake('DescribeStream', 'a'), false); // resource bucket empty; account keeps its token
  assert.equal(throttle.tryTake('DescribeStream', 'b'), true);
  assert.equal(throttle.tryTake('DescribeStream', 'c'), false); // account empty now
});

test('limits can be overridden, removed, scaled or switched off', () => {
  const c = clock();
  const custom = new Throttle({ now: c.now, limits: { DescribeStream: { perResource: { ratePerSecond: 2, burst: 3 } }, getDataEndpoint: null } });
  assert.deepEqual(takeN(custom, 4, 'DescribeStream', 'x'), [true, true, true, false]);
  assert.equal(custom.limitsFor('GetDataEndpoint'), undefined);
  assert.deepEqual(takeN(custom, 100, 'GetDataEndpoint', 'x').every(Boolean), true);

  const scaled = new Throttle({ now: c.now, scale: 100 });
  assert.equal(takeN(scaled, 501, 'DescribeStream', 'x').filter(Boolean).length, 500);

  const off = new Throttle({ enabled: false });
  assert.equal(takeN(off, 1000, 'DescribeStream', 'x').every(Boolean), true);

  assert.equal(new Throttle({ now: c.now }).tryTake('GetImages', 'x'), true, 'no documented limit, no throttling');
  assert.throws(() => new Throttle({ scale: 0 }), RangeError);
});

test('reset refills every bucket', () => {
  const throttle = new Throttle({ now: clock().now });
  takeN(throttle, 5, 'DescribeStream', 'x');
  throttle.reset();
  assert.equal(throttle.tryTake('DescribeStream', 'x'), true);
});
