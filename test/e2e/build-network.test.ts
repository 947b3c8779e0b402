import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { exampleCopy, tarsmith } from './build-rig.js';

/** An address of this host that a container on the default bridge network could reach. */
function hostAddress(): string {
  const ifs = os.networkInterfaces();
  const all = [...(ifs.docker0 ?? []), ...Object.values(ifs).flat()].filter((a) => a && a.family === 'IPv4' && !a.internal);
  return all[0]?.address ?? '172.17.0.1';
}

test('a build step that tries to reach the network fails, naming the step and its command', async () => {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.end('reached\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const port = (server.address() as AddressInfo).port;
  const command = `bash -c 'exec 3<>/dev/tcp/${hostAddress()}/${port}; printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3; cat <&3'`;
  const ex = await exampleCopy(async (_dir, manifest) =>
    // build.targets is the manifest's last section: a second target goes at the end.
    `${manifest}    net:\n      steps:\n        - ${JSON.stringify(command)}\n      artifacts: [hello]\n`,
  );
  try {
    const r = await tarsmith(['build', 'net', '--progress', 'plain'], ex.dir);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /error\[build\.step-failed\]: build step build\.targets\.net\.steps\[0\] failed \(exit 1\): bash -c/);
    assert.ok(r.stderr.includes(command), 'the command is quoted in the message');
    assert.match(r.stderr, /Network is unreachable|Connection refused|No route/i);
    assert.match(r.stderr, /the full log is in .*out\/hello-net\.log/);
    assert.ok((await fs.readFile(path.join(ex.dir, 'out', 'hello-net.log'), 'utf8')).includes('tarsmith-step-failed'));
    assert.equal(requests, 0, 'nothing reached the host');
    assert.equal(await fs.stat(path.join(ex.dir, 'out', 'hello-net')).catch(() => undefined), undefined, 'no partial output');
  } finally {
    server.close();
    await ex.cleanup();
  }
});
