/** Codes of the container engine probe and run. */
import { defineArea } from './types.js';

export const engine = defineArea('engine', 'the container engine (Docker with BuildKit, local or remote)', {
  'engine.cache-unsupported': { exit: 'usage', severity: 'error', hint: 'docker build and the buildx docker driver export only type=inline (into an image: `tarsmith image --push REF --cache-to type=inline`); for type=registry,mode=max or type=local use a buildx builder with the docker-container or remote driver (--builder NAME)' },
  'engine.unknown-builder': { exit: 'usage', severity: 'error', hint: 'list the builders with `docker buildx ls` and pass one of them, or create one with `docker buildx create`' },
  'engine.build-failed': { exit: 'engine', severity: 'error', hint: 'read the build log for the cause' },
  'engine.image-load': { exit: 'engine', severity: 'error', hint: 'check that the engine runs (`docker info`) and has room for the image; run again with -v for the command' },
  'engine.image-mismatch': { exit: 'engine', severity: 'error', hint: 'another process may have re-tagged the image meanwhile; run `tarsmith image` again' },
  'engine.platform-unknown': { exit: 'engine', severity: 'error', hint: 'set platform: in tarsmith.yaml (e.g. linux/amd64), or pass --platform' },
  'engine.image-missing': { exit: 'engine', severity: 'error', hint: 'check `docker image ls`; run the command again' },
  'engine.buildx-missing': { exit: 'engine', severity: 'error', hint: 'install the buildx plugin (Debian: apt-get install docker-buildx), or pass --docker PATH / TARSMITH_DOCKER=PATH for a client that can build' },
  'engine.daemon-unreachable': { exit: 'engine', severity: 'error', hint: 'start it (`sudo systemctl start docker`, or `sudo dockerd &`, or scripts/setup-engine.sh) and check that you may use its socket' },
  'engine.docker-missing': { exit: 'engine', severity: 'error', hint: 'install Docker (Debian: apt-get install docker.io, or run scripts/setup-engine.sh), or pass --docker PATH' },
  'engine.no-buildkit': { exit: 'engine', severity: 'error', hint: 'upgrade Docker Engine to 20.10 or newer (on Linux), or build on another engine (DOCKER_HOST, or --context NAME)' },
  'engine.remote-unreachable': { exit: 'engine', severity: 'error', hint: 'check the address (DOCKER_HOST, or `docker context inspect NAME`), that dockerd listens there (-H tcp://ADDR:PORT, or its socket), and that this machine reaches it' },
  'engine.unknown-context': { exit: 'usage', severity: 'error', hint: 'list the contexts with `docker context ls` and pass one of them (--context NAME or DOCKER_CONTEXT), or create it with `docker context create`' },
});
