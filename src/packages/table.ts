/**
 * The curated Debian → Alpine package table. Every entry names its source of truth (the Alpine aports
 * folder whose APKBUILD builds the package, with the subpackage when it is one) and the Alpine repository
 * (`main` or `community`, derived from that path). Nothing from edge/testing is ever suggested: packages that
 * only exist there (libcli) are `none` entries with advice. Entries the curators could not confirm for Alpine
 * 3.19–3.21 carry a `review` note; the conversion applies them but reports the note.
 */

export type AlpineRepo = 'main' | 'community';

/** What to do when Alpine has no package for a Debian one. */
export type NoEquivalentAdvice = 'platform' | 'vendor' | 'not-applicable';

interface EntryBase {
  /** The Debian package name (bookworm/trixie). */
  debian: string;
}

/** The Debian package maps to one or more Alpine packages. */
export interface MapEntry extends EntryBase {
  kind: 'map';
  alpine: readonly string[];
  repo: AlpineRepo;
  /** Where to check it, e.g. `aports main/openssl/APKBUILD, subpackage openssl-dev`. */
  source: string;
  /** Set when the mapping is not confirmed for Alpine stable; says what to check. */
  review?: string;
}

/** Not needed on Alpine (Debian packaging tooling, or already part of the Alpine base). */
export interface DropEntry extends EntryBase {
  kind: 'drop';
  reason: string;
  source: string;
}

/** Alpine stable has no equivalent: an explicit finding with advice. */
export interface NoneEntry extends EntryBase {
  kind: 'none';
  advice: NoEquivalentAdvice;
  reason: string;
  hint: string;
  source: string;
}

export type TableEntry = MapEntry | DropEntry | NoneEntry;

/** `m('libssl-dev', 'main/openssl', 'openssl-dev')`: the Alpine package(s) come from the aports folder. */
function m(debian: string, aport: string, alpine?: string | readonly string[], review?: string): MapEntry {
  const names = alpine === undefined ? [aport.split('/')[1] ?? aport] : typeof alpine === 'string' ? [alpine] : alpine;
  const origin = aport.split('/')[1] ?? aport;
  const subs = names.filter((n) => n !== origin);
  const source =
    `aports ${aport}/APKBUILD` + (subs.length > 0 ? `, subpackage${subs.length > 1 ? 's' : ''} ${subs.join(' ')}` : '');
  const repo = aport.startsWith('community/') ? 'community' : 'main';
  return { debian, kind: 'map', alpine: names, repo, source, ...(review ? { review } : {}) };
}

function drop(debian: string, reason: string): DropEntry {
  return { debian, kind: 'drop', reason, source: 'Debian-only packaging tool (no Alpine counterpart needed)' };
}

const PLATFORM_HINT =
  'build for the target natively: `docker buildx build --platform linux/arm64` (BuildKit + QEMU binfmt), ' +
  'or use a cross toolchain image; Alpine stable ships no Debian-style cross compilers';

function cross(debian: string): NoneEntry {
  return {
    debian,
    kind: 'none',
    advice: 'platform',
    reason: 'Debian cross-compilation package; Alpine stable has no Debian-style cross toolchain packages',
    hint: PLATFORM_HINT,
    source: 'pkgs.alpinelinux.org: no such package in main/community',
  };
}

