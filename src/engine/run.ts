/**
 * Running one build: BuildKit's progress streamed to stderr (and into a log file), the exit mapped to a failure
 * that names what broke — the manifest step and its command, a missing artifact, a checksum — with the last lines
 * of the log and where the full log is.
 */
import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, fail, type Failure, type SourceLocation } from '../core/errors.js';
import { editDistance } from '../core/suggest.js';
import { exec } from '../core/exec.js';
import { getLogLevel, log, stderrIsTty } from '../core/log.js';
import { ProgressView } from './progress-view.js';
import { StepTally, type StepCounts } from './step-tally.js';
import type { StepSpec } from '../dockerfile/generate.js';
import { MARK_ARTIFACT_MISSING, MARK_ARTIFACT_NEAR, MARK_CHECKSUM, MARK_INSTALL_MISSING, MARK_STEP_FAILED } from '../dockerfile/helpers.js';
import type { BuildInvocation } from './argv.js';

export interface RunOptions {
  /** Where to keep the full log; none for `tty` progress (the terminal shows it). */
  logFile?: string;
  /** The log's name in messages, when it is written elsewhere first and moved there after (default: logFile). */
  logShownAs?: string;
  /** Append to the log file (a second build of the same command) instead of starting it afresh. */
  appendLog?: boolean;
  /** `compact`: one line per finished step (and a live status line on a terminal); `raw`: BuildKit's stream as is. */
  view?: 'compact' | 'raw';
  /** Inherit the terminal (tty progress): no capture, no log file. */
  inherit?: boolean;
  steps: readonly StepSpec[];
  /** What is being built, for messages: "build of hello", "toolchain of hello". */
  what: string;
  /** The target built, and where its steps and artifacts are in the manifest (failures point there). */
  locate?: Locate;
  /** Stops the build (the client's process group is ended). */
  signal?: AbortSignal;
  /** Called once the engine's client has started. */
  onStarted?: () => void;
}

export interface Locate {
  target: string;
  /** A step's manifest position, by its label (`build.targets.hello.steps[1]`). */
  step(label: string): SourceLocation | undefined;
  /** An artifact entry's manifest position, by its glob. */
  artifact(glob: string): SourceLocation | undefined;
  /** The target's own position (for failures of the build as a whole). */
  self(): SourceLocation | undefined;
}

/** The paths collect.sh listed as existing near a missing artifact, nearest to the glob first (5 at most). */
function nearestPaths(lines: readonly string[], pattern: string): string[] {
  const seen = new Set<string>();
  for (const line of lines) {
    const i = line.indexOf(`${MARK_ARTIFACT_NEAR} path=`);
    if (i >= 0) seen.add(line.slice(i + MARK_ARTIFACT_NEAR.length + ' path='.length));
  }
  const base = pattern.slice(pattern.lastIndexOf('/') + 1);
  const score = (p: string): number => editDistance(pattern, p) + editDistance(base, p.slice(p.lastIndexOf('/') + 1));
  return [...seen].map((p) => [p, score(p)] as const).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5).map(([p]) => p);
}

const TAIL = 20;

