/** Codes of the build plan and the build run (`tarsmith build`, `generate`, `image`). */
import { defineArea } from './types.js';

export const build = defineArea('build', 'planning and running the build', {
  'build.artifact-link-escape': { exit: 'checkFailed', severity: 'error', hint: 'export the file it points to instead, or make the link relative and inside the artifacts' },
  'build.artifact-missing': { exit: 'engine', severity: 'error', hint: 'check the path under build.targets.*.artifacts (relative to the build tree) against what the steps produce' },
  'build.bad-artifact': { exit: 'usage', severity: 'error', hint: 'write it relative to build.workdir, without leading / or ..' },
  'build.component-install-missing': { exit: 'engine', severity: 'error', hint: 'check the component\'s installs (globs relative to the install tree) against what its install step put in $DESTDIR' },
  'build.input-missing': { exit: 'checkFailed', severity: 'error', hint: 'run `tarsmith vendor` to fetch the inputs again' },
  'build.no-artifacts': { exit: 'usage', severity: 'error', hint: 'add build.targets.NAME.artifacts: the files (globs relative to the build tree) to export' },
  'build.no-builder': { exit: 'usage', severity: 'error', hint: 'add builder.image (name:tag@sha256:...) or builder.rootfs (a root filesystem tarball under packages/)' },
  'build.no-kernel': { exit: 'usage', severity: 'error', hint: 'pick a target with `kernel: true` (or modules:), and a kernel: section in the manifest' },
  'build.no-targets': { exit: 'usage', severity: 'error', hint: 'add build.targets.<name> with steps and artifacts to tarsmith.yaml' },
  'build.package-query': { exit: 'engine', severity: 'error', hint: 'check that the toolchain image runs (`docker run --rm IMAGE true`)' },
  'build.reserved-name': { exit: 'usage', severity: 'error', hint: 'rename the artifact (artifacts[].rename)' },
  'build.step-failed': { exit: 'engine', severity: 'error', hint: 'fix the step in tarsmith.yaml; steps run with the network off, so anything they download must be a source in the manifest' },
  'build.toolchain-missing': { exit: 'engine', severity: 'error', hint: 'run `tarsmith toolchain` (it installs the vendored packages, network off), then build again' },
  'build.toolchain-stale': { exit: 'usage', severity: 'error', hint: 'run `tarsmith toolchain` (it installs the vendored packages, network off), then build again' },
  'build.unknown-target': { exit: 'usage', severity: 'error', hint: 'name a target under build.targets' },
  'build.unknown-workdir': { exit: 'usage', severity: 'error', hint: 'set build.workdir to the name of a source' },
  'build.unpinned-base': { exit: 'usage', severity: 'error', hint: 'write it as name:tag@sha256:<digest> (`docker buildx imagetools inspect NAME:TAG` shows the digest), or pass --allow-unpinned' },
});
