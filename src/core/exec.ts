/**
 * Child processes: argv arrays only (never a shell with interpolated strings), output streamed line by line,
 * the whole process group killed on abort or Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { removeTrackedSync } from './cleanup.js';

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Data written to the child's stdin, then closed. Without it stdin is /dev/null. */
  input?: string | Uint8Array;
  signal?: AbortSignal;
  /** Called with each complete line of stdout / stderr as it arrives. */
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  /** Keep stdout / stderr in the result (default true). Set false for large outputs. */
  capture?: boolean;
  /** Inherit the parent's stdio instead of piping (interactive tools). */
  inherit?: boolean;
  /** Called once the child process has started. */
  onSpawn?: () => void;
}

export interface ExecResult {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const live = new Set<number>();
let handlersInstalled = false;

/** On SIGINT/SIGTERM: stop the child process groups, remove tracked temp paths, then end with that signal. */
export function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const pid of live) killGroup(pid, 'SIGTERM');
      removeTrackedSync();
      process.exitCode = 130;
      process.kill(process.pid, sig);
    });
  }
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

function lineSplitter(cb: (line: string) => void): { push(chunk: string): void; end(): void } {
  let buf = '';
  return {
    push(chunk: string) {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        cb(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    },
    end() {
      if (buf) cb(buf);
      buf = '';
    },
  };
}

/** Run `argv[0]` with `argv[1..]`. Resolves with the exit code; rejects only if the program cannot start. */
export function exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new Error('exec: empty argv'));
  installSignalHandlers();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: opts.inherit ? 'inherit' : [opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const capture = opts.capture ?? true;
    let stdout = '';
    let stderr = '';
    const outLines = opts.onStdoutLine ? lineSplitter(opts.onStdoutLine) : undefined;
    const errLines = opts.onStderrLine ? lineSplitter(opts.onStderrLine) : undefined;
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      if (capture) stdout += c;
      outLines?.push(c);
    });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      if (capture) stderr += c;
      errLines?.push(c);
    });
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
    const onAbort = () => child.pid && killGroup(child.pid, 'SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('spawn', () => {
      if (child.pid) live.add(child.pid);
      opts.onSpawn?.();
    });
    child.on('error', (e) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (child.pid) live.delete(child.pid);
      opts.signal?.removeEventListener('abort', onAbort);
      outLines?.end();
      errLines?.end();
      resolve({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr });
    });
  });
}

/** Is `name` an executable on PATH? Returns its path or undefined. */
export async function which(name: string, envPath = process.env.PATH ?? ''): Promise<string | undefined> {
  const { access, constants } = await import('node:fs/promises');
  const { join } = await import('node:path');
  if (name.includes('/')) {
    try {
      await access(name, constants.X_OK);
      return name;
    } catch {
      return undefined;
    }
  }
  for (const dir of envPath.split(':')) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Whether a process with this id exists (one owned by another user counts: EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
