import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateMakefile, type TextTree } from '../../../src/lang/make/eval.js';

/** The audited tree as a set of files (the evaluator only reads text). */
function tree(files: Record<string, string>): TextTree {
  return { read: (p) => files[p] };
}
function make(text: string, more: Record<string, string> = {}, cmd: Record<string, string> = {}) {
  return evaluateMakefile(tree({ Makefile: text, ...more }), 'Makefile', cmd);
}
function value(r: ReturnType<typeof make>, name: string): string {
  const e = r.expand(`$(${name})`);
  assert.deepEqual(e.unresolved, [], `${name} resolves`);
  return e.text;
}

test('recursive = binds late, simple := and ::= bind early, ?= only sets undefined variables', () => {
  const r = make(['A = $(B)', 'B = one', 'S := $(B)', 'T ::= $(B)', 'B = two', 'Q ?= first', 'Q ?= second', 'B ?= three'].join('\n'));
  assert.equal(value(r, 'A'), 'two');
  assert.equal(value(r, 'S'), 'one');
  assert.equal(value(r, 'T'), 'one');
  assert.equal(value(r, 'Q'), 'first');
  assert.equal(value(r, 'B'), 'two');
});

test('+= appends: late for recursive variables, expanded now for simple ones, and defines when undefined', () => {
  const r = make(['R = a', 'R += $(X)', 'S := a', 'S += $(X)', 'N += n', 'X = late', 'X = later'].join('\n'));
  assert.equal(value(r, 'R'), 'a later');
  assert.deepEqual(r.expand('$(S)').text, 'a $(X)');
  assert.deepEqual(r.expand('$(S)').unresolved, ['undefined variable X']);
  assert.equal(value(r, 'N'), 'n');
});

test('$(VAR), ${VAR}, $X, $$ and nested names $($(A)_B)', () => {
  const r = make(['X = ex', 'A = FMLIB', 'FMLIB_REPO = https://github.com/nxp-qoriq/fmlib', 'K = $($(A)_REPO)', 'L = ${X}-$X-$$X'].join('\n'));
  assert.equal(value(r, 'K'), 'https://github.com/nxp-qoriq/fmlib');
  assert.equal(value(r, 'L'), 'ex-ex-$X');
});

test('text functions used for URLs, substitution references, call and foreach', () => {
  const r = make(
    [
      'VER = 1.0.1',
      'NAME = libnfnetlink',
      'URL = https://netfilter.org/$(NAME)/files/$(NAME)-$(VER).tar.bz2',
      'subst := $(subst .,_,$(VER))',
      'pat := $(patsubst %.tar.bz2,%,$(notdir $(URL)))',
      'strip := [$(strip   a   b  )]',
      'base := $(basename $(notdir $(URL)))',
      'pre := $(addprefix https://x.org/,a b)',
      'suf := $(addsuffix .git,a b)',
      'w := $(word 2,one two three) $(firstword one two) $(lastword one two)',
      'EMPTY =',
      'i := $(if $(VER),yes,no) $(if $(EMPTY),yes,no)',
      'o := $(or $(EMPTY),fallback) [$(and a,,b)] $(and a,b)',
      'f := $(filter %.tar.bz2 %.gz,a.tar.bz2 b.zip c.gz) / $(filter-out %.zip,a.tar.bz2 b.zip)',
      'srcs := a.c b.c',
      'objs := $(srcs:.c=.o) $(srcs:%.c=obj/%.o)',
      'repo = https://github.com/$(1)/$(2).git',
      'c := $(call repo,nxp-qoriq,fmc)',
      'fe := $(foreach n,fmlib fmc,$(n)-dir)',
      'dirs := $(dir a/b/c.txt d) $(suffix a/b.tar.gz c)',
    ].join('\n'),
  );
  assert.equal(value(r, 'subst'), '1_0_1');
  assert.equal(value(r, 'pat'), 'libnfnetlink-1.0.1');
  assert.equal(value(r, 'strip'), '[a b]');
  assert.equal(value(r, 'base'), 'libnfnetlink-1.0.1.tar');
  assert.equal(value(r, 'pre'), 'https://x.org/a https://x.org/b');
  assert.equal(value(r, 'suf'), 'a.git b.git');
  assert.equal(value(r, 'w'), 'two one two');
  assert.equal(value(r, 'i'), 'yes no');
  assert.equal(value(r, 'o'), 'fallback [] b');
  assert.equal(value(r, 'f'), 'a.tar.bz2 c.gz / a.tar.bz2');
  assert.equal(value(r, 'objs'), 'a.o b.o obj/a.o obj/b.o');
  assert.equal(value(r, 'c'), 'https://github.com/nxp-qoriq/fmc.git');
  assert.equal(value(r, 'fe'), 'fmlib-dir fmc-dir');
  assert.equal(value(r, 'dirs'), 'a/b/ ./ .gz');
});

