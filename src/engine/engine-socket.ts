/**
 * Read-only questions to a local engine over its socket (the Docker Engine API, `GET` only), answered in a few
 * milliseconds instead of a docker client process (tens of them). Used only where the answer is the same as
 * the client's: the daemon's version for the probe, an image's layers. An endpoint that is not a `unix://`
 * socket, or a request that fails in any way, gives undefined and the caller asks the client as before.
 */
import * as http from 'node:http';

/** The socket path of a `unix://` endpoint, or undefined for any other kind. */
export function unixSocket(host: string | undefined): string | undefined {
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

/** `GET path` on the engine at `socketPath`: its status and JSON body, or undefined when it does not answer. */
export function socketGet(socketPath: string, path: string, timeoutMs = 5000): Promise<{ status: number; body: unknown } | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path, timeout: timeoutMs, headers: { host: 'docker' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** The engine's answer for an image (`GET /images/REF/json`): its inspect object, null when absent, undefined when not asked. */
export async function inspectImage(host: string | undefined, ref: string): Promise<Record<string, unknown> | null | undefined> {
  const socket = unixSocket(host);
  if (socket === undefined) return undefined;
  const r = await socketGet(socket, `/images/${ref.split('/').map(encodeURIComponent).join('/')}/json`);
  if (!r) return undefined;
  if (r.status === 404) return null;
  return r.status === 200 && r.body !== null && typeof r.body === 'object' ? (r.body as Record<string, unknown>) : undefined;
}
