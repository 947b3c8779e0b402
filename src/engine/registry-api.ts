/**
 * What a registry holds under a tag, asked from this machine over the registry API (distribution's
 * `GET /v2/REPO/manifests/TAG`, with the Docker and OCI manifest media types accepted): the manifest's digest and
 * the config digest it names. Asked from the host, not through the engine: the engine API has no call that returns
 * a manifest's config without pulling the image (`/distribution/NAME/json` gives the manifest's descriptor only),
 * and the docker client's own manifest tools (`docker manifest inspect`, `buildx imagetools`) ask from the client
 * machine too. HTTPS first, then plain HTTP (as the engine does for an insecure registry); an anonymous bearer
 * token when the registry asks for one. The config blob a manifest names is read the same way (`GET /v2/REPO/blobs/DIGEST`).
 */
import { createHash } from 'node:crypto';
import { ExitCode, fail } from '../core/errors.js';

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
];

export type ManifestLookup =
  | { found: false; url: string }
  | {
      found: true;
      url: string;
      /** The manifest's digest (the sha256 of the bytes the registry served). */
      digest: string;
      mediaType: string;
      /** The config digest an image manifest names; undefined for an index (a list of platforms). */
      config?: string;
    };

const TIMEOUT_MS = 20_000;

/** `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` → its parameters. */
export function bearerChallenge(header: string | null): Record<string, string> | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const out: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) out[m[1] as string] = m[2] as string;
  return out.realm ? out : undefined;
}

async function anonymousToken(challenge: Record<string, string>): Promise<string | undefined> {
  const url = new URL(challenge.realm as string);
  if (challenge.service) url.searchParams.set('service', challenge.service);
  if (challenge.scope) url.searchParams.set('scope', challenge.scope);
  const r = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!r.ok) return undefined;
  const j = (await r.json()) as { token?: string; access_token?: string };
  return j.token ?? j.access_token;
}

function errorText(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  return [err.cause?.code, err.cause?.message ?? err.message].filter(Boolean).join(' ') || String(e);
}

/** One GET of the registry API, HTTPS first then plain HTTP, with an anonymous bearer token when asked for one. */
async function registryGet(host: string, repository: string, what: string, pathPart: string, accept?: string): Promise<{ url: string; response: Response; body: Buffer } | { url: string; missing: true }> {
  const tried: string[] = [];
  for (const scheme of ['https', 'http']) {
    const url = `${scheme}://${host}/v2/${repository}/${pathPart}`;
    const headers: Record<string, string> = accept ? { Accept: accept } : {};
    let r: Response;
    try {
      r = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
      const challenge = r.status === 401 ? bearerChallenge(r.headers.get('www-authenticate')) : undefined;
      const token = challenge ? await anonymousToken(challenge) : undefined;
      if (token) r = await fetch(url, { headers: { ...headers, Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (e) {
      tried.push(`${url}: ${errorText(e)}`);
      continue;
    }
    if (r.status === 404) return { url, missing: true };
    const body = Buffer.from(await r.arrayBuffer());
    if (!r.ok) {
      return fail({
        code: 'registry.refused',
        message: `the registry ${host} refused the request for ${what}: HTTP ${r.status}`,
        value: url,
        exit: ExitCode.engine,
        // An HTTPS attempt that failed first (a certificate this machine does not trust, say) is said too.
        details: [...tried, ...(body.length > 0 ? [`| ${body.toString('utf8').slice(0, 300)}`] : [])],
        hint: r.status === 401 || r.status === 403
          ? `the registry wants credentials for ${repository}; tarsmith asks it anonymously to check the base and toolchain images, so let ${repository} be read without them (or build without the registry cache)`
          : `check that ${host} serves the registry API (/v2/) and that ${repository} can be read`,
      });
    }
    return { url, response: r, body };
  }
  return fail({
    code: 'registry.unreachable',
    message: `the registry ${host} does not answer this machine`,
    value: host,
    exit: ExitCode.engine,
    details: tried,
    hint: `check that the registry runs at ${host} and that this machine reaches it (tarsmith reads the base and toolchain images' manifests from here; the engine pulls and pushes them); a registry certificate signed by a private CA needs NODE_EXTRA_CA_CERTS=CA.pem here`,
  });
}

/** Look the tag up in `host`'s repository `repository`; a connection that fails on both schemes is registry.unreachable. */
export async function lookupManifest(host: string, repository: string, tag: string): Promise<ManifestLookup> {
  const got = await registryGet(host, repository, `the manifest of ${repository}:${tag}`, `manifests/${tag}`, MANIFEST_TYPES.join(', '));
  if ('missing' in got) return { found: false, url: got.url };
  const { url, response: r, body } = got;
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  let j: { mediaType?: string; config?: { digest?: string }; manifests?: unknown[] };
  try {
    j = JSON.parse(body.toString('utf8')) as typeof j;
  } catch {
    return fail({ code: 'registry.refused', message: `the registry ${host} answered the manifest request for ${repository}:${tag} with no JSON manifest`, value: url, exit: ExitCode.engine, hint: `check that ${host} is an OCI registry (distribution's /v2/ API)` });
  }
  const mediaType = j.mediaType ?? r.headers.get('content-type') ?? '';
  return { found: true, url, digest, mediaType, ...(typeof j.config?.digest === 'string' ? { config: j.config.digest } : {}) };
}

/**
 * A blob of `host`'s repository `repository` by digest (`GET /v2/REPO/blobs/DIGEST`, e.g. the config an image
 * manifest names), checked against its digest; undefined when the registry has no such blob.
 */
export async function fetchBlob(host: string, repository: string, digest: string): Promise<{ url: string; bytes: Buffer } | undefined> {
  const got = await registryGet(host, repository, `the blob ${digest} of ${repository}`, `blobs/${digest}`);
  if ('missing' in got) return undefined;
  const actual = `sha256:${createHash('sha256').update(got.body).digest('hex')}`;
  if (actual !== digest) {
    return fail({ code: 'registry.refused', message: `the registry ${host} served other bytes for the blob ${digest} of ${repository} (their sha256 is ${actual})`, value: got.url, exit: ExitCode.engine, hint: `check the registry at ${host}: a blob must be the bytes its digest names` });
  }
  return { url: got.url, bytes: got.body };
}