export const APK_TABLE: readonly TableEntry[] = [
  // Toolchain and build drivers
  m('build-essential', 'main/build-base'),
  m('gcc', 'main/gcc'),
  m('g++', 'main/gcc', 'g++'),
  m('cpp', 'main/gcc', 'gcc', 'Alpine ships the preprocessor inside gcc'),
  m('libstdc++6', 'main/gcc', 'libstdc++'),
  m('libstdc++-12-dev', 'main/gcc', 'libstdc++-dev'),
  m('libstdc++-13-dev', 'main/gcc', 'libstdc++-dev'),
  m('libstdc++-14-dev', 'main/gcc', 'libstdc++-dev'),
  m('gcc-12', 'main/gcc', 'gcc', 'Alpine ships one gcc version per release, not the Debian-pinned one'),
  m('gcc-13', 'main/gcc', 'gcc', 'Alpine ships one gcc version per release, not the Debian-pinned one'),
  m('g++-12', 'main/gcc', 'g++', 'Alpine ships one gcc version per release, not the Debian-pinned one'),
  m('g++-13', 'main/gcc', 'g++', 'Alpine ships one gcc version per release, not the Debian-pinned one'),
  m('libgcc-s1', 'main/gcc', 'libgcc'),
  m('libgcc1', 'main/gcc', 'libgcc'),
  m('libc6', 'main/musl'),
  m('libc6-dev', 'main/musl', 'musl-dev'),
  m('libc-dev', 'main/musl', 'musl-dev'),
  m('linux-libc-dev', 'main/linux-headers'),
  m('binutils', 'main/binutils'),
  m('make', 'main/make'),
  m('cmake', 'main/cmake'),
  m('ninja-build', 'main/samurai', 'samurai'),
  m('meson', 'main/meson'),
  m('autoconf', 'main/autoconf'),
  m('automake', 'main/automake'),
  m('libtool', 'main/libtool'),
  m('libtool-bin', 'main/libtool'),
  m('pkg-config', 'main/pkgconf'),
  m('pkgconf', 'main/pkgconf'),
  m('m4', 'main/m4'),
  m('bison', 'main/bison'),
  m('flex', 'main/flex'),
  m('gperf', 'main/gperf'),
  m('bc', 'main/bc'),
  m('nasm', 'main/nasm'),
  m('ccache', 'main/ccache'),
  m('gettext', 'main/gettext'),
  m('texinfo', 'main/texinfo'),
  m('fakeroot', 'main/fakeroot'),
  m('gdb', 'main/gdb'),
  m('strace', 'main/strace'),
  m('valgrind', 'main/valgrind'),
  m('swig', 'main/swig'),
  m('doxygen', 'main/doxygen'),
  // Kernel / firmware / NXP ASK build set
  m('kmod', 'main/kmod'),
  m('cpio', 'main/cpio'),
  m('rsync', 'main/rsync'),
  m('libelf-dev', 'main/elfutils', 'elfutils-dev'),
  m('libdw-dev', 'main/elfutils', 'elfutils-dev'),
  m('libelf1', 'main/elfutils', 'libelf'),
  m('u-boot-tools', 'main/u-boot', 'u-boot-tools'),
  m('device-tree-compiler', 'main/dtc', 'dtc'),
  m('dwarves', 'community/pahole', 'pahole', 'pahole is packaged in community; confirm its version is new enough for BTF (CONFIG_DEBUG_INFO_BTF)'),
  m('libxml2-dev', 'main/libxml2', 'libxml2-dev'),
  m('libxml2', 'main/libxml2'),
  m('libpcap-dev', 'main/libpcap', 'libpcap-dev'),
  m('libpcap0.8', 'main/libpcap', 'libpcap'),
  m('libmnl-dev', 'main/libmnl', 'libmnl-dev'),
  m('libmnl0', 'main/libmnl', 'libmnl'),
  m('libnfnetlink-dev', 'main/libnfnetlink', 'libnfnetlink-dev'),
  m('libnetfilter-conntrack-dev', 'main/libnetfilter_conntrack', 'libnetfilter_conntrack-dev'),
  m('libnetfilter-queue-dev', 'main/libnetfilter_queue', 'libnetfilter_queue-dev'),
  m('libnftnl-dev', 'main/libnftnl', 'libnftnl-dev'),
  m('libnl-3-dev', 'main/libnl3', 'libnl3-dev'),
  m('libnl-genl-3-dev', 'main/libnl3', 'libnl3-dev'),
  m('libnl-route-3-dev', 'main/libnl3', 'libnl3-dev'),
  m('libtclap-dev', 'community/tclap', 'tclap-dev'),
  m('libsctp-dev', 'main/lksctp-tools', 'lksctp-tools-dev'),
  m('libxtables-dev', 'main/iptables', 'iptables-dev'),
  m('iptables', 'main/iptables'),
  m('iproute2', 'main/iproute2'),
  m('ethtool', 'main/ethtool'),
  // Interpreters
  m('python3', 'main/python3'),
  m('python3-dev', 'main/python3', 'python3-dev'),
  m('libpython3-dev', 'main/python3', 'python3-dev'),
  m('python3-venv', 'main/python3', 'python3', 'venv is part of Alpine python3; check ensurepip works for your use'),
  m('python3-pip', 'community/py3-pip', 'py3-pip'),
  m('python3-setuptools', 'main/py3-setuptools', 'py3-setuptools'),
  m('python3-yaml', 'main/py3-yaml', 'py3-yaml'),
  m('perl', 'main/perl'),
  m('golang', 'community/go', 'go'),
  m('golang-go', 'community/go', 'go'),
  m('rustc', 'main/rust', 'rust'),
  m('cargo', 'main/rust', 'cargo'),
  m('nodejs', 'main/nodejs'),
  m('npm', 'community/npm'),
  // Archivers and compression
  m('xz-utils', 'main/xz', 'xz'),
  m('bzip2', 'main/bzip2'),
  m('gzip', 'main/gzip'),
  m('zstd', 'main/zstd'),
  m('lz4', 'main/lz4'),
  m('unzip', 'main/unzip'),
  m('zip', 'main/zip'),
  m('tar', 'main/tar'),
  // Core userland (GNU tools instead of BusyBox applets)
  m('bash', 'main/bash'),
  m('coreutils', 'main/coreutils'),
  m('findutils', 'main/findutils'),
  m('sed', 'main/sed'),
  m('grep', 'main/grep'),
  m('gawk', 'main/gawk'),
  m('diffutils', 'main/diffutils'),
  m('patch', 'main/patch'),
  m('file', 'main/file'),
  m('util-linux', 'main/util-linux'),
  m('procps', 'main/procps-ng', 'procps-ng'),
  m('less', 'main/less'),
  m('jq', 'main/jq'),
  m('sudo', 'main/sudo'),
  m('tzdata', 'main/tzdata'),
  // Network and fetch tools
  m('git', 'main/git'),
  m('curl', 'main/curl'),
  m('wget', 'main/wget'),
  m('ca-certificates', 'main/ca-certificates'),
  m('openssl', 'main/openssl'),
  m('gnupg', 'main/gnupg'),
  m('openssh-client', 'main/openssh', 'openssh-client', 'a virtual provided by openssh-client-default on recent releases'),
  // Libraries (-dev)
  m('libssl-dev', 'main/openssl', 'openssl-dev'),
  m('libssl3', 'main/openssl', 'libssl3'),
  m('zlib1g-dev', 'main/zlib', 'zlib-dev'),
  m('zlib1g', 'main/zlib'),
  m('libbz2-dev', 'main/bzip2', 'bzip2-dev'),
  m('liblzma-dev', 'main/xz', 'xz-dev'),
  m('libzstd-dev', 'main/zstd', 'zstd-dev'),
  m('liblz4-dev', 'main/lz4', 'lz4-dev'),
  m('libncurses-dev', 'main/ncurses', 'ncurses-dev'),
  m('libncurses5-dev', 'main/ncurses', 'ncurses-dev'),
  m('libncursesw5-dev', 'main/ncurses', 'ncurses-dev'),
  m('libtinfo-dev', 'main/ncurses', 'ncurses-dev'),
  m('libreadline-dev', 'main/readline', 'readline-dev'),
  m('libedit-dev', 'main/libedit', 'libedit-dev'),
  m('libffi-dev', 'main/libffi', 'libffi-dev'),
  m('libcurl4-openssl-dev', 'main/curl', 'curl-dev'),
  m('libexpat1-dev', 'main/expat', 'expat-dev'),
  m('libyaml-dev', 'main/yaml', 'yaml-dev'),
  m('libjson-c-dev', 'main/json-c', 'json-c-dev'),
  m('libjansson-dev', 'main/jansson', 'jansson-dev'),
  m('libsqlite3-dev', 'main/sqlite', 'sqlite-dev'),
  m('libpcre2-dev', 'main/pcre2', 'pcre2-dev'),
  m('libpcre3-dev', 'main/pcre', 'pcre-dev', 'PCRE1 is deprecated upstream; confirm pcre-dev is still in your release or move to pcre2'),
  m('libevent-dev', 'main/libevent', 'libevent-dev'),
  m('libglib2.0-dev', 'main/glib', 'glib-dev'),
  m('libdbus-1-dev', 'main/dbus', 'dbus-dev'),
  m('libusb-1.0-0-dev', 'main/libusb', 'libusb-dev'),
  m('libgmp-dev', 'main/gmp', 'gmp-dev'),
  m('libmpfr-dev', 'main/mpfr4', 'mpfr-dev'),
  m('libmpc-dev', 'main/mpc1', 'mpc1-dev'),
  m('libgnutls28-dev', 'main/gnutls', 'gnutls-dev'),
  m('libgcrypt20-dev', 'main/libgcrypt', 'libgcrypt-dev'),
  m('libkrb5-dev', 'main/krb5', 'krb5-dev'),
  m('libpam0g-dev', 'main/linux-pam', 'linux-pam-dev'),
  m('libaio-dev', 'main/libaio', 'libaio-dev'),
  m('libattr1-dev', 'main/attr', 'attr-dev'),
  m('libacl1-dev', 'main/acl', 'acl-dev'),
  m('libcap-dev', 'main/libcap', 'libcap-dev'),
  m('libcap-ng-dev', 'main/libcap-ng', 'libcap-ng-dev'),
  m('libseccomp-dev', 'main/libseccomp', 'libseccomp-dev'),
  m('uuid-dev', 'main/util-linux', 'util-linux-dev'),
  m('libblkid-dev', 'main/util-linux', 'util-linux-dev'),
  m('libmount-dev', 'main/util-linux', 'util-linux-dev'),
  m('libxslt1-dev', 'main/libxslt', 'libxslt-dev'),
  m('libjpeg-dev', 'main/libjpeg-turbo', 'libjpeg-turbo-dev'),
  m('libjpeg62-turbo-dev', 'main/libjpeg-turbo', 'libjpeg-turbo-dev'),
  m('libpng-dev', 'main/libpng', 'libpng-dev'),
  m('libfreetype6-dev', 'main/freetype', 'freetype-dev'),
  m('libboost-dev', 'main/boost', 'boost-dev'),
  m('libboost-all-dev', 'main/boost', 'boost-dev'),
  m('libtirpc-dev', 'main/libtirpc', 'libtirpc-dev'),
  m('libnuma-dev', 'main/numactl', 'numactl-dev'),
  m('libbsd-dev', 'main/libbsd', 'libbsd-dev'),
  m('libarchive-dev', 'main/libarchive', 'libarchive-dev'),
  m('libpopt-dev', 'main/popt', 'popt-dev'),
  m('libkeyutils-dev', 'main/keyutils', 'keyutils-dev'),
  m('libuv1-dev', 'main/libuv', 'libuv-dev'),
  m('libcmocka-dev', 'main/cmocka', 'cmocka-dev'),
  m('libgtest-dev', 'main/gtest', 'gtest-dev'),
  m('googletest', 'main/gtest', 'gtest-dev'),
  // Debian packaging tools: not needed on Alpine
  drop('apt-utils', 'apt helper tools'),
  drop('apt-transport-https', 'apt HTTPS transport (apk fetches HTTPS natively)'),
  drop('software-properties-common', 'add-apt-repository tooling'),
  drop('debconf-utils', 'debconf preseeding'),
  drop('lsb-release', 'Debian release identification; read /etc/os-release instead'),
  drop('dpkg-dev', 'dpkg build helpers (dpkg-architecture, dpkg-buildflags)'),
  // No equivalent in Alpine stable
  {
    debian: 'libcli-dev',
    kind: 'none',
    advice: 'vendor',
    reason: 'libcli is only packaged in Alpine edge/testing, which is never used for stable builds',
    hint: 'vendor libcli as a source package (list its release tarball in the manifest) and build it before the project',
    source: 'aports testing/libcli/APKBUILD (edge only)',
  },
  {
    debian: 'libsystemd-dev',
    kind: 'none',
    advice: 'not-applicable',
    reason: 'Alpine does not use systemd',
    hint: 'build the project without systemd support (usually a configure/CMake option)',
    source: 'pkgs.alpinelinux.org: no systemd in main/community',
  },
  {
    debian: 'locales',
    kind: 'none',
    advice: 'not-applicable',
    reason: 'musl has no glibc locale archive; locale-gen does not exist',
    hint: 'drop locale generation; set LANG=C.UTF-8 if the build needs UTF-8',
    source: 'musl libc (no localedef)',
  },
  cross('crossbuild-essential-arm64'),
  cross('crossbuild-essential-armhf'),
  cross('gcc-aarch64-linux-gnu'),
  cross('g++-aarch64-linux-gnu'),
  cross('binutils-aarch64-linux-gnu'),
  cross('gcc-arm-linux-gnueabihf'),
  cross('libc6-dev-arm64-cross'),
  cross('qemu-user-static'),
];

const byName = new Map<string, TableEntry>(APK_TABLE.map((e) => [e.debian, e]));

export function lookup(debian: string): TableEntry | undefined {
  return byName.get(debian);
}

/** Alpine's own names are accepted as they are (a list may already be half converted). */
const alpineNames = new Set<string>(
  APK_TABLE.flatMap((e) => (e.kind === 'map' ? [...e.alpine] : [])),
);
export function isKnownAlpineName(name: string): boolean {
  return alpineNames.has(name);
}
