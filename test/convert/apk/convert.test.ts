import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerfileParser } from 'dockerfile-ast';
import { convertApk, detectKind, dockerfileRunTexts } from '../../../src/convert/apk/convert.js';
import { parseShell, strictShellError } from '../../../src/convert/apk/parse.js';

/** The output parses again: Dockerfile with dockerfile-ast, every RUN (and scripts) with both shell parsers. */
async function assertParses(kind: 'dockerfile' | 'shell', text: string): Promise<string[]> {
  const shells = kind === 'shell' ? [text] : await dockerfileRunTexts(text, 'Dockerfile');
  if (kind === 'dockerfile') assert.ok(DockerfileParser.parse(text).getInstructions().length > 0);
  for (const s of shells) {
    assert.equal((await parseShell(s)).errorAt, undefined, `tree-sitter: ${s}`);
    assert.equal(await strictShellError(s), undefined, `mvdan/sh: ${s}`);
  }
  return shells;
}

const ASK_DOCKERFILE = `# syntax=docker/dockerfile:1
# Builder for the NXP ASK (Application Solutions Kit) on LS1043/LS1046
ARG DEBIAN_RELEASE=bookworm
FROM debian:\${DEBIAN_RELEASE}-slim AS builder
ARG KERNEL_DEPS="bc bison flex kmod cpio libelf-dev libssl-dev"
ENV DEBIAN_FRONTEND=noninteractive
RUN dpkg --add-architecture arm64 \\
 && apt-get update \\
 && apt-get install -y --no-install-recommends \\
      build-essential \${KERNEL_DEPS} \\
      # ASK userspace
      libxml2-dev libpcap-dev libmnl-dev libnfnetlink-dev libnetfilter-conntrack-dev \\
      libtclap-dev libcli-dev \\
      python3 perl rsync xz-utils u-boot-tools device-tree-compiler \\
      crossbuild-essential-arm64 libssl-dev:arm64 \\
 && apt-get clean \\
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
RUN set -eux; \\
    apt-get update; \\
    apt-get install -y git ca-certificates; \\
    git config --global advice.detachedHead false
COPY . .
RUN make -C ask ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- && tar --sort=name --mtime=@0 -cJf /out/ask.tar.xz ask/out
FROM scratch
COPY --from=builder /out /
`;

const ASK_EXPECTED = `# syntax=docker/dockerfile:1
# Builder for the NXP ASK (Application Solutions Kit) on LS1043/LS1046
ARG DEBIAN_RELEASE=bookworm
# FILL-IN-DIGEST: pin the digest of alpine:3.21 (docker buildx imagetools inspect alpine:3.21)
FROM alpine:3.21@sha256:FILL-IN-DIGEST AS builder
ARG KERNEL_DEPS="bc bison flex kmod cpio elfutils-dev openssl-dev"
RUN apk add --no-cache \\
      build-base \${KERNEL_DEPS} \\
      # ASK userspace
      libxml2-dev libpcap-dev libmnl-dev libnfnetlink-dev libnetfilter_conntrack-dev \\
      tclap-dev \\
      python3 perl rsync xz u-boot-tools dtc tar
WORKDIR /src
RUN set -eux; \\
    apk add --no-cache git ca-certificates; \\
    git config --global advice.detachedHead false
COPY . .
RUN make -C ask ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- && tar --sort=name --mtime=@0 -cJf /out/ask.tar.xz ask/out
FROM scratch
COPY --from=builder /out /
`;

