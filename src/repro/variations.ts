/**
 * What `tarsmith repro` varies between its two builds, and how: the first build is the plain build; the second
 * gets the selected variations as a BuildVariant (see engine/plan.ts): variables in the build stage, tools first
 * on PATH, a wrapper before every step (faketime, setpriv, the readdir preload) and a set-up step that checks
 * what the builder offers and says so in the log (`tarsmith-vary name=... applied=yes|no ...`).
 */
import * as os from 'node:os';
import { ExitCode, fail } from '../core/errors.js';
import type { BuildVariant } from '../engine/plan.js';

export const VARIATIONS = ['build-path', 'time', 'timezone', 'locale', 'umask', 'user', 'hostname', 'home', 'cpus', 'dir-order', 'path', 'environment'] as const;
export type Variation = (typeof VARIATIONS)[number];

/** What each variation does in the second build (for --help, the report and docs/design/repro.md). */
export const VARIATION_ABOUT: Record<Variation, string> = {
  'build-path': 'the sources (and so the working directory) under a longer, different root',
  time: 'the wall clock shifted 397 days ahead with faketime, when the builder has it',
  timezone: 'TZ=REP-14 (UTC+14) instead of UTC',
  locale: 'LANG and LC_ALL fr_CH.UTF-8 instead of C.UTF-8',
  umask: 'umask 0002 instead of 022',
  user: 'the steps run as uid/gid 4242 (user reprob) instead of root, with setpriv, when the builder has it',
  hostname: 'HOSTNAME, hostname, uname -n and dnsdomainname answer tarsmith-repro-b.example.invalid',
  home: 'HOME is /tarsmith/vary/home instead of /root',
  cpus: 'nproc answers one more CPU than this machine has, MAKEFLAGS=-jN with that number',
  'dir-order': 'readdir() returns every folder\'s entries in reverse order (an LD_PRELOAD library built with the builder\'s cc)',
  path: 'an extra folder first on PATH (/tarsmith/vary/bin)',
  environment: 'an extra variable, TARSMITH_REPRO_EXTRA=1',
};

