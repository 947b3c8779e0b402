/**
 * `sbom.cdx.json`: a CycloneDX 1.6 BOM of what went into a build, made with the CycloneDX library for
 * JavaScript (models, the 1.6 spec, its JSON normalizer). Components: every source (name,
 * version where the file name or git ref gives one, `pkg:generic` purl with download_url/vcs_url and checksum,
 * sha256, the manifest's license, its patch series as pedigree), the builder rootfs or image, the kernel configs,
 * every toolchain package (`pkg:deb`/`pkg:apk`), and the components the target built (each depending on its sources
 * and on the components it builds over). No serial number and a timestamp from SOURCE_DATE_EPOCH:
 * the same build gives the same bytes.
 *
 * The library has no model for `pedigree`; the patches are added to the normalized components (by bom-ref)
 * before they are written, in the shape the 1.6 schema gives (`pedigree.patches[].diff.url`).
 */
import { Enums, Models, Serialize, SPDX, Spec } from '@cyclonedx/cyclonedx-library';
import type { Input, PatchInput } from './inputs.js';

export { SBOM_FILE } from './files.js';

export interface SbomFacts {
  name: string;
  target: string;
  version?: string;
  sourceDateEpoch: number;
  tarsmith: string;
  /** The artifacts exported into out/<name>/, as files of the build's own component. */
  artifacts: { name: string; sha256: string }[];
  /** The components the target built (in dependency order): each depends on its sources and its dependencies. */
  components?: SbomComponent[];
}

export interface SbomComponent {
  name: string;
  sources: string[];
  depends: string[];
  kernel: boolean;
  /** `autotools`, `cmake`, `make`, `meson`, or `steps`. */
  build: string;
}

type Bom = InstanceType<typeof Models.Bom>;
type Component = InstanceType<typeof Models.Component>;

function sha(c: Component, hex: string): void {
  c.hashes.set(Enums.HashAlgorithm['SHA-256'], hex);
}

function licenseOf(id: string) {
  const fixed = SPDX.fixupSpdxId(id);
  if (fixed !== undefined) return new Models.SpdxLicense(fixed);
  return /\s(AND|OR|WITH)\s/.test(id) ? new Models.LicenseExpression(id) : new Models.NamedLicense(id);
}

function prop(c: Component, name: string, value: string): void {
  c.properties.add(new Models.Property(name, value));
}

function component(i: Input): Component {
  switch (i.kind) {
    case 'source': {
      const c = new Models.Component(Enums.ComponentType.Library, i.name, { bomRef: `source:${i.name}`, purl: i.purl, ...(i.version !== undefined ? { version: i.version } : {}) });
      sha(c, i.sha256);
      if (i.license !== undefined) c.licenses.add(licenseOf(i.license));
      if (i.origin === 'url') c.externalReferences.add(new Models.ExternalReference(i.uri, Enums.ExternalReferenceType.Distribution));
      if (i.origin === 'git') c.externalReferences.add(new Models.ExternalReference(i.uri.replace(/^git\+/, ''), Enums.ExternalReferenceType.VCS));
      prop(c, 'tarsmith:file', i.file);
      prop(c, 'tarsmith:tree-sha256', i.treeHash);
      for (const p of i.patches) prop(c, 'tarsmith:patch', `${String(p.order).padStart(3, '0')} ${p.path} sha256:${p.sha256}`);
      return c;
    }
    case 'patch': {
      const c = new Models.Component(Enums.ComponentType.File, i.name, { bomRef: `patch:${i.name}` });
      sha(c, i.sha256);
      prop(c, 'tarsmith:patches', i.source);
      return c;
    }
    case 'kernel-config': {
      const c = new Models.Component(Enums.ComponentType.File, i.name, { bomRef: `kernel-config:${i.name}` });
      sha(c, i.sha256);
      prop(c, 'tarsmith:role', `kernel ${i.role}`);
      return c;
    }
    case 'rootfs': {
      const c = new Models.Component(Enums.ComponentType.OperatingSystem, i.name, { bomRef: 'builder-rootfs', scope: Enums.ComponentScope.Excluded });
      sha(c, i.sha256);
      prop(c, 'tarsmith:role', 'builder rootfs');
      return c;
    }
    case 'image': {
      const c = new Models.Component(Enums.ComponentType.Container, i.ref, { bomRef: 'builder-image', scope: Enums.ComponentScope.Excluded });
      if (i.sha256) sha(c, i.sha256);
      prop(c, 'tarsmith:role', 'builder image');
      return c;
    }
    case 'package': {
      const c = new Models.Component(Enums.ComponentType.Library, i.name, { bomRef: `package:${i.name}:${i.architecture}`, version: i.version, purl: i.purl, scope: Enums.ComponentScope.Excluded });
      sha(c, i.sha256);
      c.externalReferences.add(new Models.ExternalReference(i.url, Enums.ExternalReferenceType.Distribution));
      prop(c, 'tarsmith:role', 'toolchain package');
      return c;
    }
  }
}