test('an NXP-ASK-like Debian builder becomes Alpine; output parses again with the same parsers', async () => {
  const r = await convertApk(ASK_DOCKERFILE, { file: 'Dockerfile' });
  assert.equal(r.kind, 'dockerfile');
  assert.equal(r.output, ASK_EXPECTED, 'golden output');
  const runs = await assertParses('dockerfile', r.output);
  assert.match(r.output, /^FROM alpine:3\.21@sha256:FILL-IN-DIGEST AS builder$/m);
  assert.match(r.output, /^ARG KERNEL_DEPS="bc bison flex kmod cpio elfutils-dev openssl-dev"$/m);
  assert.doesNotMatch(r.output, /apt-get|\/var\/lib\/apt|dpkg/);
  assert.ok(r.output.includes('# ASK userspace'), 'comments inside the RUN are kept');
  assert.ok(runs[0]?.startsWith('apk add --no-cache'), runs[0]);
  const words = runs[0]!.split(/[\s\\]+/).filter(Boolean);
  for (const p of ['build-base', '${KERNEL_DEPS}', 'libnetfilter_conntrack-dev', 'tclap-dev', 'xz', 'u-boot-tools', 'dtc', 'tar']) {
    assert.ok(words.includes(p), `${p} missing from ${runs[0]}`);
  }
  assert.ok(!words.includes('libcli-dev') && !words.includes('crossbuild-essential-arm64'));
  assert.equal(runs[1], 'set -eux; \\\n    apk add --no-cache git ca-certificates; \\\n    git config --global advice.detachedHead false');
  const codes: string[] = r.findings.map((f) => f.code);
  for (const c of ['convert.digest-needed', 'convert.multiarch', 'convert.no-alpine-equivalent', 'convert.cross-toolchain', 'convert.foreign-architecture']) {
    assert.ok(codes.includes(c), `${c} not reported: ${codes.join(' ')}`);
  }
  const tar = r.decisions.find((d) => d.action === 'add-package' && d.to === 'tar');
  assert.equal(tar?.where?.line, 24, 'the tar caveat names the RUN line that needed it');
  assert.match(tar?.reason ?? '', /--sort/);
});

test('RUN heredocs, several install commands and exec form', async () => {
  const src = [
    'FROM ubuntu:24.04',
    'RUN <<EOF',
    'set -e',
    'apt-get update',
    'apt-get install -y --no-install-recommends cmake ninja-build',
    'echo "# not a comment line for Docker"',
    'apt-get install -y pkg-config',
    'EOF',
    'RUN ["apt-get", "install", "-y", "g++"]',
    'RUN apt-get update',
    '',
  ].join('\n');
  const r = await convertApk(src, { file: 'Dockerfile' });
  const runs = await assertParses('dockerfile', r.output);
  assert.deepEqual(runs[0]?.split('\n'), [
    'set -e',
    'apk add --no-cache cmake samurai',
    'echo "# not a comment line for Docker"',
    'apk add --no-cache pkgconf',
  ]);
  assert.match(r.output, /^RUN \["apk","add","--no-cache","g\+\+"\]$/m);
  assert.doesNotMatch(r.output, /RUN apt-get update/, 'a RUN left empty is removed');
  assert.deepEqual(r.packages, ['cmake', 'samurai', 'pkgconf', 'g++']);
});

test('shell scripts: sudo, assignments, unresolved variables, blocks, BusyBox caveats by file:line', async () => {
  const src = [
    '#!/bin/bash',
    'set -euo pipefail',
    'BUILD_DEPS="gcc make libssl-dev"',
    'if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi',
    'sudo DEBIAN_FRONTEND=noninteractive apt-get update',
    'sudo DEBIAN_FRONTEND=noninteractive apt-get install -y $BUILD_DEPS "${EXTRA_PKGS}" zlib1g-dev',
    'if command -v apt-get >/dev/null; then',
    '  apt-get clean',
    'fi',
    'files=(a b)',
    'find . -name "*.o" -printf "%p\\n" | xargs -d "\\n" rm -f',
    'sed -z -e s/a/b/ file',
    '',
  ].join('\n');
  const r = await convertApk(src, { file: 'build.sh' });
  assert.equal(r.kind, 'shell');
  await assertParses('shell', r.output);
  const lines = r.output.split('\n');
  assert.equal(lines[2], 'BUILD_DEPS="gcc make openssl-dev"');
  assert.equal(lines[4], 'sudo apk add --no-cache $BUILD_DEPS "${EXTRA_PKGS}" zlib-dev bash findutils sed');
  assert.deepEqual(lines.slice(5, 8), ['if command -v apt-get >/dev/null; then', '  true', 'fi']);
  const unresolved = r.findings.find((f) => f.code === 'convert.unresolved-variable');
  assert.equal(unresolved?.value, '"${EXTRA_PKGS}"');
  assert.equal(unresolved?.where?.line, 6);
  const bash = r.decisions.find((d) => d.action === 'add-package' && d.to === 'bash');
  assert.deepEqual(bash?.where, { file: 'build.sh', line: 1, col: 1 });
  const find = r.decisions.find((d) => d.action === 'add-package' && d.to === 'findutils');
  assert.equal(find?.where?.line, 11);
  assert.match(find?.reason ?? '', /-printf/);
});

