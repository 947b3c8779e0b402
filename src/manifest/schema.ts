/**
 * The JSON Schema of `tarsmith.yaml` version 1. `tarsmith schema` prints it so that editors (e.g. the YAML language
 * server's `# yaml-language-server: $schema=...`) validate the file while it is written. The loader validates with it
 * too, then adds the checks a schema cannot express (exactly one origin, unique names, paths inside the project).
 */

const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._+-]*$';
const SHA256_PATTERN = '^[0-9a-f]{64}$';
const PLATFORM_PATTERN = '^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$';

const stringList = (description: string) => ({
  type: 'array',
  items: { type: 'string', minLength: 1 },
  description,
});

const source = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  description: 'One input. Exactly one origin: file, url or git.',
  properties: {
    name: { type: 'string', pattern: NAME_PATTERN, description: 'Unique name of the source.' },
    file: { type: 'string', minLength: 1, description: 'A tarball (or, with extract: false, any file) the user supplies, relative to the manifest (e.g. packages/ASK.tar.gz).' },
    url: { type: 'string', pattern: '^https?://', description: 'Download origin (http or https).' },
    mirrors: stringList('Mirror base URLs, tried before the origin: <mirror>/sha256/<hash>, then <mirror>/<file name>.'),
    git: { type: 'string', minLength: 1, description: 'Git repository URL; vendored as a deterministic tarball at `ref`.' },
    ref: { type: 'string', minLength: 1, description: 'Tag or branch of a git source.' },
    commit: { type: 'string', pattern: '^([0-9a-f]{40}|[0-9a-f]{64})$', description: 'Expected commit of `ref` (full id).' },
    sha256: { type: 'string', pattern: SHA256_PATTERN, description: 'Expected sha256 of the vendored file.' },
    strip: { type: 'integer', minimum: 0, maximum: 32, default: 0, description: 'Leading path components removed on extraction.' },
    dropVcs: { type: 'boolean', default: true, description: 'Remove .git, .hg, .svn, .bzr on extraction.' },
    patches: stringList('Patch files, relative to the manifest, applied in order after extraction.'),
    license: { type: 'string', pattern: '^[A-Za-z0-9.+() -]+$', description: 'SPDX license expression.' },
    into: { type: 'string', pattern: '^/', description: 'Absolute path in the build tree to extract into (default /src/<name>); with extract: false, the path of the file itself (default /src/<name>/<file name>).' },
    extract: { type: 'boolean', default: true, description: 'false: a plain file (a config fragment, a defconfig, a board file), placed as is at `into`, never unpacked.' },
    private: { type: 'boolean', default: false, description: 'Never enters the build context or a layer; mounted as a BuildKit secret.' },
    provides: stringList('URLs this source answers for the fetch stand-ins (default: its own url or git).'),
    allow: {
      type: 'array',
      uniqueItems: true,
      items: { enum: ['absolute-symlinks'] },
      description: 'Member classes the extraction policy refuses that this source may hold (absolute-symlinks: a rootfs-like tree); the build record lists them.',
    },
  },
} as const;

const artifact = {
  oneOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['path'],
      properties: {
        path: { type: 'string', minLength: 1, description: 'Glob relative to the build tree (with component: to that component\'s install tree).' },
        rename: { type: 'string', minLength: 1, description: 'Name under out/<name>/.' },
        component: { type: 'string', pattern: NAME_PATTERN, description: 'Take the files from this component\'s install tree (e.g. usr/lib/libfoo.so*); symlinks are kept.' },
      },
    },
  ],
} as const;

const target = {
  type: 'object',
  additionalProperties: false,
  properties: {
    steps: stringList('Shell commands run in order.'),
    artifacts: { type: 'array', items: artifact, description: 'Files to export (globs relative to the build tree).' },
    kernel: { type: 'boolean', default: false, description: 'Build against the kernel: KDIR, ARCH and CROSS_COMPILE are set for the steps.' },
    modules: stringList('Out-of-tree kernel module folders (relative to the build tree) built after the steps with make -C $KDIR M=DIR modules, in order; each sees the Module.symvers of the ones before it.'),
    sources: { type: 'array', items: { type: 'string', pattern: NAME_PATTERN }, description: 'Sources this target extracts (default: all but the kernel source and the components\' sources).' },
    depends: { type: 'array', items: { type: 'string', pattern: NAME_PATTERN }, description: 'Components whose install trees form the sysroot of this target\'s steps (/tarsmith/sysroot, pkg-config pointed at it).' },
  },
} as const;