function bomOf(facts: SbomFacts, inputs: readonly Input[]): Bom {
  const tool = new Models.Component(Enums.ComponentType.Application, 'tarsmith', { version: facts.tarsmith, bomRef: 'tool:tarsmith' });
  const self = new Models.Component(Enums.ComponentType.Application, facts.name, { bomRef: `build:${facts.name}:${facts.target}`, ...(facts.version !== undefined ? { version: facts.version } : {}) });
  prop(self, 'tarsmith:target', facts.target);
  const artifacts = [...facts.artifacts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const a of artifacts) {
    const f = new Models.Component(Enums.ComponentType.File, a.name, { bomRef: `artifact:${a.name}` });
    sha(f, a.sha256);
    self.components.add(f);
  }
  const bom = new Models.Bom({
    metadata: new Models.Metadata({
      timestamp: new Date(facts.sourceDateEpoch * 1000),
      component: self,
      tools: new Models.Tools({ components: new Models.ComponentRepository([tool]) }),
    }),
  });
  const refs = new Map<string, Component['bomRef']>();
  for (const i of inputs) {
    const c = component(i);
    bom.components.add(c);
    self.dependencies.add(c.bomRef);
    if (c.bomRef.value !== undefined) refs.set(c.bomRef.value, c.bomRef);
  }
  // The component graph: a built package per component, depending on its sources and on what it builds over.
  for (const k of facts.components ?? []) {
    const c = new Models.Component(Enums.ComponentType.Library, k.name, { bomRef: `component:${k.name}` });
    prop(c, 'tarsmith:build', k.build);
    if (k.kernel) prop(c, 'tarsmith:depends', 'kernel');
    for (const s of k.sources) {
      const r = refs.get(`source:${s}`);
      if (r) c.dependencies.add(r);
    }
    for (const d of k.depends) {
      const r = refs.get(`component:${d}`);
      if (r) c.dependencies.add(r);
    }
    bom.components.add(c);
    self.dependencies.add(c.bomRef);
    refs.set(`component:${k.name}`, c.bomRef);
  }
  return bom;
}

type Json = Record<string, unknown>;

/**
 * The BOM as written: the library's 1.6 JSON, pedigree patches added, 2-space indent, newline. Lists keep
 * tarsmith's order (inputs sorted by kind and code point, properties in a fixed order): the library's own sorting
 * compares with `localeCompare`, whose collation follows the host's locale, so it could reorder on another machine.
 */
export function sbomJson(facts: SbomFacts, inputs: readonly Input[]): string {
  const factory = new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6);
  const normalized = factory.makeForBom().normalize(bomOf(facts, inputs), { sortLists: false }) as unknown as Json;
  const patches = new Map<string, readonly PatchInput[]>();
  for (const i of inputs) if (i.kind === 'source' && i.patches.length > 0) patches.set(`source:${i.name}`, i.patches);
  for (const c of (normalized.components ?? []) as Json[]) {
    const series = patches.get(String(c['bom-ref']));
    if (series) c.pedigree = { patches: series.map((p) => ({ type: 'unofficial', diff: { url: p.path } })) };
  }
  return `${JSON.stringify(normalized, null, 2)}\n`;
}