test('a script with no apt install reports the GNU tools it needs instead of inventing an apk line', async () => {
  const src = 'cp --preserve=all a b\nreadlink -f missing/x\n[[ -n "$x" ]] && echo y\n';
  const r = await convertApk(src, { file: 'post.sh' });
  assert.equal(r.output, src);
  const needed = r.findings.filter((f) => f.code === 'convert.gnu-tool-needed').map((f) => `${f.value}:${f.where?.line}`);
  assert.deepEqual(needed, ['coreutils:1', 'bash:3']);
});

test('plain package lists, one per line or whitespace separated, with comments', async () => {
  const r = await convertApk('# builder deps\nbuild-essential libssl-dev\nlibc6-dev\nlibstdc++6   pkg-config\napt-utils\n', { file: 'deps.txt' });
  assert.equal(r.kind, 'list');
  assert.equal(r.output, 'build-base\nopenssl-dev\nmusl-dev\nlibstdc++\npkgconf\n');
  assert.ok(r.decisions.some((d) => d.from === 'apt-utils' && d.action === 'drop-package'));
});

test('kind detection by name and content', async () => {
  assert.equal(await detectKind('Containerfile', ''), 'dockerfile');
  assert.equal(await detectKind('build.Dockerfile', ''), 'dockerfile');
  assert.equal(await detectKind('-', 'ARG X=1\nFROM debian\nRUN true\n'), 'dockerfile');
  assert.equal(await detectKind('-', '#!/bin/sh\napt-get install -y gcc\n'), 'shell');
  assert.equal(await detectKind('-', 'apt-get install -y gcc && make\n'), 'shell');
  assert.equal(await detectKind('-', 'gcc\nmake\nlibssl-dev\n'), 'list');
});

test('a shell syntax error leaves the text unconverted with a located finding, and never throws', async () => {
  const src = 'apt-get install -y gcc && (\n';
  const r = await convertApk(src, { file: 'bad.sh' });
  assert.equal(r.output, src);
  assert.equal(r.findings[0]?.code, 'convert.shell-syntax');
  assert.equal(r.findings[0]?.severity, 'error');
});

test('chains keep their other commands and operators intact', async () => {
  const src = 'apt-get update && apt-get install -y gcc || echo failed; make -j2 && apt-get autoremove -y && echo ok\n';
  const r = await convertApk(src, { file: 'x.sh' });
  assert.equal(r.output, 'apk add --no-cache gcc || echo failed; make -j2 && echo ok\n');
  await assertParses('shell', r.output);
});

test('heredocs fed to a shell are converted as scripts; ENV lists resolve, defaults-with-operators do not', async () => {
  const src = [
    'FROM debian:bookworm',
    'ENV TOOLS="git curl"',
    "RUN bash -e <<'EOF' > /tmp/log",
    'apt-get update',
    'apt-get install -y $TOOLS ${OPT:-libpcap-dev}',
    'EOF',
    '',
  ].join('\n');
  const r = await convertApk(src, { file: 'Dockerfile' });
  await assertParses('dockerfile', r.output);
  assert.match(r.output, /^apk add --no-cache \$TOOLS \$\{OPT:-libpcap-dev\} bash$/m);
  assert.match(r.output, /^ENV TOOLS="git curl"$/m);
  assert.ok(r.findings.some((f) => f.code === 'convert.unresolved-variable' && f.value === '${OPT:-libpcap-dev}' && f.where?.line === 5));
  assert.deepEqual(r.packages, ['git', 'curl', 'bash']);
});

