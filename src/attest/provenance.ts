/**
 * `provenance.json`: an in-toto Statement (v1) whose predicate is SLSA provenance v1
 * (https://slsa.dev/spec/v1.0/provenance). The subjects are the exported artifacts with their sha256; the
 * resolved dependencies are every locked input; the external parameters are what the user chose (target,
 * platform, SOURCE_DATE_EPOCH, the manifest and the build options); the internal ones are what tarsmith fixed
 * (the generated Dockerfile, the network off). No wall-clock time, no host path: the same build gives the same
 * bytes (run details carry no startedOn/finishedOn and no invocation ID).
 */
import { canonicalJson } from '../lock/lock.js';
import type { Input } from './inputs.js';

export const PROVENANCE_FILE = 'provenance.json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'https://slsa.dev/provenance/v1';
/** The build type: how to read the external parameters (docs/design/attest.md describes it). */
export const BUILD_TYPE = 'https://tarsmith.dev/buildtypes/build/v1';
export const BUILDER_ID = 'https://tarsmith.dev/builder/local-buildkit/v1';

export interface Digested {
  name: string;
  sha256: string;
}

export interface BuildFacts {
  name: string;
  target: string;
  platform?: string;
  sourceDateEpoch: number;
  tarsmith: string;
  engine: { client: string; server: string; mode: string; buildx?: string };
  /** The manifest file's name (relative to its folder) and sha256. */
  manifest: Digested;
  /** Build options the user passed that can change what is built (builder, cache sources, --no-cache). */
  options: Record<string, string | boolean | string[]>;
  dockerfileSha256: string;
  steps: { label: string; command: string }[];
  /** The artifacts (files) exported into out/<name>/. */
  subjects: Digested[];
  /** Symlinks among the artifacts (no digest of their own). */
  symlinks: { path: string; target: string }[];
  /** Files written beside the artifacts (SHA256SUMS, the build record, the SBOM). */
  byproducts: Digested[];
  /** The toolchain image the build ran on, when `tarsmith toolchain` made one. */
  toolchainImage?: { tag: string; layers: string[]; inputsHash: string };
}

interface ResourceDescriptor {
  name?: string;
  uri?: string;
  digest?: Record<string, string>;
  downloadLocation?: string;
  mediaType?: string;
  annotations?: Record<string, unknown>;
}

const sorted = <T>(xs: readonly T[], key: (x: T) => string): T[] => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

/** One locked input as a SLSA ResourceDescriptor. */
export function dependency(i: Input): ResourceDescriptor {
  switch (i.kind) {
    case 'source':
      return {
        name: `source:${i.name}`, uri: i.uri, digest: { sha256: i.sha256, ...(i.gitCommit ? { gitCommit: i.gitCommit } : {}) },
        annotations: { origin: i.origin, file: i.file, treeHash: i.treeHash, purl: i.purl, ...(i.version !== undefined ? { version: i.version } : {}), ...(i.license !== undefined ? { license: i.license } : {}) },
      };
    case 'patch':
      return { name: `patch:${i.name}`, uri: i.file, digest: { sha256: i.sha256 }, annotations: { source: i.source, order: i.order } };
    case 'kernel-config':
      return { name: `kernel-config:${i.name}`, uri: i.file, digest: { sha256: i.sha256 }, annotations: { role: i.role } };
    case 'rootfs':
      return { name: 'builder-rootfs', uri: i.file, digest: { sha256: i.sha256 }, mediaType: 'application/x-tar' };
    case 'image':
      return { name: 'builder-image', uri: `docker-image://${i.ref}`, ...(i.sha256 ? { digest: { sha256: i.sha256 } } : {}) };
    case 'package':
      return { name: `package:${i.name}:${i.architecture}`, uri: i.purl, digest: { sha256: i.sha256 }, downloadLocation: i.url, annotations: { file: i.file, version: i.version } };
  }
}

/** The in-toto Statement for one build. Pure. */
export function provenance(facts: BuildFacts, inputs: readonly Input[]): Record<string, unknown> {
  const digestList = (xs: readonly Digested[]) => sorted(xs, (x) => x.name).map((x) => ({ name: x.name, digest: { sha256: x.sha256 } }));
  return {
    _type: STATEMENT_TYPE,
    subject: digestList(facts.subjects),
    predicateType: PREDICATE_TYPE,
    predicate: {
      buildDefinition: {
        buildType: BUILD_TYPE,
        externalParameters: {
          name: facts.name,
          target: facts.target,
          ...(facts.platform !== undefined ? { platform: facts.platform } : {}),
          sourceDateEpoch: facts.sourceDateEpoch,
          manifest: { name: facts.manifest.name, digest: { sha256: facts.manifest.sha256 } },
          options: facts.options,
        },
        internalParameters: {
          network: 'none',
          hermetic: true,
          engineMode: facts.engine.mode,
          dockerfile: { digest: { sha256: facts.dockerfileSha256 } },
          steps: facts.steps,
          ...(facts.toolchainImage ? { toolchainImage: facts.toolchainImage } : {}),
        },
        resolvedDependencies: inputs.map(dependency),
      },
      runDetails: {
        builder: {
          id: BUILDER_ID,
          version: { tarsmith: facts.tarsmith, 'docker-client': facts.engine.client, 'docker-engine': facts.engine.server, ...(facts.engine.buildx ? { buildx: facts.engine.buildx } : {}) },
        },
        byproducts: [...digestList(facts.byproducts), ...sorted(facts.symlinks, (s) => s.path).map((s) => ({ name: s.path, annotations: { symlink: s.target } }))],
      },
    },
  };
}

/** The statement as written: canonical JSON (sorted keys, trailing newline). */
export function provenanceJson(facts: BuildFacts, inputs: readonly Input[]): string {
  return canonicalJson(provenance(facts, inputs));
}
