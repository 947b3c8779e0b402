import type { Command } from 'commander';
import { engineArgs, engineOptions, sourceOption, type EngineCliOptions } from './engine-options.js';
import { log } from '../core/log.js';
import { action, globalOptions, printJson } from './common.js';

/** `tarsmith image [TARGET]`: the runtime stage (artifacts under /opt/<name>/) loaded into the local image store. */
export function register(program: Command): void {
  const cmd = program
    .command('image')
    .argument('[target]', 'target to build (default: the first in build.targets)')
    .description('build the target with the network off and load its runtime image (one layer: the artifacts under /opt/<name>/) into the local image store; the same image ID on every run')
    .option('--tag <tag>', 'image tag (default: <name>:<target>)')
    .option('--push <ref>', 'then push the image to an OCI registry as REF (HOST[:PORT]/PATH[:TAG]), through the engine')
    .option('--no-kernel-preflight', 'do not predict the kernel config on the host (it is still checked in the engine before compiling)')
    .option('--json', 'print one JSON result on stdout');
  sourceOption(engineOptions(cmd)).addHelpText(
    'after',
    `
The image is written by tarsmith, not by the engine: one layer holding the artifacts under /opt/<name>/
(entries sorted, mtimes SOURCE_DATE_EPOCH, owner root, modes 0755/0644), its config's created time and
history from SOURCE_DATE_EPOCH, loaded with docker load. The same inputs give the same image ID on every run
and machine, --no-cache or not. The platform is the manifest's (or --platform), else the engine's.

--source NAME=PATH builds source NAME from another file for this run, as for \`tarsmith build\` (hashed, checked,
announced; tarsmith.lock is not changed).

With --push REF the image is tagged REF and pushed by the engine (the one DOCKER_HOST or --context names:
it must reach the registry; the credentials are this client's, from docker login; Docker treats 127.0.0.0/8 as an insecure registry, any
other plain-HTTP registry must be in its insecure-registries). The registry's digest is printed.

Shared cache: --cache-to type=registry,ref=REF (or type=inline,ref=REF) also pushes a cache image (the target
built by the engine with the inline cache; not the image above, whose ID stays the same); another engine
building the same inputs with --cache-from REF runs no step and writes the same image ID. A builder.rootfs
base then goes through the same registry as an image (REPO:base-<16 hex>), not in the build context.

Exit codes: 0 loaded (and pushed), 1 an input is missing or does not match the lock (or the registry's base
            image is not the locked rootfs's), 2 bad manifest or option
            (a bad --push reference), 4 engine missing or unreachable, a build step failed, or the registry
            did not answer or refused the push.

Examples:
  $ tarsmith image
  $ tarsmith image hello --tag registry.example.org/hello:1.0
  $ tarsmith image dist --tag ask:2 --source ask=packages/ASK-2.tar.gz
  $ tarsmith image --push 127.0.0.1:5000/hello:1.0 --json
  $ DOCKER_HOST=ssh://builder@ci tarsmith image --push registry.example.org/team/hello:1.0
  $ tarsmith image --cache-to type=registry,ref=registry.example.org/team/hello:cache
  $ DOCKER_HOST=tcp://10.0.0.9:2375 tarsmith image --cache-from registry.example.org/team/hello:cache --json`,
  );
  cmd.action(
    action(async (target: string | undefined, o: EngineCliOptions & { tag?: string; push?: string; kernelPreflight?: boolean }, c: Command) => {
      const { image } = await import('../engine/commands.js');
      const r = await image({ ...engineArgs(o, globalOptions(c).manifest, target), ...(o.tag !== undefined ? { tag: o.tag } : {}), ...(o.push !== undefined ? { push: o.push } : {}), ...(o.kernelPreflight === false ? { noKernelPreflight: true } : {}) });
      if (o.json) printJson({ ok: true, ...r });
      else {
        if (r.steps) log.info(`${r.steps.cached} of ${r.steps.total} steps from the cache`);
        process.stdout.write(`${r.tag} ${r.imageId}\n`);
        if (r.pushed) process.stdout.write(`${r.pushed.pinned}\n`);
        for (const c of r.cacheExports ?? []) log.info(`cache image of stage ${c.stage}: ${c.pinned}`);
      }
    }),
  );
}
