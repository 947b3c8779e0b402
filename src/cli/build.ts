import type { Command } from 'commander';
import { getLogLevel, log } from '../core/log.js';
import { version } from '../core/version.js';
import { action, globalOptions, printJson } from './common.js';
import { engineArgs, engineOptions, sourceOption, type EngineCliOptions } from './engine-options.js';

/** `tarsmith build [TARGET]`: verify, build offline, export the artifacts into out/<name>/. */
export function register(program: Command): void {
  const cmd = program
    .command('build')
    .argument('[target]', 'target to build (default: the first in build.targets)')
    .description('verify the inputs, build the target with the network off, export its artifacts into out/<name>/')
    .option('--out <dir>', 'folder that receives <name>/ (default: out/ beside the manifest)')
    .option('--kernel-config-only', 'only resolve the kernel config and check it against the fragments (nothing is compiled); writes out/<name>.kernel-config/')
    .option('--no-kernel-preflight', 'do not predict the kernel config on the host (it is still checked in the engine before compiling)')
    .option('--json', 'print one JSON result on stdout');
  sourceOption(engineOptions(cmd)).addHelpText(
    'after',
    `
Writes out/<name>/ (only on success): the artifacts, SHA256SUMS of them, tarsmith-build.json (inputs and
their hashes, builder, target, arguments, tarsmith version), provenance.json (an in-toto Statement with a SLSA
provenance v1 predicate: the artifacts as subjects, every locked input with its digest) and sbom.cdx.json
(CycloneDX 1.6 of the vendored inputs); all of them the same bytes for the same build. The full build log is
out/<name>.log.

With a kernel: section, a target with kernel: true (or modules:) predicts the resolved kernel config on the
host, beside the engine's config stage and before anything is compiled (tarsmith's Kconfig engine on the
locked kernel tarball; the
compiler probes answered by the probes an earlier build of this kernel and toolchain recorded, or by the
kernel build's compiler when this host has it; else skipped with a note), and checks the fragments against it:
a fragment that cannot be satisfied stops the build at once (the engine's config stage is stopped, nothing is
written to out/), with the same report as the in-build check. Then
it resolves the kernel config in the engine (base, the fragments merged with merge_config.sh -m, olddefconfig),
compares it with the prediction (equality is recorded as kernel.prediction; a difference is a tarsmith bug,
warned as kernel.prediction-differs with every symbol and both values) and checks it on the host against the
fragments, explaining every value that did not stick; a mismatch the manifest does not allow stops the
build before anything is compiled. --no-kernel-preflight leaves the prediction out. Then the kernel (modules_prepare or full), the target's steps and modules
against $KDIR; every exported .ko must carry the kernel's vermagic. out/<name>/kernel/ holds the resolved
config, config-check.json and the requested kernel artifacts.

--source NAME=PATH builds source NAME from another file for this run (the seed's \`make ASK ASK_TAR=...\`): the
file is hashed, read through the extraction policy like every source, announced as a warning, and recorded in
tarsmith-build.json (its sha256, \`overridden: true\` and the locked entry it stood in for). tarsmith.lock is not
changed; a source pinned by sha256 in the manifest cannot be overridden. \`tarsmith vendor\` changes the lock.

Cache: --cache-from/--cache-to are checked against the builder. docker build (Docker 20.10) and the buildx
docker driver export only the inline cache: --cache-to type=registry,ref=REF (or type=inline,ref=REF) builds
the target once more, from the cache, into a cache image REF with the inline cache and pushes it (the
artifacts and tarsmith's image are not changed; a kernel config stage gets REF:TAG-kernel-config-out); a build
of the same inputs on a fresh engine with --cache-from REF runs no step. buildx with a docker-container or
remote driver (--builder) does every type, type=registry,mode=max included. The JSON result counts the steps
and those taken from the cache, and lists the cache images pushed (cacheExports).

With a registry cache, a builder.rootfs base goes through the same registry, not in the build context: the
locked rootfs as an image (one layer, its ID computed from the lock) under REPO:base-<16 hex of its sha256>,
pushed by --cache-to when the registry lacks it, and checked before a --cache-from build (another image there
is registry.base-mismatch; none falls back to the context). The JSON result and the record say where the base
came from (base). The toolchain image of \`tarsmith toolchain\` (builder.packages, a builder.image) goes the same
way, under REPO:toolchain-<16 hex of its inputs hash>: pushed from this engine by --cache-to when the registry
lacks it, its config's layers checked against tarsmith.lock before a --cache-from build (other layers are
registry.toolchain-mismatch; none: the engine's own store must hold it, build.toolchain-missing otherwise); the
JSON result and the record say where it came from (toolchain, builder.toolchainOrigin).

The engine may be remote: DOCKER_HOST (tcp://, ssh://, unix://) or --context NAME (a docker context); the
build context and secrets travel to it, the artifacts come back here. The build record names the endpoint.

Progress: --progress auto prints one line per finished step (and a live status line on a terminal);
plain prints BuildKit's whole stream; the full log is always in out/<name>.log.

Exit codes: 0 built, 1 an input is missing or does not match the lock, the kernel config does not satisfy
            the fragments, or the registry's base or toolchain image is not the locked one, 2 bad manifest or option, 4 engine missing or unreachable, a build step failed, or a module's
            vermagic is not the kernel's.

Examples:
  $ tarsmith build
  $ tarsmith build hello --out /tmp/out --progress plain
  $ tarsmith build --builder mybuilder --cache-to type=registry,ref=registry.example.org/hello:bk,mode=max
  $ tarsmith build modules --kernel-config-only --json
  $ tarsmith build modules --no-kernel-preflight
  $ tarsmith build dist --source ask=packages/ASK-2.tar.gz --source linux=/data/linux-6.12.tar.xz
  $ DOCKER_HOST=tcp://10.0.0.9:2375 tarsmith build
  $ tarsmith build --context ci
  $ tarsmith build --cache-to type=registry,ref=registry.example.org/hello:cache
  $ DOCKER_HOST=ssh://builder@b tarsmith build --cache-from registry.example.org/hello:cache --json`,
  );
  cmd.action(
    action(async (target: string | undefined, o: EngineCliOptions & { out?: string; kernelConfigOnly?: boolean; kernelPreflight?: boolean }, c: Command) => {
      const { build } = await import('../engine/build.js');
      const g = globalOptions(c);
      const r = await build({ ...engineArgs(o, g.manifest, target), ...(o.out !== undefined ? { out: o.out } : {}), ...(o.kernelConfigOnly ? { kernelConfigOnly: true } : {}), ...(o.kernelPreflight === false ? { noKernelPreflight: true } : {}), version: version() });
      if (o.json) printJson({ ok: true, ...r });
      else {
        const steps = r.steps ? `; ${r.steps.cached} of ${r.steps.total} steps from the cache` : '';
        log.info(`built ${r.name} (target ${r.target}): ${r.artifacts.length} files${r.symlinks.length > 0 ? ` and ${r.symlinks.length} symlinks` : ""} in ${r.out}${steps}`);
        for (const c of r.cacheExports ?? []) log.info(`cache image of stage ${c.stage}: ${c.pinned}`);
        if (getLogLevel() !== 'quiet') for (const a of r.artifacts) process.stdout.write(`${a.sha256}  ${a.path}\n`);
      }
    }),
  );
}
