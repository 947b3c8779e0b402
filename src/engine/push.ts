/**
 * Pushing an image to an OCI registry: a local tag of the engine's image store (however the image got there) is
 * tagged as the reference and pushed by the engine (`docker push`: the daemon the endpoint names talks to the
 * registry, under its insecure-registries, with the credentials the client hands it). The reference is checked before anything is built;
 * the push's failure is mapped to a coded error from its output (unreachable, refused, other).
 */
import { ExitCode, fail, type Failure } from '../core/errors.js';
import { exec } from '../core/exec.js';
import { getLogLevel, log } from '../core/log.js';
import { describeEndpoint, type EngineCaps } from './probe.js';

export interface ImageRef {
  /** `registry.example.org:5000`, or undefined for Docker Hub. */
  registry?: string;
  repository: string;
  tag: string;
}

const DOMAIN_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^${DOMAIN_PART}(?:\\.${DOMAIN_PART})*(?::[0-9]+)?$`);
const PATH_PART = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** Parse a push reference (distribution's grammar, without a digest). Pure; returns why it is not one. */
export function parseImageRef(ref: string): ImageRef | { error: string } {
  if (ref.includes('@')) return { error: 'a push reference has no @digest (the registry computes it)' };
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  const registry = hasDomain ? first : undefined;
  let rest = hasDomain ? ref.slice(slash + 1) : ref;
  if (registry !== undefined && !DOMAIN.test(registry)) return { error: `"${registry}" is not a registry host[:port]` };
  let tag = 'latest';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return { error: `"${tag}" is not a tag (letters, digits, _ . -, at most 128, not starting with . or -)` };
  }
  const parts = rest.split('/');
  const bad = parts.find((p) => !PATH_PART.test(p));
  if (bad !== undefined) return { error: `"${bad}" is not a repository path component (lowercase letters and digits, separated by . _ __ or -)` };
  if ((registry ? registry.length + 1 : 0) + rest.length > 255) return { error: 'the repository name is longer than 255 characters' };
  return { ...(registry !== undefined ? { registry } : {}), repository: rest, tag };
}

/** The reference, or a usage failure naming what is wrong with it. */
export function checkPushRef(ref: string): ImageRef {
  const r = parseImageRef(ref);
  if ('error' in r) {
    return fail({ code: 'registry.bad-reference', message: `--push ${JSON.stringify(ref)} is not an image reference: ${r.error}`, value: ref, exit: ExitCode.usage });
  }
  return r;
}

const UNREACHABLE = /connection refused|no such host|i\/o timeout|network is unreachable|no route to host|connection reset by peer|dial tcp|TLS handshake timeout/i;
const REFUSED =
  /HTTP [45]\d\d response|\b(?:denied|unauthorized|forbidden)\b|authentication required|no basic auth credentials|server gave HTTP response to HTTPS client|x509:|certificate|unsupported|name unknown|blob upload invalid|manifest invalid/i;

/** Map a failed `docker push`'s output to a coded failure. Pure; unit-tested with real engines' messages. */
export function pushFailure(ref: ImageRef & { text: string }, lines: readonly string[], endpoint: string): Failure {
  const tail = lines.filter((l) => l.trim() !== '' && !/Retrying in \d+ seconds?$/.test(l)).slice(-6);
  const cause = tail.at(-1) ?? '(no output)';
  const host = ref.registry ?? 'docker.io';
  const details = ['last lines of the push:', ...tail.map((l) => `| ${l}`)];
  if (UNREACHABLE.test(cause)) {
    return {
      code: 'registry.unreachable',
      message: `the registry ${host} does not answer the engine at ${endpoint}: ${cause}`,
      value: ref.text,
      exit: ExitCode.engine,
      details,
      hint: `check that the registry runs at ${host} and that the engine at ${endpoint} reaches it (the engine pushes, not this machine)`,
    };
  }
  if (REFUSED.test(cause)) {
    return {
      code: 'registry.refused',
      message: `the registry ${host} refused the push of ${ref.text}: ${cause}`,
      value: ref.text,
      exit: ExitCode.engine,
      details,
      hint: /HTTPS client/.test(cause)
        ? `${host} speaks plain HTTP: add it to the engine's insecure-registries (daemon.json), or serve it over TLS`
        : `log in (\`docker login ${host}\`: the client hands the credentials to the engine), and check that ${ref.repository} exists and accepts pushes`,
    };
  }
  return { code: 'registry.push-failed', message: `the push of ${ref.text} failed: ${cause}`, value: ref.text, exit: ExitCode.engine, details };
}

export interface PushResult {
  ref: string;
  /** The manifest digest the registry stored (`sha256:…`). */
  digest: string;
  /** `ref@digest` without the tag: what a pull by digest names. */
  pinned: string;
}

/** Tag the local image `local` as `ref` (when they differ) and push it through the engine. */
export async function pushImage(caps: EngineCaps, local: string, ref: string): Promise<PushResult> {
  const parsed = checkPushRef(ref);
  const where = describeEndpoint(caps.endpoint);
  if (local !== ref) {
    const t = await exec([...caps.client, 'tag', local, ref]);
    if (t.code !== 0) {
      fail({ code: 'engine.image-missing', message: `cannot tag ${local} as ${ref} on the engine at ${where}: ${t.stderr.trim()}`, value: local, exit: ExitCode.engine });
    }
  }
  log.info(`pushing ${ref} (from the engine at ${where})`);
  const lines: string[] = [];
  const echo = getLogLevel() !== 'quiet';
  const onLine = (l: string) => {
    lines.push(l);
    if (lines.length > 400) lines.splice(0, 200);
    if (echo && !/Retrying in \d+ seconds?$/.test(l)) process.stderr.write(`  ${l}\n`);
  };
  const r = await exec([...caps.client, 'push', ref], { capture: false, onStdoutLine: onLine, onStderrLine: onLine });
  if (r.code !== 0) fail(pushFailure({ ...parsed, text: ref }, lines, where));
  const m = lines.map((l) => /digest: (sha256:[0-9a-f]{64})/.exec(l)).find((x) => x !== null);
  if (!m?.[1]) {
    return fail({ code: 'registry.push-failed', message: `the push of ${ref} reported no digest`, value: ref, exit: ExitCode.engine, details: lines.slice(-6).map((l) => `| ${l}`) });
  }
  const name = ref.slice(0, ref.length - (ref.endsWith(`:${parsed.tag}`) ? parsed.tag.length + 1 : 0));
  return { ref, digest: m[1], pinned: `${name}@${m[1]}` };
}