const component = {
  type: 'object',
  additionalProperties: false,
  description: 'One package of the component graph, built in its own stage over a sysroot of the installs of what it depends on.',
  properties: {
    sources: { type: 'array', minItems: 1, items: { type: 'string', pattern: NAME_PATTERN }, description: 'Sources its stage extracts, nothing else (default: the source named like the component); the build runs in the first.' },
    depends: { type: 'array', items: { type: 'string', pattern: NAME_PATTERN }, description: 'Components whose install trees form its sysroot (/tarsmith/sysroot), and `kernel` for the configured kernel tree ($KDIR).' },
    build: { enum: ['autotools', 'cmake', 'make', 'meson'], description: 'A known build system: configure, compile and install into $DESTDIR with prefix /usr are done for you (cross-aware when CROSS_COMPILE is set).' },
    args: stringList('Extra arguments of the configure phase (autotools, cmake, meson) or of both make runs (make).'),
    configure: stringList('Shell commands replacing the build system\'s configure phase.'),
    compile: stringList('Shell commands replacing the build system\'s compile phase.'),
    install: stringList('Shell commands replacing the build system\'s install phase (install into $DESTDIR).'),
    steps: stringList('Instead of build: the shell commands of the whole build; they install into $DESTDIR.'),
    env: { type: 'object', additionalProperties: { type: 'string' }, description: 'Environment of this component\'s steps (after build.env).' },
    subdir: { type: 'string', minLength: 1, description: 'Folder of the first source the build runs in.' },
    installs: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'What it installs: globs relative to the install tree (e.g. usr/lib/libfoo.so*, usr/include/foo.h); each must match after the install.' },
  },
} as const;

const SYMBOL_LIST = { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9_]+$' } } as const;

