/**
 * The validated, normalised manifest (`tarsmith.yaml`, version 1), as every other module sees it.
 * Paths are kept as written (relative to the manifest's folder); `dir` is that folder, absolute.
 */

export type SourceOrigin =
  | { kind: 'file'; file: string }
  | { kind: 'url'; url: string; mirrors: string[] }
  | { kind: 'git'; git: string; ref: string; commit?: string };

export interface Source {
  name: string;
  origin: SourceOrigin;
  /** Expected sha256 of the vendored file, when the manifest pins it. */
  sha256?: string;
  /** Leading path components removed on extraction. */
  strip: number;
  /** Drop `.git`, `.hg`, `.svn`, `.bzr` on extraction (default true). */
  dropVcs: boolean;
  /** Patch files (relative to the manifest), applied in order after extraction; vendored and hashed like sources. */
  patches: string[];
  /** SPDX license id. */
  license?: string;
  /** Where the source is extracted in the build tree; default `/src/<name>`. For a plain file, the file's path. */
  into?: string;
  /** False for a plain file (not an archive): placed as is at `into`, never unpacked. */
  extract: boolean;
  /** Never enters the build context, a build arg or a layer: mounted as a BuildKit secret for its extraction. */
  private: boolean;
  /** URLs this source answers for the fetch stand-ins (default: its own url/git). */
  provides: string[];
  /** Member classes the extraction policy refuses that this source may hold (see src/archive/policy.ts). */
  allow: 'absolute-symlinks'[];
}

export type BuilderFamily = 'apk' | 'apt';

/** mmdebstrap's variants that select packages by the archive's own fields (not custom/extract). */
export const BOOTSTRAP_VARIANTS = ['essential', 'apt', 'required', 'minbase', 'buildd', 'important', 'standard'] as const;
export type BootstrapVariant = (typeof BOOTSTRAP_VARIANTS)[number];

/** A declared Debian base: `tarsmith vendor` resolves it to locked packages, the rootfs is made from them alone. */
export interface Bootstrap {
  suite: string;
  variant: BootstrapVariant;
  /** dpkg architecture of the rootfs (default amd64). */
  architecture: string;
  /** Extra packages (mmdebstrap --include). */
  packages: string[];
  /** The archive resolved against at vendor time (default http://deb.debian.org/debian); also the rootfs's apt source. */
  mirror: string;
  components: string[];
  /** A keyring file (host path) that verifies the archive's signature at vendor time (default: the host's). */
  keyring?: string;
}

export interface Builder {
  /** `name:tag@sha256:...` (a digest is required unless --allow-unpinned). */
  image?: string;
  /** A vendored root filesystem tarball under packages/, used as FROM scratch + ADD. */
  rootfs?: string;
  /** When set, `rootfs` is made from locked packages (see docs/design/rootfs.md). */
  bootstrap?: Bootstrap;
  family: BuilderFamily;
  /** Toolchain packages installed with the family's package manager. */
  packages: string[];
  /**
   * The platform the builder runs on (its rootfs or image and its packages), when it cross-compiles for the
   * manifest's `platform`: every stage is built for it, while `platform` labels the artifacts and the image.
   */
  platform?: string;
}

export interface Artifact {
  /** Glob relative to the build tree (the workdir). */
  path: string;
  /** Optional name under out/<name>/. */
  rename?: string;
  /** Taken from this component's install tree (the glob is relative to it) instead of the build tree. */
  component?: string;
}

export interface VersionStamp {
  /** File to write, relative to the workdir. */
  path: string;
  content: string;
}

/** An out-of-tree kernel module a target builds with `make -C KDIR M=DIR modules`. */
export interface ModuleSpec {
  /** Folder of the module (its Kbuild/Makefile), relative to the build tree. */
  path: string;
}

export interface Target {
  name: string;
  steps: string[];
  artifacts: Artifact[];
  /** The target builds against the kernel (KDIR, ARCH, CROSS_COMPILE set in its steps' environment). */
  kernel: boolean;
  /** Out-of-tree modules built by tarsmith after the steps, in order; each sees the earlier ones' Module.symvers. */
  modules: ModuleSpec[];
  /** The sources this target extracts (default: every source but the kernel's and the components'). */
  sources?: string[];
  /** Components whose install trees form the sysroot of the target's build stage (pkg-config pointed at it). */
  depends?: string[];
}

export interface Build {
  /** Source name whose tree is the top of the build (the working directory of the steps). */
  workdir?: string;
  env: Record<string, string>;
  /** Steps run before any target's own steps. */
  steps: string[];
  targets: Target[];
  version: VersionStamp[];
}

/** The kernel's base config: a make target (`defconfig`, `tinyconfig`, `foo_defconfig`) or a full config file. */
export type KernelBase = { kind: 'defconfig'; target: string } | { kind: 'file'; path: string };

/** What of the kernel a build exports besides the resolved `.config` (always exported). */
export type KernelArtifact = 'image' | 'vmlinux' | 'dtbs' | 'modules' | 'headers' | 'symvers';

