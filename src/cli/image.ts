import type { Command } from 'commander';
import { engineArgs, engineOptions, type EngineCliOptions } from './engine-options.js';
import { log } from '../core/log.js';
import { action, globalOptions, printJson } from './common.js';

/** `tarsmith image [TARGET]`: the runtime stage (artifacts under /opt/<name>/) loaded into the local image store. */
export function register(program: Command): void {
  const cmd = program
    .command('image')
    .argument('[target]', 'target to build (default: the first in build.targets)')
    .description('build the target with the network off and load its runtime image (FROM scratch, artifacts under /opt/<name>/) into the local image store')
    .option('--tag <tag>', 'image tag (default: <name>:<target>)')
    .option('--push <ref>', 'then push the image to an OCI registry as REF (HOST[:PORT]/PATH[:TAG]), through the engine')
    .option('--json', 'print one JSON result on stdout');
  engineOptions(cmd).addHelpText(
    'after',
    `
With --push REF the image is tagged REF and pushed by the engine (the one DOCKER_HOST or --context names:
it must reach the registry; the credentials are this client's, from docker login; Docker treats 127.0.0.0/8 as an insecure registry, any
other plain-HTTP registry must be in its insecure-registries). The registry's digest is printed.

Exit codes: 0 loaded (and pushed), 1 an input is missing or does not match the lock, 2 bad manifest or option
            (a bad --push reference), 4 engine missing or unreachable, a build step failed, or the registry
            did not answer or refused the push.

Examples:
  $ tarsmith image
  $ tarsmith image hello --tag registry.example.org/hello:1.0
  $ tarsmith image --push 127.0.0.1:5000/hello:1.0 --json
  $ tarsmith image --push 127.0.0.1:5000/hello:cache --cache-to type=inline   # the image carries its cache
  $ DOCKER_HOST=tcp://10.0.0.9:2375 tarsmith image --cache-from 127.0.0.1:5000/hello:cache
  $ DOCKER_HOST=ssh://builder@ci tarsmith image --push registry.example.org/team/hello:1.0`,
  );
  cmd.action(
    action(async (target: string | undefined, o: EngineCliOptions & { tag?: string; push?: string }, c: Command) => {
      const { image } = await import('../engine/commands.js');
      const r = await image({ ...engineArgs(o, globalOptions(c).manifest, target), ...(o.tag !== undefined ? { tag: o.tag } : {}), ...(o.push !== undefined ? { push: o.push } : {}) });
      if (o.json) printJson({ ok: true, ...r });
      else {
        if (r.steps) log.info(`${r.steps.cached} of ${r.steps.total} steps from the cache`);
        process.stdout.write(`${r.tag} ${r.imageId}\n`);
        if (r.pushed) process.stdout.write(`${r.pushed.pinned}\n`);
      }
    }),
  );
}
