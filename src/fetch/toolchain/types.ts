/** What a resolution of builder.packages over the builder's base gives: the closure, each with where to fetch it. */
export interface ResolvedPackage {
  name: string;
  version: string;
  architecture: string;
  url: string;
  /** The file name under packages/debs/ (or packages/apks/). */
  fileName: string;
  size?: number;
  /** From the archive's signed index, when the package manager reports it (apt does; apk does not). */
  sha256?: string;
}

export interface Resolution {
  /** The base's own architecture (dpkg --print-architecture / apk --print-arch). */
  native: string;
  /** Architectures added for `:ARCH` qualifiers (never the native one), sorted. */
  foreign: string[];
  packages: ResolvedPackage[];
}

/** The lock key of a package: `name:architecture`. */
export const packageKey = (p: { name: string; architecture: string }): string => `${p.name}:${p.architecture}`;
