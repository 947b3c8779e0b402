import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barLine, formatBytes } from '../../src/fetch/progress.js';

test('the progress line shows bytes, total, rate and ETA; without a total, bytes and rate', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(3 * 1024 * 1024), '3.0 MiB');
  const line = barLine('zlib', 25 * 1024 * 1024, 100 * 1024 * 1024, 5 * 1024 * 1024);
  assert.equal(line, `zlib [${'#'.repeat(6)}${'-'.repeat(18)}] 25.0 MiB / 100.0 MiB  5.0 MiB/s  ETA 0:15`);
  assert.equal(barLine('zlib', 2048, undefined, 1024), 'zlib 2.0 KiB  1.0 KiB/s');
  assert.match(barLine('x', 1, 10, 0), /ETA --:--$/);
});
