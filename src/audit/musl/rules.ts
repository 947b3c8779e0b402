/**
 * The musl rules: what each flags, why it breaks on musl, and how to fix it. The matching itself lives in
 * `musl-scan.ts`; every rule has a fixture pair under `test/audit/musl/fixtures/<id>/` compiled with musl-gcc.
 */

export type MuslRuleId =
  | 'execinfo-h'
  | 'error-h'
  | 'fts-h'
  | 'obstack-h'
  | 'argp-h'
  | 'printf-h'
  | 'gnu-libc-version-h'
  | 'fpu-control-h'
  | 'sys-cdefs-h'
  | 'backtrace'
  | 'mallinfo'
  | 'malloc-hooks'
  | 'register-printf-function'
  | 'qsort-r'
  | 'gnu-strerror-r'
  | 'optreset'
  | 'rtld-deepbind'
  | 'dlclose-unload'
  | 'symver'
  | 'glibc-prereq-unguarded'
  | 'gnu-get-libc-version'
  | 'thread-stack'
  | 'begin-decls';

export interface MuslRule {
  id: MuslRuleId;
  /** How it fails under musl: at compile time, at link time, or by behaving differently at run time. */
  breaks: 'compile' | 'link' | 'runtime';
  why: string;
  fix: string;
}

const GUARD = 'guard it with `#ifdef __GLIBC__` (or a configure test such as HAVE_EXECINFO_H)';

function header(id: MuslRuleId, name: string, extra: string, fix: string): [string, MuslRule] {
  return [name, { id, breaks: 'compile', why: `musl has no <${name}>${extra}`, fix: `${fix}; or ${GUARD}` }];
}

export const HEADER_RULES: ReadonlyMap<string, MuslRule> = new Map([
  header('execinfo-h', 'execinfo.h', ' (no backtrace API)', 'use libexecinfo or libunwind'),
  header('error-h', 'error.h', ' (error(3) and error_at_line(3) are GNU)', 'print with fprintf(stderr, ...) and exit, or use err(3) from <err.h>'),
  header(
    'fts-h',
    'fts.h',
    ' upstream (Alpine ships it separately as musl-fts; Debian\'s musl build includes fts, so it works there)',
    'link musl-fts (-lfts) or walk trees with nftw(3)',
  ),
  header('obstack-h', 'obstack.h', ' (obstacks are a glibc extension)', 'use a plain arena allocator or the gnulib obstack module'),
  header('argp-h', 'argp.h', ' (argp is a glibc extension)', 'link argp-standalone or parse options with getopt_long(3)'),
  header('printf-h', 'printf.h', ' (printf customisation is a glibc extension)', 'format custom types with a helper function returning a string'),
  header('gnu-libc-version-h', 'gnu/libc-version.h', ' (it is glibc\'s own version interface)', 'drop the libc version query'),
  header('fpu-control-h', 'fpu_control.h', ' (_FPU_GETCW/_FPU_SETCW are glibc)', 'use <fenv.h> (fegetenv/fesetround) or inline asm'),
  header('sys-cdefs-h', 'sys/cdefs.h', ' (an internal glibc/BSD header)', 'define __BEGIN_DECLS/__END_DECLS yourself under `#ifdef __cplusplus`'),
]);

export const MUSL_MISSING_HEADERS: ReadonlySet<string> = new Set(HEADER_RULES.keys());

