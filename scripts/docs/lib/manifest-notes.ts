/**
 * The hand-written part of docs/manifest.md; scripts/docs/manifest.ts puts it around the key tables it generates
 * from the JSON Schema (src/manifest/schema.ts). A note names the key it belongs to (`sources[].strip`); the
 * generator fails on a note for a key the schema does not have, so notes cannot outlive their key.
 */

export const intro = `Every command looks for \`tarsmith.yaml\` in the current folder, or takes \`--manifest PATH\` (\`-m\`). Paths in the
manifest are relative to its folder and may not leave it. \`tarsmith schema\` prints the JSON Schema, so an editor
validates the file as you type:

\`\`\`sh
tarsmith schema > tarsmith.schema.json
# first line of tarsmith.yaml:
# yaml-language-server: $schema=./tarsmith.schema.json
\`\`\`

A complete manifest (the flagship case, abridged):

\`\`\`yaml
version: 1                      # manifest format version (required)
name: ask                       # project name; artifacts land in out/<name>/ (required)
sourceDateEpoch: 1700000000     # SOURCE_DATE_EPOCH for every step and every archive written (required)
platform: linux/arm64           # default linux/amd64

sources:                        # every input; exactly one origin each: file, url or git
  - name: ask
    file: packages/ASK.tar.gz   # a tarball you supply
    strip: 1                    # leading path components removed on extraction (default 0)
    dropVcs: true               # drop .git/.hg/.svn/.bzr on extraction (default true)
    license: GPL-2.0-only       # SPDX expression
    patches: [patches/ask-musl.patch]   # applied in order after extraction; vendored and hashed
    into: /src/ask              # where it is extracted in the build tree (default /src/<name>)
  - name: libnfnetlink
    url: https://netfilter.org/projects/libnfnetlink/files/libnfnetlink-1.0.2.tar.bz2
    mirrors: [https://mirror.example.org/tarballs]   # tried before the origin
    sha256: 0123...cdef         # optional pin; the lock records it anyway
  - name: fmlib
    git: https://github.com/nxp-qoriq/fmlib
    ref: lf-6.12.3-1.0.0        # tag or branch (required with git)
    commit: 0123...             # optional: the commit the ref must resolve to
  - name: secret-blob
    file: packages/blob.tar.gz
    private: true               # never enters the build context or a layer (BuildKit secret mount)
    provides: [https://example.org/blob.tar.gz]   # URLs answered by the fetch stand-ins

builder:                        # the build's base
  rootfs: packages/rootfs.tar   # a vendored root filesystem (FROM scratch + ADD) ...
  # image: alpine:3.20@sha256:...   # ... or an image pinned by digest
  family: apt                   # apt | apk
  packages: [build-essential]   # toolchain packages (installed by \`tarsmith toolchain\`); Debian names serve
                                # both families: with apk they are translated through the package table

build:
  workdir: ask                  # the source whose tree is the top of the build
  env: { ARCH: arm64 }
  steps: [make prepare]         # run before every target
  version:                      # stamps written before the build (no dependency on .git)
    - path: version.h
      content: '#define VERSION "1.0"'
  targets:
    userspace:
      steps: [make userspace]
      artifacts:
        - bin/cmm               # glob relative to the build tree
        - { path: "lib/*.so", rename: lib }

kernel:
  source: linux                 # the source holding the kernel tree
  arch: arm64
  defconfig: defconfig
  fragment: kernel-extra.config
  crossCompile: aarch64-linux-gnu-
\`\`\``;

export const diagnostics = `Every problem in the manifest is reported at once, each as \`file:line:col\`, with the offending value and a fix
(exit 2):

\`\`\`
tarsmith.yaml:8:5: error[manifest.unknown-key]: unknown key "stirp" in sources.0
  value: "stirp"
  fix: did you mean "strip"?
\`\`\`

Checked beyond the schema: exactly one origin per source, \`ref\` with \`git\`, unique source names, paths inside the
project, \`build.workdir\` and \`kernel.source\` naming real sources, a builder with exactly one of \`image\`/\`rootfs\`.`;