export const manifestJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'urn:tarsmith:manifest:v1',
  title: 'tarsmith manifest (tarsmith.yaml), version 1',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'name', 'sourceDateEpoch', 'sources'],
  properties: {
    version: { const: 1, description: 'Manifest format version.' },
    name: { type: 'string', pattern: NAME_PATTERN, description: 'Project name; artifacts go to out/<name>/.' },
    sourceDateEpoch: { type: 'integer', minimum: 0, maximum: 4294967296, description: 'SOURCE_DATE_EPOCH for every build step and archive.' },
    platform: { type: 'string', pattern: PLATFORM_PATTERN, default: 'linux/amd64', description: 'Target platform, e.g. linux/arm64: the platform of the artifacts, written into the runtime image\'s config; the build stages run on it too unless builder.platform names the builder\'s own.' },
    sources: { type: 'array', items: source, description: 'Every input of the build.' },
    builder: {
      type: 'object',
      additionalProperties: false,
      properties: {
        image: { type: 'string', minLength: 1, description: 'Base image by digest: name:tag@sha256:...' },
        rootfs: { type: 'string', minLength: 1, description: 'A vendored root filesystem tarball under packages/ (with bootstrap: the file it makes; default packages/rootfs-SUITE-VARIANT.tar).' },
        bootstrap: {
          type: 'object',
          additionalProperties: false,
          required: ['suite'],
          description: 'Make the rootfs from locked Debian packages: `tarsmith vendor` resolves this base against the archive and vendors every .deb; the rootfs is made from packages/ alone with mmdebstrap (`tarsmith rootfs`).',
          properties: {
            suite: { type: 'string', minLength: 1, description: 'Debian suite or codename, e.g. bookworm.' },
            variant: { enum: ['essential', 'apt', 'required', 'minbase', 'buildd', 'important', 'standard'], default: 'essential', description: 'mmdebstrap variant: which packages make the base.' },
            architecture: { type: 'string', minLength: 1, default: 'amd64', description: 'dpkg architecture of the rootfs.' },
            packages: stringList('Extra packages in the base (mmdebstrap --include).'),
            mirror: { type: 'string', minLength: 1, default: 'http://deb.debian.org/debian', description: 'The archive resolved against at vendor time; also the apt source written into the rootfs.' },
            components: { ...stringList('Archive components.'), default: ['main'] },
            keyring: { type: 'string', minLength: 1, description: 'Keyring file (absolute host path) verifying the archive at vendor time; default: the host apt\'s trusted keys.' },
          },
        },
        family: { enum: ['apk', 'apt'], description: 'Package manager of the base.' },
        packages: stringList('Toolchain packages (Debian names; NAME:ARCH for a foreign architecture), resolved to their dependency closure and vendored by `tarsmith vendor`, installed offline in the toolchain stage.'),
        platform: { type: 'string', pattern: PLATFORM_PATTERN, description: 'The platform the builder itself runs on, for a cross builder (e.g. linux/amd64 with crossbuild-essential-arm64 and platform: linux/arm64): every stage runs on it, the artifacts and the image are labelled with `platform`. Default: `platform`.' },
      },
    },
    build: {
      type: 'object',
      additionalProperties: false,
      properties: {
        workdir: { type: 'string', pattern: NAME_PATTERN, description: 'Source whose tree is the top of the build.' },
        env: { type: 'object', additionalProperties: { type: 'string' }, description: 'Environment of every build step.' },
        steps: stringList('Steps run before every target.'),
        version: {
          type: 'array',
          description: 'Version stamps written before the build, so tarball builds do not depend on .git.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['path', 'content'],
            properties: {
              path: { type: 'string', minLength: 1, description: 'File to write, relative to the build workdir.' },
              content: { type: 'string', description: 'The exact contents written (no newline is added).' },
            },
          },
        },
        targets: { type: 'object', additionalProperties: target, description: 'Named targets (e.g. userspace, modules).' },
      },
    },
    vendor: {
      type: 'object',
      additionalProperties: false,
      description: 'Settings of `tarsmith vendor` for the whole project.',
      properties: {
        mirrors: {
          type: 'array',
          items: { type: 'string', minLength: 1, pattern: '^(?!-)' },
          description: 'Mirrors looked in before any origin, for every input, in order (after `--mirror` folders): a folder (relative to the manifest, or absolute) holding tarballs (by file name, or sha256/HASH), bare git repositories (HOST/PATH.git, PATH.git, NAME.git) and builder packages (by file name, debs/ or apks/, sha256/HASH, or their archive path), or an http(s):// or file:// base URL serving the same files (tarballs and packages; git sources come from folders).',
        },
      },
    },
    components: { type: 'object', additionalProperties: component, description: 'Named components: upstream trees built each in its own stage, over the installs of the ones they depend on.' },
    kernel: {
      type: 'object',
      additionalProperties: false,
      required: ['source', 'arch'],
      properties: {
        source: { type: 'string', pattern: NAME_PATTERN, description: 'Source holding the kernel tree.' },
        arch: { type: 'string', minLength: 1, description: 'Kernel ARCH, e.g. arm64.' },
        defconfig: { type: 'string', pattern: '^[A-Za-z0-9_.+/-]*config$', description: 'Base config: a make target such as defconfig, tinyconfig or foo_defconfig (default defconfig).' },
        config: { type: 'string', minLength: 1, description: 'Base config: a full .config file, relative to the manifest (locked); instead of defconfig.' },
        fragment: { type: 'string', minLength: 1, description: 'One Kconfig fragment, relative to the manifest (merged before `fragments`).' },
        fragments: stringList('Kconfig fragments, relative to the manifest, merged in order with merge_config.sh -m, then olddefconfig.'),
        crossCompile: { type: 'string', pattern: '^[A-Za-z0-9_.+/-]*$', description: 'CROSS_COMPILE prefix, e.g. aarch64-linux-gnu-.' },
        unknownSymbols: { enum: ['error', 'warn'], default: 'error', description: 'A fragment line naming a symbol the tree lacks: fail the build (error) or drop it with a warning (warn).' },
        allowUnknown: { ...SYMBOL_LIST, description: 'Symbols the tree may lack: their lines are dropped (and recorded) instead of failing.' },
        allowMismatch: { ...SYMBOL_LIST, description: 'Symbols whose requested value may not stick (capped by a dependency, ...): recorded instead of failing.' },
        signingKey: { type: 'string', pattern: NAME_PATTERN, description: 'Module signing with a persistent key: a private plain-file source (private: true, extract: false) holding a PEM with the private key and its X.509 certificate. Mounted as a secret at /run/tarsmith/module-signing-key.pem for the kernel\'s build and install steps and for signing the modules: of a target; the resolved config must set CONFIG_MODULE_SIG=y and CONFIG_MODULE_SIG_KEY to that path.' },
        build: { enum: ['modules_prepare', 'full'], default: 'modules_prepare', description: 'modules_prepare (fast, for out-of-tree modules) or the full kernel (vmlinux, image, dtbs, modules, Module.symvers).' },
        artifacts: {
          type: 'array',
          items: { enum: ['image', 'vmlinux', 'dtbs', 'modules', 'headers', 'symvers'] },
          description: 'Exported under kernel/ besides the resolved .config: image, vmlinux, dtbs, modules (modules_install tree), headers (headers_install tree), symvers (Module.symvers).',
        },
      },
    },
  },
} as const;

/** Allowed keys of the object a JSON pointer (as segments) points into, for "did you mean" hints. */
export function allowedKeysAt(pointer: readonly string[]): string[] {
  type SchemaNode = { type?: string; items?: SchemaNode; properties?: Record<string, SchemaNode>; additionalProperties?: unknown; oneOf?: SchemaNode[] };
  let node: SchemaNode | undefined = manifestJsonSchema as unknown as SchemaNode;
  for (const seg of pointer) {
    if (!node) return [];
    if (node.type === 'array') node = node.items;
    else if (node.properties?.[seg]) node = node.properties[seg];
    else if (typeof node.additionalProperties === 'object') node = node.additionalProperties as SchemaNode;
    else return [];
  }
  const obj = node?.oneOf ? node.oneOf.find((o) => o.type === 'object') : node;
  return obj?.properties ? Object.keys(obj.properties) : [];
}
