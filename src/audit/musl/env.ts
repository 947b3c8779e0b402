/**
 * What the preprocessor sees under musl (the target) and under glibc (the reference), for `#if` evaluation.
 * Macros not listed are unknown in both. Choices worth knowing:
 * - `__MUSL__` is not defined by musl itself; projects define it for musl builds, so it counts as defined here.
 * - `HAVE_*` and `STRERROR_R_CHAR_P` are configure results: undefined under musl for the glibc-only features this
 *   audit looks for, unknown under glibc. Code under `#ifdef HAVE_EXECINFO_H` is therefore guarded.
 * - `__gnu_linux__` is unknown under musl: `musl-gcc` (a wrapper around the host gcc) defines it, native musl
 *   toolchains do not.
 */
import type { Env, MacroFact } from '../../lang/cpp/expr.js';
import { MUSL_MISSING_HEADERS } from './rules.js';

const ELSEWHERE = [
  '__APPLE__', '__MACH__', '_WIN32', '_WIN64', '__CYGWIN__', '__MINGW32__', '__MINGW64__', '__FreeBSD__',
  '__NetBSD__', '__OpenBSD__', '__DragonFly__', '__sun', '__HAIKU__', '_AIX', '__hpux', '__gnu_hurd__',
  '__FreeBSD_kernel__', '__EMSCRIPTEN__', '__BIONIC__', '__ANDROID__', '__UCLIBC__', '__NEWLIB__', '__QNX__',
];
const LINUX = ['__linux__', '__linux', 'linux', '__unix__', '__unix', 'unix', '__ELF__'];
const GLIBC_ONLY = ['__GLIBC__', '__GLIBC_MINOR__', '__GNU_LIBRARY__', 'STRERROR_R_CHAR_P', 'RTLD_DEEPBIND'];
/** Function-like macros from glibc's <features.h>: undefined under musl (a real `#if` on them fails to compile). */
export const GLIBC_PREREQ_MACROS: ReadonlySet<string> = new Set(['__GLIBC_PREREQ', '__GNUC_PREREQ']);

const UNDEF: MacroFact = { defined: false };
const one: MacroFact = { defined: true, value: 1 };

function table(entries: Array<[readonly string[], MacroFact]>): Map<string, MacroFact> {
  const m = new Map<string, MacroFact>();
  for (const [names, fact] of entries) for (const n of names) m.set(n, fact);
  return m;
}

const MUSL = table([
  [ELSEWHERE, UNDEF],
  [LINUX, one],
  [GLIBC_ONLY, UNDEF],
  [[...GLIBC_PREREQ_MACROS], UNDEF],
  [['__MUSL__'], one],
]);

const GLIBC = table([
  [ELSEWHERE, UNDEF],
  [LINUX, one],
  [['__gnu_linux__'], one],
  [['__GLIBC__'], { defined: true, value: 2 }],
  [['RTLD_DEEPBIND'], { defined: true, value: 8 }],
  [['__GNU_LIBRARY__'], { defined: true, value: 6 }],
  [['__GLIBC_MINOR__'], { defined: true, value: null }],
  [['__MUSL__'], UNDEF],
]);

export const muslEnv: Env = {
  macro(name) {
    const f = MUSL.get(name);
    if (f) return f;
    return name.startsWith('HAVE_') && name !== 'HAVE_CONFIG_H' ? UNDEF : undefined;
  },
  call(name) {
    return GLIBC_PREREQ_MACROS.has(name) ? undefined : null;
  },
  hasInclude(header) {
    return MUSL_MISSING_HEADERS.has(header) ? 0 : null;
  },
};

export const glibcEnv: Env = {
  macro(name) {
    return GLIBC.get(name);
  },
  call() {
    return null;
  },
  hasInclude(header) {
    return MUSL_MISSING_HEADERS.has(header) ? 1 : null;
  },
};
