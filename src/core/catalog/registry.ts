/** Codes of pushing images to, and pulling cache from, an OCI registry. */
import { defineArea } from './types.js';

export const registry = defineArea('registry', 'an OCI registry (`image --push`, `--cache-from`/`--cache-to` through a registry)', {
  'registry.bad-reference': { exit: 'usage', severity: 'error', hint: 'give HOST[:PORT]/PATH[:TAG], lowercase path, e.g. registry.example.org/team/hello:1.0 (no @sha256: digest: the registry assigns it)' },
  'registry.unreachable': { exit: 'engine', severity: 'error', hint: 'check the registry address and that it runs; the engine that pushes (the one DOCKER_HOST or --context names) must reach it' },
  'registry.refused': { exit: 'engine', severity: 'error', hint: 'log in (`docker login HOST`: the client hands the credentials to the engine), check that the repository exists and accepts pushes; a plain-HTTP registry other than 127.0.0.0/8 must be in the engine\'s insecure-registries' },
  'registry.push-failed': { exit: 'engine', severity: 'error', hint: 'read the push output above; run the command again' },
  'registry.base-mismatch': { exit: 'checkFailed', severity: 'error', hint: 'the base image tag (HOST/REPO:base-…) holds another image than the locked rootfs makes: delete the tag from the registry, then build once with --cache-to type=registry,ref=HOST/REPO:TAG to push the right one' },
  'registry.toolchain-mismatch': { exit: 'checkFailed', severity: 'error', hint: 'the toolchain image tag (HOST/REPO:toolchain-…) holds an image whose layers are not the ones tarsmith.lock records: delete the tag from the registry, then build once with --cache-to type=registry,ref=HOST/REPO:TAG on the engine that ran `tarsmith toolchain`' },
  'registry.toolchain-absent': { exit: 'ok', severity: 'info', hint: 'a build with --cache-to type=registry,ref=HOST/REPO:TAG on the engine that ran `tarsmith toolchain` pushes the toolchain image beside the cache image; until then the building engine must hold it' },
  'registry.base-absent': { exit: 'ok', severity: 'info', hint: 'a build with --cache-to type=registry,ref=HOST/REPO:TAG pushes the base image beside the cache image; until then the rootfs goes in the build context' },
});