function parseMarker(line: string, mark: string): Record<string, string> | undefined {
  const i = line.indexOf(`${mark} `);
  if (i < 0) return undefined;
  const out: Record<string, string> = {};
  for (const kv of line.slice(i + mark.length + 1).split(' ')) {
    const eq = kv.indexOf('=');
    if (eq > 0) out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  // the last key's value may contain spaces (a glob, a path): keep the rest of the line for it
  const rest = line.slice(i + mark.length + 1);
  const last = rest.lastIndexOf('pattern=');
  if (last >= 0) out.pattern = rest.slice(last + 'pattern='.length).replace(/ matches=\d+$/, '');
  return out;
}

/** The output of the BuildKit vertex that printed line `i` (plain progress prefixes each with `#N `), up to it. */
function vertexTail(lines: readonly string[], i: number): string[] {
  const line = lines[i] as string;
  const sp = line.indexOf(' ');
  const prefix = line.startsWith('#') && sp > 1 ? line.slice(0, sp + 1) : '';
  const own = lines.slice(0, i + 1).filter((l) => prefix !== '' && l.startsWith(prefix) && !/^#\d+ sha256:/.test(l));
  return (own.length > 0 ? own : lines.slice(0, i + 1)).slice(-TAIL).map((l) => `| ${l}`);
}

/** Map a failed build's log lines to the most precise failure. Pure; unit-tested. */
export function failureFromLog(lines: readonly string[], opts: { steps: readonly StepSpec[]; what: string; logFile?: string; locate?: Locate }): Failure {
  let tail = lines.slice(-TAIL).map((l) => `| ${l}`);
  const where = opts.logFile ? `the full log is in ${opts.logFile}` : 'the full log is above';
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    const step = parseMarker(line, MARK_STEP_FAILED);
    if (step?.label !== undefined) {
      tail = vertexTail(lines, i);
      const s = opts.steps.find((x) => x.label === step.label);
      const at = opts.locate?.step(step.label);
      return {
        ...(at ? { where: at } : {}),
        code: 'build.step-failed',
        message: `build step ${step.label} failed (exit ${step.exit ?? '?'}): ${s?.command ?? '(unknown command)'}`,
        value: s?.command ?? step.label,
        exit: ExitCode.engine,
        details: ['last lines of the log:', ...tail],
        hint: `fix the step in tarsmith.yaml (${step.label}); steps run with the network off, so anything they download must be a source in the manifest; ${where}`,
      };
    }
    const art = parseMarker(line, MARK_ARTIFACT_MISSING);
    if (art?.pattern !== undefined) {
      const at = opts.locate?.artifact(art.pattern);
      const near = nearestPaths(lines, art.pattern);
      const of = opts.locate ? ` of target ${opts.locate.target}` : '';
      return {
        ...(at ? { where: at } : {}),
        code: 'build.artifact-missing',
        message: `the artifact glob ${JSON.stringify(art.pattern)}${of} matches nothing in the build tree`,
        value: art.pattern,
        exit: ExitCode.engine,
        details: [
          near.length > 0 ? `nearest paths that exist in the build tree: ${near.join(', ')}` : 'nothing near it exists in the build tree',
          'last lines of the log:',
          ...tail.filter((l) => !l.includes(MARK_ARTIFACT_NEAR)),
        ],
        hint: `check the path under build.targets.*.artifacts (relative to the build tree) against what the steps produce; ${where}`,
      };
    }
    const inst = parseMarker(line, MARK_INSTALL_MISSING);
    if (inst?.pattern !== undefined) {
      return {
        code: 'build.component-install-missing',
        message: `component ${inst.component ?? '?'} installed nothing matching ${JSON.stringify(inst.pattern)}`,
        value: inst.pattern,
        exit: ExitCode.engine,
        details: ['last lines of the log:', ...vertexTail(lines, i)],
        hint: `check components.${inst.component ?? 'NAME'}.installs (globs relative to the install tree) against what its install step put in $DESTDIR; ${where}`,
      };
    }
    const sum = parseMarker(line, MARK_CHECKSUM);
    if (sum?.file !== undefined) {
      return {
        code: 'verify.checksum-mismatch',
        message: `an input did not match its locked sha256 inside the build: ${sum.file}`,
        value: sum.file,
        exit: ExitCode.checkFailed,
        hint: 'run `tarsmith verify`, then `tarsmith vendor` to fetch the input again',
      };
    }
  }
  const at = opts.locate?.self();
  return {
    ...(at ? { where: at } : {}),
    code: 'engine.build-failed',
    message: `the ${opts.what} failed`,
    exit: ExitCode.engine,
    details: ['last lines of the log:', ...tail],
    hint: `read the log for the cause; ${where}`,
  };
}

/** The stop switch and the started call of `opts`, as `exec` takes them. */
function control(opts: RunOptions): { signal?: AbortSignal; onSpawn?: () => void } {
  return { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onStarted ? { onSpawn: opts.onStarted } : {}) };
}

/**
 * Run the build; stream progress to stderr; throw the mapped failure when it fails. Returns which steps ran and
 * which were cached (undefined with tty progress: the terminal got the stream, not tarsmith).
 */

export async function runBuild(inv: BuildInvocation, opts: RunOptions): Promise<StepCounts | undefined> {
  const env = { ...process.env, ...inv.env };
  log.verbose(`$ ${inv.argv.join(' ')}`);
  if (opts.inherit) {
    const r = await exec(inv.argv, { env, inherit: true, ...control(opts) });
    if (r.code !== 0) fail(failureFromLog([], { steps: opts.steps, what: opts.what, ...(opts.locate ? { locate: opts.locate } : {}) }));
    return undefined;
  }
  const tally = new StepTally();
  let stream: ReturnType<typeof createWriteStream> | undefined;
  let logError: NodeJS.ErrnoException | undefined;
  if (opts.logFile) {
    await fs.mkdir(path.dirname(opts.logFile), { recursive: true });
    stream = createWriteStream(opts.logFile, { flags: opts.appendLog ? 'a' : 'w' });
    // A log that cannot be written (a full disk under --out) must not stop the build or crash tarsmith.
    stream.on('error', (e: NodeJS.ErrnoException) => {
      logError ??= e;
      stream = undefined;
    });
  }
  const lines: string[] = [];
  const echo = getLogLevel() !== 'quiet';
  const view = echo && opts.view === 'compact'
    ? new ProgressView({ tty: stderrIsTty(), write: (s) => process.stderr.write(s), columns: process.stderr.columns ?? 120 })
    : undefined;
  const onLine = (l: string) => {
    tally.line(l);
    if (view) view.line(l);
    else if (echo) process.stderr.write(`${l}\n`);
    stream?.write(`${l}\n`);
    lines.push(l);
    if (lines.length > 2000) lines.splice(0, 1000);
  };
  let code: number;
  try {
    const r = await exec(inv.argv, { env, capture: false, onStdoutLine: onLine, onStderrLine: onLine, ...control(opts) });
    code = r.code;
  } catch (e) {
    return fail({
      code: 'engine.docker-missing',
      message: `cannot run ${inv.argv[0]}: ${(e as Error).message}`,
      exit: ExitCode.engine,
      hint: 'install Docker (scripts/setup-engine.sh), or pass --docker PATH',
    });
  } finally {
    view?.finish();
    const open = stream;
    await new Promise<void>((resolve) => {
      if (!open) return resolve();
      open.once('error', () => resolve());
      open.end(resolve);
    });
  }
  if (logError) log.warn(`the build log could not be written to ${opts.logFile ?? ''}: ${logError.code ?? logError.message}`);
  const shown = opts.logShownAs ?? opts.logFile;
  if (code !== 0) fail(failureFromLog(lines, { steps: opts.steps, what: opts.what, ...(shown ? { logFile: shown } : {}), ...(opts.locate ? { locate: opts.locate } : {}) }));
  return tally.counts();
}