test('`$SUDO apt-get` keeps the variable prefix; apt behind xargs is reported, not guessed', async () => {
  const src = 'SUDO=\n[ "$(id -u)" = 0 ] || SUDO=sudo\n$SUDO apt-get install -y libssl-dev\nxargs -a deps.txt apt-get install -y\n';
  const r = await convertApk(src, { file: 'deps.sh' });
  await assertParses('shell', r.output);
  assert.equal(r.output.split('\n')[2], '$SUDO apk add --no-cache openssl-dev findutils', 'xargs -a is GNU-only');
  assert.equal(r.output.split('\n')[3], 'xargs -a deps.txt apt-get install -y');
  const f = r.findings.find((x) => x.code === 'convert.unsupported-apt-command');
  assert.equal(f?.where?.line, 4);
});

test('removed commands behave as a successful `true` wherever they stood', async () => {
  const cases: [string, string][] = [
    ['apt-get update || exit 1\n', 'true || exit 1\n'],
    ['make || apt-get update\n', 'make || true\n'],
    ['a && apt-get update && b\n', 'a && b\n'],
    ['while ! apt-get update; do sleep 1; done\n', 'while ! true; do sleep 1; done\n'],
    ['if apt-get update >/dev/null; then echo ok; fi\n', 'if true >/dev/null; then echo ok; fi\n'],
    ['apt-get update | tee log\n', 'true | tee log\n'],
    ['case $x in a) apt-get update;; esac\n', 'case $x in a) ;; esac\n'],
    ['f() { apt-get clean; }\n', 'f() { true; }\n'],
  ];
  for (const [src, want] of cases) {
    const r = await convertApk(src, { file: 'x.sh' });
    assert.equal(r.output, want, src);
    await assertParses('shell', r.output);
  }
});

test('`# escape=`` Dockerfiles: backtick continuations are understood', async () => {
  const src = '# escape=`\nFROM debian:bookworm\nRUN apt-get update `\n && apt-get install -y gcc `\n && make\n';
  const r = await convertApk(src, { file: 'Dockerfile' });
  assert.equal(r.output, '# escape=`\n# FILL-IN-DIGEST: pin the digest of alpine:3.21 (docker buildx imagetools inspect alpine:3.21)\nFROM alpine:3.21@sha256:FILL-IN-DIGEST\nRUN apk add --no-cache gcc `\n && make\n');
  await assertParses('dockerfile', r.output);
});

test('Ubuntu-style repository setup and .deb files are reported, never silently kept', async () => {
  const src = [
    'FROM ubuntu:22.04',
    'RUN apt-get update && apt-get install -y software-properties-common curl \\',
    ' && add-apt-repository -y ppa:git-core/ppa \\',
    ' && curl -fsSL https://example.invalid/key.gpg | apt-key add - \\',
    ' && apt-get install -y ./vendor/tool_1.0_amd64.deb git',
    '',
  ].join('\n');
  const r = await convertApk(src, { file: 'Dockerfile' });
  await assertParses('dockerfile', r.output);
  const errs = r.findings.filter((f) => f.severity === 'error').map((f) => `${f.code}:${f.where?.line}`);
  assert.deepEqual(errs, ['convert.debian-only-command:3', 'convert.debian-only-command:4', 'convert.deb-file:5']);
  assert.match(r.output, /^RUN apk add --no-cache curl \\$/m);
  assert.match(r.output, /^ && apk add --no-cache git$/m);
});

test('converting the output again changes nothing', async () => {
  const once = await convertApk(ASK_DOCKERFILE, { file: 'Dockerfile' });
  const twice = await convertApk(once.output, { file: 'Dockerfile' });
  assert.equal(twice.output, once.output);
  const script = '#!/bin/bash\napt-get install -y gcc\nfind . -printf "%p"\n';
  const s1 = await convertApk(script, { file: 'b.sh' });
  assert.equal(s1.output, '#!/bin/bash\napk add --no-cache gcc bash findutils\nfind . -printf "%p"\n');
  assert.equal((await convertApk(s1.output, { file: 'b.sh' })).output, s1.output);
});