/** `all`, names, and `-name` to leave one out, comma-separated: `all,-user`, `time,timezone`. */
export function parseVariations(list: string | undefined): Variation[] {
  const chosen = new Set<Variation>(list === undefined ? VARIATIONS : []);
  for (const raw of (list ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    const drop = raw.startsWith('-');
    const name = drop ? raw.slice(1) : raw;
    const names = name === 'all' ? [...VARIATIONS] : [name];
    for (const n of names) {
      if (!(VARIATIONS as readonly string[]).includes(n)) {
        fail({ code: 'repro.unknown-variation', message: `unknown variation ${JSON.stringify(n)}`, value: raw, exit: ExitCode.usage, hint: `use all, or some of the variations: ${VARIATIONS.join(', ')} (prefix - to leave one out)` });
      }
      if (drop) chosen.delete(n as Variation);
      else chosen.add(n as Variation);
    }
  }
  return VARIATIONS.filter((v) => chosen.has(v));
}

export const VARY_ROOT = '/tarsmith/vary';
export const SOURCE_ROOT = '/tarsmith-repro/build-path-varied';
export const HOSTNAME = 'tarsmith-repro-b';
export const DOMAIN = 'example.invalid';
export const USER = 'reprob';
export const UID = 4242;
export const TIME_SHIFT = '+397d';
export const MARK_VARY = 'tarsmith-vary';

/** The set-up step: checks what the builder offers for each variation, prepares it, says what was applied. */
export const VARY_SETUP_SH = `#!/bin/sh
# tarsmith repro: vary-setup.sh VARIATIONS [FOLDER...]  (the folders are chowned for the user variation)
set -eu
vary="$1"; shift
state=${VARY_ROOT}/state
mkdir -p "$state" ${VARY_ROOT}/home
note() { printf '${MARK_VARY} name=%s applied=%s %s\\n' "$1" "$2" "$3"; }
IFS=,
for v in $vary; do
  unset IFS
  case "$v" in
    time)
      if command -v faketime >/dev/null 2>&1; then : > "$state/time"; note time yes "faketime ${TIME_SHIFT}"
      else note time no "the builder has no faketime (Debian: faketime); the two builds ran at different times"; fi ;;
    user)
      if command -v setpriv >/dev/null 2>&1; then
        grep -q '^${USER}:' /etc/passwd || echo '${USER}:x:${UID}:${UID}:tarsmith repro:${VARY_ROOT}/home:/bin/sh' >> /etc/passwd
        grep -q '^${USER}:' /etc/group || echo '${USER}:x:${UID}:' >> /etc/group
        chown -R ${UID}:${UID} ${VARY_ROOT}/home "$@"
        : > "$state/user"; note user yes "uid ${UID}"
      else note user no "the builder has no setpriv (Debian: util-linux)"; fi ;;
    dir-order)
      cc=""
      for c in cc gcc clang; do if command -v "$c" >/dev/null 2>&1; then cc="$c"; break; fi; done
      if [ -n "$cc" ] && "$cc" -shared -fPIC -O2 -o "$state/readdir-reverse.so" ${VARY_ROOT}/readdir-reverse.c -ldl 2>"$state/cc.log"; then
        : > "$state/dir-order"; note dir-order yes "LD_PRELOAD readdir-reverse.so"
      else note dir-order no "no C compiler in the builder could build the readdir library"; fi ;;
    *) note "$v" yes "" ;;
  esac
  IFS=,
done
unset IFS
`;

/** The wrapper before every step: the preload, the other user, the shifted clock, as set up. */
export const VARY_SH = `#!/bin/sh
# tarsmith repro: vary.sh COMMAND...  (runs COMMAND with the variations vary-setup.sh prepared)
state=${VARY_ROOT}/state
if [ -f "$state/dir-order" ]; then
  LD_PRELOAD="$state/readdir-reverse.so\${LD_PRELOAD:+:$LD_PRELOAD}"; export LD_PRELOAD
fi
if [ -f "$state/user" ]; then set -- setpriv --reuid=${UID} --regid=${UID} --clear-groups "$@"; fi
if [ -f "$state/time" ]; then set -- faketime -f "${TIME_SHIFT}" "$@"; fi
exec "$@"
`;

/** readdir()/readdir64() give each folder's entries in reverse of the file system's order (like disorderfs --reverse-dirents). */
export const READDIR_REVERSE_C = `/* tarsmith repro: readdir() returns each folder's entries in reverse order (LD_PRELOAD). */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

struct list { DIR *dir; struct dirent64 *ents; size_t n, next; struct list *up; };
static struct list *lists;

static struct list *find(DIR *d) {
  for (struct list *l = lists; l; l = l->up) if (l->dir == d) return l;
  return 0;
}

static void drop(DIR *d) {
  for (struct list **p = &lists; *p; p = &(*p)->up) {
    if ((*p)->dir == d) { struct list *l = *p; *p = l->up; free(l->ents); free(l); return; }
  }
}

static struct list *load(DIR *d) {
  static struct dirent64 *(*real)(DIR *);
  if (!real) real = (struct dirent64 *(*)(DIR *))dlsym(RTLD_NEXT, "readdir64");
  struct list *l = calloc(1, sizeof *l);
  size_t cap = 0;
  struct dirent64 *e;
  l->dir = d;
  while ((e = real(d))) {
    if (l->n == cap) { cap = cap ? cap * 2 : 64; l->ents = realloc(l->ents, cap * sizeof *e); }
    /* a record may be shorter than the struct at the end of libc's buffer: copy only its own bytes */
    memset(&l->ents[l->n], 0, sizeof *e);
    memcpy(&l->ents[l->n++], e, e->d_reclen < sizeof *e ? e->d_reclen : sizeof *e);
  }
  for (size_t i = 0; i < l->n / 2; i++) { struct dirent64 t = l->ents[i]; l->ents[i] = l->ents[l->n - 1 - i]; l->ents[l->n - 1 - i] = t; }
  l->up = lists;
  lists = l;
  return l;
}

struct dirent64 *readdir64(DIR *d) {
  struct list *l = find(d);
  if (!l) l = load(d);
  return l->next < l->n ? &l->ents[l->next++] : 0;
}

struct dirent *readdir(DIR *d) { return (struct dirent *)readdir64(d); }

void rewinddir(DIR *d) {
  static void (*real)(DIR *);
  if (!real) real = (void (*)(DIR *))dlsym(RTLD_NEXT, "rewinddir");
  drop(d);
  real(d);
}

int closedir(DIR *d) {
  static int (*real)(DIR *);
  if (!real) real = (int (*)(DIR *))dlsym(RTLD_NEXT, "closedir");
  drop(d);
  return real(d);
}
`;

const HOSTNAME_SH = `#!/bin/sh
# tarsmith repro: hostname answering the varied name
case "\${1:-}" in
  -d|--domain) echo ${DOMAIN} ;;
  -f|--fqdn|--long|-A|--all-fqdns) echo ${HOSTNAME}.${DOMAIN} ;;
  *) echo ${HOSTNAME} ;;
esac
`;

const UNAME_SH = `#!/bin/sh
# tarsmith repro: uname with the varied node name
if [ "$#" -eq 1 ] && [ "$1" = -n ]; then echo ${HOSTNAME}; exit 0; fi
for d in /usr/bin /bin; do [ -x "$d/uname" ] && exec "$d/uname" "$@"; done
exit 127
`;

const nprocSh = (n: number) => `#!/bin/sh
# tarsmith repro: nproc answering the varied CPU count
echo ${n}
`;

/** The second build's variant: its own cache (buildId) and the selected variations. */
export function variantFor(selected: readonly Variation[], buildId: string, chownDirs: readonly string[]): BuildVariant {
  const on = new Set(selected);
  const cpus = os.availableParallelism() + 1;
  const env: Record<string, string> = {};
  if (on.has('timezone')) env.TZ = 'REP-14';
  if (on.has('locale')) Object.assign(env, { LANG: 'fr_CH.UTF-8', LC_ALL: 'fr_CH.UTF-8' });
  if (on.has('umask')) env.TARSMITH_STEP_UMASK = '0002';
  if (on.has('home')) env.HOME = `${VARY_ROOT}/home`;
  if (on.has('hostname')) env.HOSTNAME = HOSTNAME;
  if (on.has('user')) Object.assign(env, { USER: USER, LOGNAME: USER });
  if (on.has('cpus')) env.MAKEFLAGS = `-j${cpus}`;
  if (on.has('environment')) env.TARSMITH_REPRO_EXTRA = '1';
  const bin: { path: string; content: string; mode: number }[] = [];
  if (on.has('hostname')) {
    bin.push({ path: 'bin/hostname', content: HOSTNAME_SH, mode: 0o755 }, { path: 'bin/uname', content: UNAME_SH, mode: 0o755 });
    bin.push({ path: 'bin/dnsdomainname', content: `#!/bin/sh\necho ${DOMAIN}\n`, mode: 0o755 });
  }
  if (on.has('cpus')) bin.push({ path: 'bin/nproc', content: nprocSh(cpus), mode: 0o755 });
  if (on.has('path') && bin.length === 0) bin.push({ path: 'bin/.keep', content: '', mode: 0o644 });
  const files = [
    ...bin,
    { path: 'vary-setup.sh', content: VARY_SETUP_SH, mode: 0o755 },
    { path: 'vary.sh', content: VARY_SH, mode: 0o755 },
    { path: 'readdir-reverse.c', content: READDIR_REVERSE_C, mode: 0o644 },
  ];
  const wrapped = on.has('time') || on.has('user') || on.has('dir-order');
  // bin/ goes first on PATH when it holds shims or the path variation is on; otherwise PATH is left alone.
  const onPath = bin.length > 0;
  return {
    buildId,
    env,
    tools: { root: VARY_ROOT, files, ...(onPath ? { binDir: `${VARY_ROOT}/bin` } : {}) },
    stepSetup: [['/bin/sh', `${VARY_ROOT}/vary-setup.sh`, selected.join(','), ...chownDirs]],
    ...(wrapped ? { stepWrapper: ['/bin/sh', `${VARY_ROOT}/vary.sh`] } : {}),
    ...(on.has('build-path') ? { sourceRoot: SOURCE_ROOT } : {}),
  };
}