test('$(shell ...) and undefined variables stay as written, with the reason', () => {
  const r = make(['TAG := $(shell git describe --tags)', 'URL = https://x.org/$(PROJECT)/get', 'H != date'].join('\n'));
  const tag = r.expand('$(TAG)');
  assert.equal(tag.text, '$(shell git describe --tags)');
  assert.deepEqual(tag.unresolved, ['$(shell ...) is not evaluated by the audit']);
  const url = r.expand('$(URL)');
  assert.equal(url.text, 'https://x.org/$(PROJECT)/get');
  assert.deepEqual(url.unresolved, ['undefined variable PROJECT']);
  assert.deepEqual(r.expand('$(H)').unresolved, ['H is set by a shell command (!=)']);
  assert.equal(r.expand('$(word 2,$(TAG))').text, '$(word 2,$(TAG))', 'a function of unknown text is not guessed');
});

test('include, -include and sinclude: relative to the top folder, then to the including file', () => {
  const r = evaluateMakefile(
    tree({
      Makefile: 'include build/sources.mk\n-include missing.mk\nsinclude also-missing.mk\ninclude nowhere.mk\n',
      'build/sources.mk': 'NXP_TAG = lf-6.1.55-2.2.0\ninclude repos.mk\n',
      'build/repos.mk': 'FMLIB_REPO = https://github.com/nxp-qoriq/fmlib\n',
    }),
    'Makefile',
  );
  assert.equal(value(r, 'NXP_TAG'), 'lf-6.1.55-2.2.0');
  assert.equal(value(r, 'FMLIB_REPO'), 'https://github.com/nxp-qoriq/fmlib');
  assert.deepEqual(r.files, ['Makefile', 'build/sources.mk', 'build/repos.mk']);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.where.line, d.value]), [['make.include-missing', 4, 'nowhere.mk']]);
});

test('export and override; command-line variables win over the file', () => {
  const r = make(['export A = 1', 'override B = ob', 'B = plain', 'C = file', 'export A C', 'unexport C'].join('\n'), {}, { C: 'cmd' });
  assert.equal(value(r, 'A'), '1');
  assert.equal(value(r, 'B'), 'ob');
  assert.equal(value(r, 'C'), 'cmd');
});

test('define/endef blocks keep their lines; a := define is expanded at once', () => {
  const r = make(['V = 1', 'define BLOCK', 'line $(V)', '  two # not a comment', 'endef', 'define NOW :=', 'v$(V)', 'endef', 'V = 2'].join('\n'));
  assert.equal(value(r, 'BLOCK'), 'line 2\n  two # not a comment');
  assert.equal(value(r, 'NOW'), 'v1');
});