/** Notes under the tables, by key path (`[]` for a list item, `<target>` for a map's value). */
export const notes: Readonly<Record<string, string>> = {
  sourceDateEpoch:
    'Also the epoch `tarsmith normalize` uses when a manifest is found (its `--source-date-epoch` wins). In the build it ' +
    'becomes `SOURCE_DATE_EPOCH` and `KBUILD_BUILD_TIMESTAMP=@N`.',
  'sources[].file':
    'A file already under `packages/` is locked where it is; one elsewhere is copied to `packages/<path>` by `tarsmith vendor`. ' +
    'Editing it and running `vendor` updates the lock (`--frozen` refuses).',
  'sources[].url':
    'Fetched by `tarsmith vendor`: present file, then the content-addressed cache, then `mirrors`, then the origin. ' +
    'Without a `sha256:` pin the first download is trusted and recorded in the lock.',
  'sources[].git':
    'Any URL git itself understands. Vendored as `packages/<name>-<12-hex commit>.tar.gz`, a deterministic tarball of `ref` ' +
    '(extracts without a top folder, so `strip: 0`). The resolved commit is in the lock; later runs rebuild that commit.',
  'sources[].commit': 'A `ref` that no longer points to this commit is an error (exit 1) showing where it points now.',
  'sources[].sha256': 'A mismatch moves the bad file to `packages/.rejected/` and prints this line as the place to fix.',
  'sources[].strip': 'As GNU tar\'s `--strip-components`, also applied to hardlink targets.',
  'sources[].private':
    'The source is passed with `--secret` and mounted for the one step that checks and extracts it; its tree lives in ' +
    'intermediate stages only, never in `out/` or the runtime image.',
  'sources[].provides':
    'The fetch stand-ins (`git`, `wget`, `curl` inside the build) answer these URLs from this source: see ' +
    '[the shims design](design/shims.md).',
  'builder.image': 'Refused without an `@sha256:` digest unless `--allow-unpinned` is given (`build.unpinned-base`, exit 2).',
  'builder.rootfs': 'Made for the example by `scripts/setup-engine.sh` (mmdebstrap); vendored and locked like a source.',
  'builder.packages':
    'Installed only by `tarsmith toolchain` (the one networked step) into an image recorded in the lock. With ' +
    '`family: apk`, Debian names are translated through the package table ([design](design/packages.md)); a name ' +
    'Alpine lacks stops `generate`, `toolchain` and `build` with a `convert.*` error at the list entry.',
  'build.steps': 'Each step is its own `RUN` under `sh -e` with `umask 022`; a failing step is reported by its manifest path (`build.steps[0]`).',
  components:
    'Each component builds in its own stage `component-NAME`, FROM the toolchain, with only its own sources extracted and the install trees of its dependencies (transitively) copied to `/tarsmith/sysroot`; `PKG_CONFIG_PATH` (with a cross compiler `PKG_CONFIG_LIBDIR`) and `PKG_CONFIG_SYSROOT_DIR` point pkg-config at it, `CPATH` and `LIBRARY_PATH` the compiler. It installs into `$DESTDIR` (`/tarsmith/install`); its stage `component-NAME-install` holds that tree alone. BuildKit builds independent components at the same time and rebuilds a component only when its sources, steps or a dependency\'s install changed. See [components](design/components.md).',
  'components.<component>.build':
    '`autotools`: `./configure --prefix=/usr --libdir=/usr/lib` (`autoreconf -fi` first when there is no configure script; `--host=` from `CROSS_COMPILE`), `make -j$(nproc)`, `make install DESTDIR=$DESTDIR`. `cmake`: `cmake -S . -B /tarsmith/obj` with `CMAKE_INSTALL_PREFIX=/usr`, `CMAKE_INSTALL_LIBDIR=lib` (a `CMAKE_TOOLCHAIN_FILE` for a cross compiler), `cmake --build`, `cmake --install`. `meson`: `meson setup /tarsmith/obj --prefix=/usr --libdir=lib` (a `--cross-file` for a cross compiler), `meson compile`, `meson install`. `make`: `make PREFIX=/usr prefix=/usr`, then `make install` with `DESTDIR` (`CC`, `AR` from `CROSS_COMPILE`). `configure`, `compile` and `install` replace one phase; `args` are added to the configure phase (to both make runs for `make`).',
  'components.<component>.installs':
    'Checked after the install: a glob that matches nothing fails the build, naming the component. libtool `.la` files are removed from the install tree (their absolute paths would point outside the sysroot) and every mtime is clamped to `sourceDateEpoch`.',
  'build.targets': 'The first target is the default of `build`, `image` and `generate`; a target other than the first exports to `out/<name>-<target>/`.',
  'build.targets.<target>.artifacts':
    'POSIX sh globs relative to the build tree; they keep their relative path, or take `rename`: a single match is ' +
    'copied to that name, several matches (or a `rename` ending in `/`) go into that folder. A glob that matches nothing fails the build.',
  kernel:
    'Validated (`kernel.source` must name a source, `kernel.fragment` must stay inside the project) and read by no command ' +
    'yet: the kernel stage of the build is not written. The `kconfig` commands take the same facts as options ' +
    '(`--kernel`, `--arch`, `--cross-compile`).',
};
