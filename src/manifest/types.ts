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

export interface Builder {
  /** `name:tag@sha256:...` (a digest is required unless --allow-unpinned). */
  image?: string;
  /** A vendored root filesystem tarball under packages/, used as FROM scratch + ADD. */
  rootfs?: string;
  family: BuilderFamily;
  /** Toolchain packages installed with the family's package manager. */
  packages: string[];
}

export interface Artifact {
  /** Glob relative to the build tree (the workdir). */
  path: string;
  /** Optional name under out/<name>/. */
  rename?: string;
}

export interface VersionStamp {
  /** File to write, relative to the workdir. */
  path: string;
  content: string;
}

export interface Target {
  name: string;
  steps: string[];
  artifacts: Artifact[];
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

export interface KernelSpec {
  /** Source name holding the kernel tree. */
  source: string;
  arch: string;
  defconfig?: string;
  /** Kconfig fragment file, relative to the manifest. */
  fragment?: string;
  crossCompile?: string;
}

/** A position in the manifest file, for diagnostics after validation (e.g. a lock mismatch pointing at `sha256:`). */
export interface ManifestPos {
  line: number;
  col: number;
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
  /** Absolute path of the manifest file and its folder. */
  file: string;
  dir: string;
  /** Positions of interesting nodes, keyed by a JSON pointer such as `/sources/0/sha256`. */
  positions: Record<string, ManifestPos>;
}
