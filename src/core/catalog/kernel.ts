/** Codes of the kernel stages of a build (`kernel:` in the manifest): the config check, preflight and vermagic. */
import { defineArea } from './types.js';

export const kernel = defineArea('kernel', 'the kernel: section of a build: config resolved and checked before compiling, modules and their vermagic', {
  'kernel.config-mismatch': { exit: 'checkFailed', severity: 'error', hint: 'apply the fixes in the fragments, or allow the lines to be dropped: kernel.allowUnknown / kernel.allowMismatch' },
  'kernel.line-dropped': { exit: 'ok', severity: 'warning', hint: 'nothing to do: the manifest allows the line to be dropped (kernel.allowUnknown, kernel.allowMismatch or unknownSymbols: warn); remove it from the fragment to silence this' },
  'kernel.modules-disabled': { exit: 'checkFailed', severity: 'error', hint: 'add CONFIG_MODULES=y to a kernel fragment' },
  'kernel.ephemeral-signing-key': { exit: 'checkFailed', severity: 'error', hint: 'declare a persistent key (kernel.signingKey, a private plain-file source), or add "# CONFIG_MODULE_SIG is not set" to a kernel fragment' },
  'kernel.signing-key-unused': { exit: 'checkFailed', severity: 'error', hint: 'add CONFIG_MODULE_SIG=y (and CONFIG_MODULE_SIG_ALL=y to sign the kernel\'s own modules) to a kernel fragment, or drop kernel.signingKey' },
  'kernel.signing-key-path': { exit: 'checkFailed', severity: 'error', hint: 'add CONFIG_MODULE_SIG_KEY=\"/run/tarsmith/module-signing-key.pem\" to a kernel fragment: the declared key (kernel.signingKey) is mounted there' },
  'kernel.module-unsigned': { exit: 'engine', severity: 'error', hint: 'list the module folder under build.targets.<t>.modules (tarsmith signs those with kernel.signingKey), or sign it in the step with $KDIR/scripts/sign-file' },
  'kernel.preflight-skipped': { exit: 'ok', severity: 'info', hint: 'install the compiler the kernel build uses on this host (gcc, or CROSS_COMPILE + gcc), or let one build record its probes: the next build predicts from them' },
  'kernel.prediction-differs': { exit: 'ok', severity: 'warning', hint: 'a tarsmith bug: the kernel\'s .config is the one that counts (the build went on with it); report it with out/<name>/kernel/config and the symbols named' },
  'kernel.host-probes-differ': { exit: 'ok', severity: 'warning', hint: 'nothing to do: the builder\'s answers are recorded and the next build predicts from them; the host\'s tools (rustc, pahole, ...) differ from the builder\'s' },
  'kernel.vermagic-mismatch': { exit: 'engine', severity: 'error', hint: 'build the module with make -C "$KDIR" M=<folder> (the KDIR tarsmith sets), or list it under build.targets.<t>.modules' },
});
