/**
 * The layering of src/, held by dependency-cruiser (`npm test` runs it first; `npx depcruise src test bench scripts`
 * by hand). A module may import its own area and areas of a lower rank, nothing else: never up a layer, never
 * sideways between areas of the same rank (so features never import each other). Every file under src/ must
 * belong to an area listed here. No import cycle anywhere, tests, benches and scripts included; src/ imports no
 * test, bench, script or development-only package. docs/design/overview.md explains the ranks.
 */
const RANKS = [
  ['core'],
  ['manifest'],
  ['archive', 'packages', 'lang', 'dockerfile', 'shims'],
  ['kconfig', 'lock'],
  ['kernel', 'attest'],
  ['fetch', 'engine', 'audit/fetch', 'audit/musl', 'convert/apk'],
  ['repro'],
  ['cli'],
];

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const areaPath = (a) => `^src/${esc(a)}/`;
const anyOf = (areas) => `^src/(${areas.map(esc).join('|')})/`;

const layerRules = RANKS.flatMap((areas, rank) =>
  areas.map((area) => {
    const allowed = new Set([area, ...RANKS.slice(0, rank).flat()]);
    const banned = RANKS.flat().filter((a) => !allowed.has(a));
    return {
      name: `layer:${area}`,
      severity: 'error',
      comment:
        rank === RANKS.length - 1
          ? `${area} is the top layer`
          : `src/${area}/ (rank ${rank}) may import only its own area and lower ranks: ${[...allowed].filter((a) => a !== area).join(', ') || 'nothing'}`,
      from: { path: areaPath(area) },
      to: { path: `^src/`, pathNot: [...allowed].map(areaPath) },
    };
  }),
).filter((r) => r.name !== 'layer:cli');

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'layer:cli',
      severity: 'error',
      comment: 'src/cli/ is the top layer: it may import any area of src/ (but not tests, benches or scripts)',
      from: { path: '^src/cli/' },
      to: { path: '^src/', pathNot: [anyOf(RANKS.flat())] },
    },
    {
      name: 'area-unknown',
      severity: 'error',
      comment: 'every file under src/ belongs to an area listed in RANKS in .dependency-cruiser.cjs: add the new area at its rank',
      from: { path: '^src/', pathNot: [anyOf(RANKS.flat())] },
      to: {},
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'an import cycle between files: break it by moving the shared part into a third file, or by passing a function in',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-not-to-tests',
      severity: 'error',
      comment: 'the shipped code (src/) never imports tests, benches or scripts',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts)/' },
    },
    {
      name: 'src-not-to-dev-dep',
      severity: 'error',
      comment: 'src/ is shipped: it may not import a devDependency (move the package to dependencies, or the code out of src/)',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'an import that resolves to no file or installed package',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
