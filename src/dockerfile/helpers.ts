/**
 * The fixed POSIX sh helpers copied into the build context under `tarsmith/bin/`. They take every value as an
 * argument (the Dockerfile passes them in exec form), so nothing is ever spliced into shell text. They work under
 * dash, bash and busybox sh, with GNU or busybox tar/find.
 */

/** Marker lines the engine looks for in BuildKit's progress output. */
export const MARK_STEP_FAILED = 'tarsmith-step-failed';
export const MARK_ARTIFACT_MISSING = 'tarsmith-artifact-missing';
/** One path that does exist, printed before MARK_ARTIFACT_MISSING: the host picks the nearest to the glob. */
export const MARK_ARTIFACT_NEAR = 'tarsmith-artifact-near';
export const MARK_CHECKSUM = 'tarsmith-checksum-mismatch';
export const MARK_INSTALL_MISSING = 'tarsmith-install-missing';

/**
 * `step.sh LABEL COMMAND`: runs one build step under `sh -e` with umask 022 (`TARSMITH_STEP_UMASK` when a
 * `tarsmith repro` variation sets it); names the step when it fails.
 */
export const STEP_SH = `#!/bin/sh
# tarsmith build step runner: step.sh LABEL COMMAND
label="$1"
umask "\${TARSMITH_STEP_UMASK:-022}"
/bin/sh -ec "$2"
rc=$?
if [ "$rc" -ne 0 ]; then
  printf '%s label=%s exit=%s\\n' ${MARK_STEP_FAILED} "$label" "$rc" >&2
  exit "$rc"
fi
`;

/**
 * The check both input helpers start with: "$file" must have the sha256 "$sum", else the checksum marker line and
 * exit 1 (the build reports `verify.checksum-mismatch`). Also sets the umask the copies are made with.
 */
const CHECK_SUM = `umask 022
if ! printf '%s  %s\\n' "$sum" "$file" | sha256sum -c - >/dev/null; then
  printf '%s file=%s\\n' ${MARK_CHECKSUM} "$file" >&2
  exit 1
fi`;

/**
 * `extract.sh TREE SHA256 INTO`: checks the canonical tree's sha256 and unpacks it (no owners kept). The tree is
 * a plain tar the host already read through tarsmith's extraction policy (strip, VCS folders, refusals, modes),
 * so any tar (GNU or busybox) unpacks it the same way and no decompressor is needed in the builder.
 */
export const EXTRACT_SH = `#!/bin/sh
# tarsmith source extraction: extract.sh TREE SHA256 INTO
set -eu
file="$1"; sum="$2"; into="$3"
${CHECK_SUM}
mkdir -p "$into"
tar -x -o -f "$file" -C "$into"
`;

/** `place.sh FILE SHA256 DEST`: checks a plain file (a source with extract: false) and copies it to DEST, mode 0644. */
export const PLACE_SH = `#!/bin/sh
# tarsmith plain-file input: place.sh FILE SHA256 DEST
set -eu
file="$1"; sum="$2"; dest="$3"
${CHECK_SUM}
mkdir -p "$(dirname "$dest")"
cp "$file" "$dest"
chmod 0644 "$dest"
`;

/**
 * \`collect.sh OUT [GLOB RENAME]...\`: copies each artifact glob's matches (relative to the working directory)
 * into OUT, keeping their relative path. With RENAME, a single match is copied to that name; several matches,
 * or a RENAME ending in \`/\`, go into that folder under their own names. A glob matching nothing is an error,
 * after listing the paths near it that do exist: files named like the glob anywhere in the tree (20 at most), and
 * what is in the closest existing folder of its path, two levels deep (60 at most).
 */
export const COLLECT_SH = `#!/bin/sh
# tarsmith artifact collection: collect.sh OUT [GLOB RENAME]...
set -eu
umask 022
out="$1"; shift
rm -rf "$out"; mkdir -p "$out"
while [ "$#" -ge 2 ]; do
  pattern="$1"; rename="$2"; shift 2
  n=0
  IFS=
  for m in $pattern; do
    if [ -e "$m" ] || [ -L "$m" ]; then n=$((n + 1)); fi
  done
  if [ "$n" -eq 0 ]; then
    base=$(basename "$pattern"); dir=$(dirname "$pattern")
    while [ "$dir" != . ] && [ ! -d "$dir" ]; do dir=$(dirname "$dir"); done
    { find . -name .git -prune -o \\( -type f -o -type l \\) -name "$base" -print 2>/dev/null | head -n 20
      find "$dir" -maxdepth 2 -name .git -prune -o \\( -type f -o -type l \\) -print 2>/dev/null | head -n 60
    } | while IFS= read -r p; do printf '%s path=%s\\n' ${MARK_ARTIFACT_NEAR} "\${p#./}"; done >&2
    printf '%s pattern=%s\\n' ${MARK_ARTIFACT_MISSING} "$pattern" >&2
    exit 3
  fi
  for m in $pattern; do
    [ -e "$m" ] || [ -L "$m" ] || continue
    rel="\${m#./}"
    case "$rename" in
      '') dest="$rel" ;;
      */) dest="$rename$(basename "$m")" ;;
      *) if [ "$n" -eq 1 ]; then dest="$rename"; else dest="$rename/$(basename "$m")"; fi ;;
    esac
    mkdir -p "$out/$(dirname "$dest")"
    cp -R -P "$m" "$out/$dest"
  done
  unset IFS
done
`;

/**
 * The build stage's git configuration (GIT_CONFIG_GLOBAL): upstream Makefiles that `git init && git add -A &&
 * git commit` an extracted tarball, or `git apply` inside a tree owned by another uid, work unmodified. A fixed
 * identity (dates come from GIT_AUTHOR_DATE/GIT_COMMITTER_DATE = SOURCE_DATE_EPOCH), every folder safe (the
 * build tree belongs to whoever packed the tarball), a fixed initial branch and no line-ending rewrites, so the
 * commits they make have the same IDs on every build. `build.env` can override any of it (GIT_AUTHOR_NAME, ...).
 */
export const GITCONFIG = `# tarsmith build stage: fixed git identity, every build tree safe
[user]
	name = tarsmith
	email = tarsmith@localhost
[safe]
	directory = *
[init]
	defaultBranch = master
[core]
	autocrlf = false
[advice]
	detachedHead = false
`;
