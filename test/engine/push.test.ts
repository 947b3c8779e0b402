import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImageRef, pushFailure } from '../../src/engine/push.js';

test('push references follow distribution\'s grammar: registry host[:port], lowercase path, tag', () => {
  assert.deepEqual(parseImageRef('127.0.0.1:5000/hello:1.0'), { registry: '127.0.0.1:5000', repository: 'hello', tag: '1.0' });
  assert.deepEqual(parseImageRef('registry.example.org/team/hello'), { registry: 'registry.example.org', repository: 'team/hello', tag: 'latest' });
  assert.deepEqual(parseImageRef('localhost/a_b/c-d'), { registry: 'localhost', repository: 'a_b/c-d', tag: 'latest' });
  assert.deepEqual(parseImageRef('team/hello:v1'), { repository: 'team/hello', tag: 'v1' });
  for (const [bad, why] of [
    ['127.0.0.1:5000/Hello:1', /"Hello" is not a repository path component/],
    ['hello@sha256:abc', /no @digest/],
    ['reg.example.org/hello:-x', /"-x" is not a tag/],
    ['reg_x.example.org:5000/hello', /is not a registry host/],
    ['hello//x', /"" is not a repository path component/],
  ] as const) {
    const r = parseImageRef(bad);
    assert.ok('error' in r, bad);
    assert.match(r.error, why);
  }
});

const ref = { registry: '127.0.0.1:5000', repository: 'hello', tag: '1', text: '127.0.0.1:5000/hello:1' };

test('a push failure is mapped from the engine\'s own messages: unreachable, refused, or other', () => {
  // Docker 20.10's output for a closed port, a read-only registry, a 404 token endpoint, a plain-HTTP registry.
  const down = pushFailure(ref, ['The push refers to repository [127.0.0.1:5000/hello]', 'Get "http://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused'], 'unix:///var/run/docker.sock (the default endpoint)');
  assert.equal(down.code, 'registry.unreachable');
  assert.match(down.message, /^the registry 127\.0\.0\.1:5000 does not answer the engine at unix:/);
  for (const line of [
    'error parsing HTTP 405 response body: invalid character \'M\' looking for beginning of value: "Method not allowed\\n"',
    'error parsing HTTP 404 response body: invalid character \'p\' after top-level value: "404 page not found\\n"',
    'denied: requested access to the resource is denied',
    'unauthorized: authentication required',
  ]) {
    const r = pushFailure(ref, ['6c6286941087: Preparing', line], 'e');
    assert.equal(r.code, 'registry.refused', line);
    assert.match(r.hint ?? '', /docker login 127\.0\.0\.1:5000/);
  }
  const http = pushFailure(ref, ['6c6286941087: Retrying in 1 second', 'http: server gave HTTP response to HTTPS client'], 'e');
  assert.equal(http.code, 'registry.refused');
  assert.match(http.hint ?? '', /insecure-registries/);
  assert.ok(!(http.details ?? []).some((d) => /Retrying/.test(d)), 'retry countdown lines are left out');
  assert.equal(pushFailure(ref, ['something else broke'], 'e').code, 'registry.push-failed');
});
