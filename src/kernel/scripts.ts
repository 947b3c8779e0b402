/**
 * The fixed POSIX sh helper of the kernel stages, copied into the build context as `tarsmith/bin/kernel.sh`. Every
 * value comes in as an argument (the Dockerfile runs it through step.sh with generated, quoted words), so nothing
 * from the manifest is spliced into shell text. The kernel's own tools do the work: `make <defconfig>`,
 * `scripts/kconfig/merge_config.sh -m`, `make olddefconfig`, `make modules_prepare` or the full build, the
 * `*_install` targets, and a one-line probe module whose vermagic is the kernel's own answer.
 */

/** Files of kernel/ in the output that the host reads: the kernel's release string and its vermagic. */
export const KERNEL_FILES = { release: ['kernel', 'release'].join('.'), vermagic: 'vermagic' } as const;

/** Where the kernel stages put what the host reads or exports (inside the container). */
export const KERNEL_OUT = {
  /** The resolved config and the kernel's merge/olddefconfig log (exported before compiling, for the check). */
  config: '/tarsmith/kernel-config',
  /** Artifacts of the compile stage (kernel/ in the output). */
  build: '/tarsmith/kernel-out',
  /** The base config and fragments, as staged from the context. */
  inputs: '/tarsmith/kernel',
} as const;

export const KERNEL_SH = `#!/bin/sh
# tarsmith kernel stages, run in the kernel tree:
#   kernel.sh base OUT defconfig|file BASE                  make <defconfig>, or the config file (conf built)
#   kernel.sh config OUT [FRAGMENT]...                       merge_config.sh -m, olddefconfig
#   kernel.sh build OUT modules_prepare|full SEED           compile; fixed randstruct seed; release + vermagic
#   kernel.sh install OUT [image|vmlinux|dtbs|modules|headers|symvers]...
set -eu
umask 022
cmd="$1"; out="$2"; shift 2
mkdir -p "$out"
jobs=$(nproc 2>/dev/null || echo 2)

base() {
  kind="$1"; base="$2"
  case "$kind" in
    defconfig) make -s "$base" ;;
    file)
      # Build the kernel's config tool here (on a scratch config), as a defconfig base does: the config stage
      # after a fragment change then only merges and runs olddefconfig.
      KCONFIG_CONFIG=/tmp/tarsmith-prime.config make -s allnoconfig >/dev/null; rm -f /tmp/tarsmith-prime.config*
      cp "$base" .config ;;
    *) echo "kernel.sh: unknown base kind $kind" >&2; exit 2 ;;
  esac
  cp .config "$out/base.config"
}

config() {
  if [ "$#" -gt 0 ]; then
    scripts/kconfig/merge_config.sh -m .config "$@" >"$out/merge.log" 2>&1 || { cat "$out/merge.log" >&2; exit 1; }
    cat "$out/merge.log"
  fi
  cp .config "$out/merged.config"
  KCONFIG_WARN_UNKNOWN_SYMBOLS=1 make -s olddefconfig >"$out/olddefconfig.log" 2>&1 || { cat "$out/olddefconfig.log" >&2; exit 1; }
  cat "$out/olddefconfig.log"
  cp .config "$out/config"
}

fixed_seed() {
  # CONFIG_RANDSTRUCT: the kernel draws its layout seed from /dev/urandom; use the one derived from the inputs.
  if grep -q '^CONFIG_RANDSTRUCT=y' .config; then
    printf '#!/bin/sh\\necho "%s" > "$1"\\nHASH=$(printf %%s "%s" | sha256sum | cut -d" " -f1)\\necho "#define RANDSTRUCT_HASHED_SEED \\\\"$HASH\\\\"" > "$2"\\n' "$1" "$1" > scripts/gen-randstruct-seed.sh
  fi
}

probe() {
  # The kernel's own vermagic: a one-line module built against this tree.
  p=/tarsmith/kernel-probe
  rm -rf "$p"; mkdir -p "$p"
  printf '#include <linux/module.h>\\nMODULE_LICENSE("GPL");\\n' > "$p/tarsmith_probe.c"
  printf 'obj-m := tarsmith_probe.o\\n' > "$p/Kbuild"
  make -s -C "$PWD" M="$p" modules >/dev/null
  tr '\\000' '\\n' < "$p/tarsmith_probe.ko" | sed -n 's/^vermagic=//p' > "$out/vermagic"
  rm -rf "$p"
}

build() {
  mode="$1"; seed="$2"
  fixed_seed "$seed"
  case "$mode" in
    modules_prepare) make -j"$jobs" modules_prepare ;;
    full) make -j"$jobs" ;;
    *) echo "kernel.sh: unknown build mode $mode" >&2; exit 2 ;;
  esac
  cp .config "$out/config"
  cp include/config/kernel.release "$out/kernel.release"
  if grep -q '^CONFIG_MODULES=y' .config; then probe; fi
}

install_one() {
  case "$1" in
    image) img=$(make -s image_name); cp "$img" "$out/$(basename "$img")" ;;
    vmlinux) cp vmlinux "$out/vmlinux" ;;
    dtbs) make -s dtbs_install INSTALL_DTBS_PATH="$out/dtbs" ;;
    modules) make -s modules_install INSTALL_MOD_PATH="$out/modules" DEPMOD=true; find "$out/modules" -type l -delete ;;
    headers) make -s headers_install INSTALL_HDR_PATH="$out/headers" ;;
    symvers) cp Module.symvers "$out/Module.symvers" ;;
    *) echo "kernel.sh: unknown artifact $1" >&2; exit 2 ;;
  esac
}

case "$cmd" in
  base) base "$@" ;;
  config) config "$@" ;;
  build) build "$@" ;;
  install) for a in "$@"; do install_one "$a"; done ;;
  *) echo "kernel.sh: unknown command $cmd" >&2; exit 2 ;;
esac
`;

/** One word for `sh -c`: single-quoted unless it is made only of safe characters. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=+@%-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}
