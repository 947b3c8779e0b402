/** An ASK-like upstream tree (written by the tests into a temp folder): Makefile + build/sources.mk and friends. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export const ASK_FILES: Record<string, string> = {
  Makefile: [
    '# Top-level Makefile modelled on NXP ASK',
    'include build/sources.mk',
    '',
    'TOPDIR := $(CURDIR)',
    'FMLIB_DIR ?= sources/fmlib',
    'FMC_DIR ?= sources/fmc',
    'DL_DIR = dl',
    'NFNL_TARBALL = $(notdir $(LIBNFNETLINK_URL))',
    '',
    '.PHONY: all sources',
    'all: sources',
    '',
    'sources: $(FMLIB_DIR) $(FMC_DIR) $(DL_DIR)/$(NFNL_TARBALL) $(DL_DIR)/$(NFCT_TARBALL)',
    '',
    '$(FMLIB_DIR):',
    '\tgit clone -b $(NXP_TAG) $(FMLIB_REPO) $(FMLIB_DIR)',
    '\tcd $(FMLIB_DIR) && git apply $(TOPDIR)/patches/fmlib/0001-fix.patch',
    '',
    '$(FMC_DIR):',
    '\t@git clone --depth 1 --branch=$(NXP_TAG) \\',
    '\t\t$(FMC_REPO) $@',
    '',
    '$(DL_DIR)/$(NFNL_TARBALL):',
    '\tmkdir -p $(DL_DIR) && wget -q -P $(DL_DIR) $(LIBNFNETLINK_URL)',
    '',
    '$(DL_DIR)/$(NFCT_TARBALL):',
    '\tcurl -sSfL -o $@ $(NFCT_URL)',
    '',
    'ifeq ($(WITH_EXTRA),y)',
    'extra:',
    '\twget $(EXTRA_SITE)/extra-$(shell cat VERSION).tgz',
    'endif',
    '',
  ].join('\n'),
  'build/sources.mk': [
    'NXP_TAG = lf-6.1.55-2.2.0',
    'NXP_GIT = https://github.com/nxp-qoriq',
    'FMLIB_REPO = $(NXP_GIT)/fmlib',
    'FMC_REPO = $(NXP_GIT)/fmc.git',
    'NETFILTER_SITE = https://www.netfilter.org/projects',
    'LIBNFNETLINK_VERSION = 1.0.2',
    'LIBNFNETLINK_URL = $(NETFILTER_SITE)/libnfnetlink/files/libnfnetlink-$(LIBNFNETLINK_VERSION).tar.bz2',
    'LIBNFCT_VERSION := 1.0.9',
    'NFCT_TARBALL = libnetfilter_conntrack-$(LIBNFCT_VERSION).tar.bz2',
    'NFCT_URL = $(NETFILTER_SITE)/libnetfilter_conntrack/files/$(NFCT_TARBALL)',
    'WITH_EXTRA = y',
    '',
  ].join('\n'),
  'patches/fmlib/0001-fix.patch': '--- a/x\n+++ b/x\n',
  'scripts/get-tools.sh': [
    '#!/bin/sh',
    'set -e',
    'TOOLS_TAG=${TOOLS_TAG:-v2.3}',
    'BASE=https://git.example.org/tools',
    'git clone -b "$TOOLS_TAG" "$BASE/dtc.git" dtc',
    'pip install pyelftools',
    '',
  ].join('\n'),
  'cmake/CMakeLists.txt': [
    'cmake_minimum_required(VERSION 3.14)',
    'include(FetchContent)',
    'set(JSON_VERSION v3.11.2)',
    'FetchContent_Declare(json',
    '  GIT_REPOSITORY https://github.com/nlohmann/json.git',
    '  GIT_TAG ${JSON_VERSION})',
    'file(DOWNLOAD "https://example.org/data/${JSON_VERSION}/table.bin" ${CMAKE_BINARY_DIR}/table.bin)',
    '',
  ].join('\n'),
  Dockerfile: ['FROM scratch', 'ARG ZLIB=1.3.1', 'ADD https://zlib.net/zlib-${ZLIB}.tar.gz /src/', ''].join('\n'),
  '.gitmodules': '[submodule "spc"]\n\tpath = sources/spc\n\turl = https://github.com/nxp-qoriq/spc\n\tbranch = lf-6.1.55-2.2.0\n',
  'subprojects/libyaml.wrap': '[wrap-file]\ndirectory = yaml-0.2.5\nsource_url = https://pyyaml.org/download/libyaml/yaml-0.2.5.tar.gz\n',
};

export async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), content, { mode: rel.endsWith('.sh') ? 0o755 : 0o644 });
  }
}
