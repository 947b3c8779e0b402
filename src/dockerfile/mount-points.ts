/**
 * The engine bind-mounts /etc/hosts, /etc/hostname and /etc/resolv.conf into every RUN; where the base lacks one,
 * it creates an empty stub before the RUN and removes it afterwards, which changes /etc's mtime in that layer
 * after every clamp (a layer that differs on every run). The base stage therefore ADDs them as empty files, with
 * /etc, from this tiny tar with every mtime at SOURCE_DATE_EPOCH. Their contents never matter: the engine always
 * mounts its own over them. Plain ustar, ASCII only, so the context holds it as text.
 */

export const MOUNT_POINTS = ['etc/hostname', 'etc/hosts', 'etc/resolv.conf'] as const;

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, type: '0' | '5', mode: number, mtime: number): string {
  const fields = [
    name.padEnd(100, '\0'),
    octal(mode, 8),
    octal(0, 8),
    octal(0, 8),
    octal(0, 12),
    octal(mtime, 12),
    '        ',
    type,
    ''.padEnd(100, '\0'),
    'ustar\0',
    '00',
    ''.padEnd(32, '\0'),
    ''.padEnd(32, '\0'),
    octal(0, 8),
    octal(0, 8),
    ''.padEnd(155, '\0'),
  ].join('');
  const block = fields.padEnd(512, '\0');
  let sum = 0;
  for (let i = 0; i < block.length; i++) sum += block.charCodeAt(i);
  const chk = `${sum.toString(8).padStart(6, '0')}\0 `;
  return block.slice(0, 148) + chk + block.slice(156);
}

/** The tar: `etc/` (0755) and the empty mount-point files (0644), mtime `epoch`, owner 0:0, two zero blocks. */
export function mountPointsTar(epoch: number): string {
  const members = [header('etc/', '5', 0o755, epoch), ...MOUNT_POINTS.map((n) => header(n, '0', 0o644, epoch))];
  return members.join('') + '\0'.repeat(1024);
}
