import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/tarsmith', import.meta.url));

function tarsmith(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', [bin, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function tree(dir: string, files: Record<string, string>): Promise<string> {
  const root = path.join(dir, 'linux');
  for (const [rel, text] of Object.entries({ Makefile: 'VERSION = 6\nPATCHLEVEL = 12\n', ...files })) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
  return root;
}

test('kconfig symbols: text lines with type, every definition and prompt; --help has an example', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tarsmith-ksym-'));
  try {
    const root = await tree(dir, {
      Kconfig: 'source "arch/$(SRCARCH)/Kconfig"\nconfig ZED\n\ttristate "Zed driver"\nconfig ALPHA\n\tint\n',
      'arch/riscv/Kconfig': 'config ZED\n\tdefault m\nconfig RISCV\n\tdef_bool y\n',
    });
    const r = await tarsmith(['kconfig', 'symbols', '--kernel', root, '--arch', 'riscv', '--no-cache'], {});
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ALPHA\tint\tKconfig:4\t\nRISCV\tbool\tarch/riscv/Kconfig:3\t\nZED\ttristate\tarch/riscv/Kconfig:1,Kconfig:2\t"Zed driver"\n');
    const help = await tarsmith(['kconfig', 'symbols', '--help'], {});
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Example:\n\s+tarsmith kconfig symbols --kernel/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('kconfig symbols: Kconfig syntax errors are reported as file:line, exit 2, and the rest is still listed', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tarsmith-ksym-'));
  try {
    const root = await tree(dir, {
      Kconfig: 'source "arch/$(SRCARCH)/Kconfig"\n',
      'arch/arm/Kconfig': 'config ARM\n\tbool\n\tdepends on && X\nconfig AFTER\n\tbool\n',
    });
    const r = await tarsmith(['kconfig', 'symbols', '--kernel', root, '--arch', 'arm', '--no-cache', '--json'], {});
    assert.equal(r.code, 2);
    const doc = JSON.parse(r.stdout) as { ok: boolean; symbols: { name: string }[]; diagnostics: { code: string; where: { file: string; line: number } }[] };
    assert.equal(doc.ok, false);
    assert.deepEqual(doc.symbols.map((s) => s.name), ['AFTER', 'ARM']);
    assert.deepEqual(doc.diagnostics.map((d) => [d.code, d.where]), [['kconfig.syntax', { file: 'arch/arm/Kconfig', line: 3 }]]);
    const text = await tarsmith(['kconfig', 'symbols', '--kernel', root, '--arch', 'arm', '--no-cache'], {});
    assert.match(text.stderr, /^arch\/arm\/Kconfig:3: error\[kconfig\.syntax\]: /m);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
