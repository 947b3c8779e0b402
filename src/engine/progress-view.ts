/**
 * The compact view of a long build: BuildKit's plain progress stream (which still goes, whole, into the log file)
 * read as vertices (`#N [stage i/n] INSTRUCTION`, `#N 12.3 output`, `#N DONE 1.2s`, `#N CACHED`, `#N ERROR ...`),
 * shown as one line per finished step. On a terminal a live status line under them shows the running step,
 * its elapsed time and its last output line; elsewhere only the finished-step lines are printed.
 */

export interface ViewOptions {
  /** Draw the live status line (stderr is a terminal). */
  tty: boolean;
  write(s: string): void;
  /** Terminal width for the status line. */
  columns?: number;
  now?: () => number;
}

interface Vertex {
  name: string;
  started: number;
  last?: string;
}

/** `[stage i/n] RUN [".../step.sh", "LABEL", "CMD"]` → `[stage i/n] LABEL: CMD`; other names are kept. */
export function stepName(name: string): string {
  const m = /^(\[[^\]]+\]) RUN (?:--mount=\S+ )*(\[.*\])$/.exec(name);
  if (!m) return name;
  try {
    const argv = JSON.parse(m[2] as string) as unknown;
    if (Array.isArray(argv) && typeof argv[1] === 'string' && argv[1].endsWith('/step.sh')) return `${m[1]} ${String(argv[2])}: ${String(argv[3])}`;
    if (Array.isArray(argv)) return `${m[1]} ${argv.map(String).join(' ')}`;
  } catch {
    /* not JSON: keep the name */
  }
  return name;
}

function fit(s: string, width: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length <= width ? one : `${one.slice(0, Math.max(0, width - 1))}…`;
}

export class ProgressView {
  private readonly vertices = new Map<string, Vertex>();
  private readonly opts: ViewOptions;
  private status = '';
  private steps = 0;
  private readonly begun: number;

  constructor(opts: ViewOptions) {
    this.opts = opts;
    this.begun = this.now();
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Feed one line of BuildKit's plain progress. */
  line(l: string): void {
    const m = /^#(\d+) (.*)$/.exec(l);
    if (!m) return;
    const [, id, rest] = m as unknown as [string, string, string];
    const v = this.vertices.get(id);
    if (rest.startsWith('[') && !v) {
      if (!rest.startsWith('[internal]') && !rest.startsWith('[auth]')) this.vertices.set(id, { name: stepName(rest), started: this.now() });
    } else if (v && (rest === 'CACHED' || rest.startsWith('DONE ') || rest.startsWith('ERROR'))) {
      this.vertices.delete(id);
      this.steps++;
      const how = rest === 'CACHED' ? 'cached' : rest.startsWith('DONE ') ? `done ${rest.slice(5)}` : 'FAILED';
      // A terminal line is cut to its width; plain lines (a pipe, CI) keep the whole step name.
      this.print(`${this.opts.tty ? fit(v.name, (this.opts.columns ?? 120) - how.length - 3) : v.name} · ${how}`);
    } else if (v) {
      const out = /^\d+\.\d+ (.*)$/.exec(rest);
      if (out?.[1]) v.last = out[1];
    }
    this.redraw();
  }

  private print(s: string): void {
    this.clear();
    this.opts.write(`${s}\n`);
  }

  private clear(): void {
    if (this.opts.tty && this.status) this.opts.write('\r\x1b[K');
    this.status = '';
  }

  private redraw(): void {
    if (!this.opts.tty) return;
    const running = [...this.vertices.values()].at(-1);
    const total = Math.round((this.now() - this.begun) / 1000);
    const text = running
      ? `${running.name} · ${Math.round((this.now() - running.started) / 1000)}s${running.last ? ` · ${running.last}` : ''}`
      : `${this.steps} steps`;
    const s = fit(`[${total}s] ${text}`, (this.opts.columns ?? 120) - 1);
    if (s === this.status) return;
    this.opts.write(`\r\x1b[K${s}`);
    this.status = s;
  }

  /** End of the stream: remove the status line. */
  finish(): void {
    this.clear();
  }
}