test('conditionals: ifeq/ifneq/ifdef/ifndef, else, else-if chains, nesting; unknown ones leave their variables unresolved', () => {
  const r = make(
    [
      'ARCH = arm64',
      'ifeq ($(ARCH),arm64)',
      '  A = yes',
      'else ifeq ($(ARCH),x86)',
      '  A = x86',
      'else',
      '  A = other',
      'endif',
      "ifneq '$(ARCH)' 'arm64'",
      '  B = wrong',
      'else',
      '  ifdef ARCH',
      '    B = defined',
      '  endif',
      'endif',
      'ifndef UNSET',
      '  C = unset',
      'endif',
      'ifeq ($(UNSET),)',
      '  D = empty',
      'endif',
      'ifeq ($(shell uname -m),aarch64)',
      '  E = one',
      'else',
      '  E = two',
      'endif',
    ].join('\n'),
  );
  assert.equal(value(r, 'A'), 'yes');
  assert.equal(value(r, 'B'), 'defined');
  assert.equal(value(r, 'C'), 'unset');
  assert.equal(value(r, 'D'), 'empty');
  const e = r.expand('$(E)');
  assert.equal(e.text, '$(E)');
  assert.match(e.unresolved[0]!, /E is set under a condition that cannot be evaluated \(Makefile:25\)/);
});

test('$(eval) of a called template (in a foreach) defines rules and variables at its place', () => {
  const r = make(
    [
      'FMLIB_REPO = https://github.com/nxp-qoriq/fmlib',
      'FMC_REPO = https://github.com/nxp-qoriq/fmc',
      'define CLONE_template',
      '$(1)_DIR = sources/$(2)',
      'sources/$(2):',
      '\tgit clone -b $$(NXP_TAG) $$($(1)_REPO) $$@',
      'endef',
      '$(foreach p,FMLIB:fmlib FMC:fmc,$(eval $(call CLONE_template,$(word 1,$(subst :, ,$(p))),$(word 2,$(subst :, ,$(p))))))',
      'NXP_TAG = lf-6.1',
      '$(eval $(shell cat more.mk))',
    ].join('\n'),
  );
  assert.equal(value(r, 'FMC_DIR'), 'sources/fmc');
  assert.deepEqual(r.recipes.map((x) => [x.loc.line, x.target, x.text]), [
    [8, 'sources/fmlib', 'git clone -b lf-6.1 https://github.com/nxp-qoriq/fmlib sources/fmlib'],
    [8, 'sources/fmc', 'git clone -b lf-6.1 https://github.com/nxp-qoriq/fmc sources/fmc'],
  ]);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.where.line]), [['make.eval', 10]]);
});

test('target-specific variables are ignored; continuations and comments are handled', () => {
  const r = make(
    ['TAG = v1 # the tag', 'fmlib: TAG = other', 'LIST = a \\', '       b \\', '   c', 'HASH = a\\#b', '# TAG = commented'].join('\n'),
  );
  assert.equal(value(r, 'TAG'), 'v1');
  assert.equal(value(r, 'LIST'), 'a b c');
  assert.equal(value(r, 'HASH'), 'a#b');
});

test('recipes are expanded at the end with automatic variables; prefixes and continuations handled', () => {
  const r = make(
    [
      'FMLIB_DIR = fmlib',
      'all: $(FMLIB_DIR)',
      '',
      '$(FMLIB_DIR): build/stamp',
      '\t@echo cloning $@ from $<',
      '\t-git clone -b $(NXP_TAG) \\',
      '\t  $(FMLIB_REPO) $@ # comment for the shell',
      'x: ; echo inline $(@D)/$(@F)',
      'NXP_TAG = lf-6.1',
      'FMLIB_REPO = https://github.com/nxp-qoriq/fmlib',
    ].join('\n'),
  );
  assert.deepEqual(
    r.recipes.map((x) => [x.loc.line, x.target, x.text, x.unresolved]),
    [
      [5, 'fmlib', 'echo cloning fmlib from build/stamp', []],
      [6, 'fmlib', 'git clone -b lf-6.1 \\\n  https://github.com/nxp-qoriq/fmlib fmlib # comment for the shell', []],
      [8, 'x', 'echo inline ./x', []],
    ],
  );
});