export const API_RULES: Readonly<Record<Exclude<MuslRuleId, `${string}-h`>, MuslRule>> = {
  backtrace: {
    id: 'backtrace',
    breaks: 'link',
    why: 'musl has no backtrace()/backtrace_symbols(): undeclared, and an own prototype fails to link',
    fix: `use libexecinfo (-lexecinfo) or libunwind; or ${GUARD}`,
  },
  mallinfo: {
    id: 'mallinfo',
    breaks: 'link',
    why: 'musl\'s malloc has no mallinfo()/mallinfo2() statistics',
    fix: `${GUARD}, or drop the statistics`,
  },
  'malloc-hooks': {
    id: 'malloc-hooks',
    breaks: 'compile',
    why: 'musl has no __malloc_hook/__free_hook/... (glibc removed them from its headers in 2.34 too)',
    fix: 'wrap malloc/free with your own functions or interpose them (LD_PRELOAD); or guard with `#ifdef __GLIBC__`',
  },
  'register-printf-function': {
    id: 'register-printf-function',
    breaks: 'compile',
    why: 'musl\'s printf cannot be extended: no register_printf_function/register_printf_specifier',
    fix: `format custom types with a helper returning a string; or ${GUARD}`,
  },
  'qsort-r': {
    id: 'qsort-r',
    breaks: 'link',
    why:
      'musl before 1.2.3 (Alpine ≤ 3.15) has no qsort_r (link error); 1.2.3 added it with the glibc argument order, ' +
      'so a glibc-order call works there, while BSD/macOS order (thunk before comparator) differs everywhere',
    fix: 'use qsort with a file-scope context variable, or a bundled sort; or require musl ≥ 1.2.3',
  },
  'gnu-strerror-r': {
    id: 'gnu-strerror-r',
    breaks: 'runtime',
    why: 'musl has only the XSI strerror_r, which returns an int and fills the buffer; using the result as char * crashes',
    fix: 'call strerror_r for its int result and use the buffer; or guard the GNU use with `#ifdef STRERROR_R_CHAR_P`/__GLIBC__',
  },
  optreset: {
    id: 'optreset',
    breaks: 'compile',
    why: 'musl declares `extern int optreset` in <unistd.h>/<getopt.h> (BSD-style); an own declaration that assumes the libc has none clashes',
    fix: 'reset getopt with `optind = 0` (glibc and musl) or use the libc optreset; declare your own only under `#ifdef __GLIBC__`',
  },
  'rtld-deepbind': {
    id: 'rtld-deepbind',
    breaks: 'compile',
    why: 'musl\'s dlopen has no RTLD_DEEPBIND',
    fix: 'use symbol visibility (-fvisibility=hidden, -Bsymbolic) instead; or guard with `#ifdef RTLD_DEEPBIND`/__GLIBC__',
  },
  'dlclose-unload': {
    id: 'dlclose-unload',
    breaks: 'runtime',
    why: 'musl\'s dlclose never unloads: a library opened again keeps its static state and its destructors run only at exit',
    fix: 'give the library an explicit init/reset function instead of reloading it; or guard the reload with `#ifdef __GLIBC__`',
  },
  symver: {
    id: 'symver',
    breaks: 'link',
    why: 'musl has no symbol versions: `.symver`/symver attributes naming GLIBC_x.y versions and dlvsym() do not resolve',
    fix: `bind the plain symbol name; or ${GUARD}`,
  },
  'glibc-prereq-unguarded': {
    id: 'glibc-prereq-unguarded',
    breaks: 'compile',
    why:
      '__GLIBC_PREREQ/__GNUC_PREREQ come from glibc\'s <features.h>; undefined under musl, `#if __GLIBC_PREREQ(2,17)` is a ' +
      'preprocessor error ("missing binary operator"), even after `defined(__GLIBC_PREREQ) &&` on the same line',
    fix: 'nest it: `#ifdef __GLIBC__` (or `#ifdef __GLIBC_PREREQ`) on its own line, then `#if __GLIBC_PREREQ(2,17)` inside',
  },
  'gnu-get-libc-version': {
    id: 'gnu-get-libc-version',
    breaks: 'link',
    why: 'gnu_get_libc_version()/gnu_get_libc_release() are glibc\'s own; musl has neither',
    fix: `drop the version query; or ${GUARD}`,
  },
  'thread-stack': {
    id: 'thread-stack',
    breaks: 'runtime',
    why: 'musl\'s default thread stack is 128 KiB (glibc: 8 MiB, from RLIMIT_STACK): a large local array in a thread overflows it and crashes',
    fix: 'create the thread with pthread_attr_setstacksize(), link with -Wl,-z,stack-size=N, or move the array to the heap',
  },
  'begin-decls': {
    id: 'begin-decls',
    breaks: 'compile',
    why: '__BEGIN_DECLS/__END_DECLS/__THROW come from glibc\'s <sys/cdefs.h>, which musl does not have or include',
    fix: 'define them yourself (`#ifdef __cplusplus` extern "C" {) or write the extern "C" block out',
  },
};

export function ruleById(id: MuslRuleId): MuslRule {
  if (id.endsWith('-h')) {
    for (const r of HEADER_RULES.values()) if (r.id === id) return r;
  }
  return API_RULES[id as keyof typeof API_RULES];
}

/** Every rule, sorted by id. */
export function allRules(): MuslRule[] {
  return [...HEADER_RULES.values(), ...Object.values(API_RULES)].sort((a, b) => a.id.localeCompare(b.id));
}