export const KERNEL_ARTIFACTS: readonly KernelArtifact[] = ['image', 'vmlinux', 'dtbs', 'modules', 'headers', 'symvers'];

export interface KernelSpec {
  /** Source name holding the kernel tree. */
  source: string;
  arch: string;
  crossCompile?: string;
  base: KernelBase;
  /** Config fragments (relative to the manifest), merged in order with the kernel's merge_config.sh; locked. */
  fragments: string[];
  /** A fragment line naming a symbol the tree does not have: a build error, or dropped with a warning. */
  unknownSymbols: 'error' | 'warn';
  /** Symbols (without `CONFIG_`) whose lines may be dropped because the tree does not define them. */
  allowUnknown: string[];
  /** Symbols (without `CONFIG_`) whose requested value may fail to stick for any reason. */
  allowMismatch: string[];
  /** `modules_prepare` (enough for out-of-tree modules without MODVERSIONS) or the full kernel. */
  build: 'modules_prepare' | 'full';
  artifacts: KernelArtifact[];
  /** A private plain-file source holding the module signing key (PEM: private key and certificate). */
  signingKey?: string;
}

/**
 * A source the kernel section keeps to itself, never extracted into a target's tree by default: the kernel
 * source (built in its own stage) and the module signing key (mounted only for the steps that sign).
 */
export function kernelOwnsSource(k: { source: string; signingKey?: string } | undefined, name: string): boolean {
  return k !== undefined && (name === k.source || name === k.signingKey);
}

/** Where the declared module signing key is mounted (a BuildKit secret) for the steps that use it. */
export const SIGNING_KEY_PATH = '/run/tarsmith/module-signing-key.pem';

/** The kernel's locked plain files (a base config file, the fragments), with the JSON pointer of each in the manifest. */
export function kernelConfigFiles(k: KernelSpec, positions: Record<string, ManifestPos>): { path: string; pointer: string; role: 'base' | 'fragment' }[] {
  const out: { path: string; pointer: string; role: 'base' | 'fragment' }[] = [];
  if (k.base.kind === 'file') out.push({ path: k.base.path, pointer: '/kernel/config', role: 'base' });
  const single = positions['/kernel/fragment'] !== undefined ? 1 : 0;
  k.fragments.forEach((f, i) => {
    const pointer = i < single ? '/kernel/fragment' : `/kernel/fragments/${i - single}`;
    out.push({ path: f, pointer, role: 'fragment' });
  });
  return out;
}

export type BuildSystem = 'autotools' | 'cmake' | 'make' | 'meson';

/** How a component builds: a known build system (each phase replaceable), or its own steps. */
export type ComponentBuild =
  | { kind: 'system'; system: BuildSystem; args: string[]; configure?: string[]; compile?: string[]; install?: string[] }
  | { kind: 'steps'; steps: string[] };

/** One package of the component graph: built in its own stage over the installs of what it depends on. */
export interface Component {
  name: string;
  /** The sources its stage extracts (nothing else enters it); the first is where the build runs. */
  sources: string[];
  /** Components whose install trees form its sysroot. */
  depends: string[];
  /** It builds against the configured kernel tree (`kernel` in depends). */
  kernel: boolean;
  build: ComponentBuild;
  env: Record<string, string>;
  /** Folder of the first source the build runs in. */
  subdir?: string;
  /** Globs relative to the install tree ($DESTDIR) that must match after the install. */
  installs: string[];
}

/** A position in the manifest file, for diagnostics after validation (e.g. a lock mismatch pointing at `sha256:`). */
export interface ManifestPos {
  line: number;
  col: number;
}

/**
 * The platform the build stages run on: the builder's own (`builder.platform`, a cross builder), else the target
 * platform (`--platform`, else the manifest's `platform`).
 */
export function buildPlatform(m: Pick<Manifest, 'platform' | 'builder'>, target?: string): string {
  return m.builder?.platform ?? target ?? m.platform;
}

/** `vendor:`: where `tarsmith vendor` looks before any origin, for every input. */
export interface VendorSettings {
  /**
   * Mirrors, in order, as written: a folder (relative to the manifest, or absolute) holding tarballs, bare git
   * repositories and builder packages, or an `http(s)://`/`file://` base URL serving files (tarballs, packages).
   */
  mirrors: string[];
}

export interface Manifest {
  version: 1;
  name: string;
  sourceDateEpoch: number;
  /** e.g. `linux/amd64`, `linux/arm64`. */
  platform: string;
  sources: Source[];
  builder?: Builder;
  build?: Build;
  kernel?: KernelSpec;
  /** The component graph, in dependency order (each after what it depends on). */
  components?: Component[];
  /** Settings of `tarsmith vendor` for the whole project. */
  vendor?: VendorSettings;
  /** Absolute path of the manifest file and its folder. */
  file: string;
  dir: string;
  /** Positions of interesting nodes, keyed by a JSON pointer such as `/sources/0/sha256`. */
  positions: Record<string, ManifestPos>;
}
