/** Download progress on stderr: a bar (bytes, rate, ETA) on a terminal, plain lines otherwise. */
import { getLogLevel, stderrIsTty } from '../core/log.js';

export interface Progress {
  update(bytes: number): void;
  /** Ends the bar or prints the summary line. */
  done(summary: string): void;
  /** Ends the bar without a summary (the caller reports the failure). */
  abort(): void;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--:--';
  const m = Math.floor(s / 60);
  const sec = Math.floor(s % 60);
  return `${m}:${String(sec).padStart(2, '0')}`;
}

export function barLine(label: string, bytes: number, total: number | undefined, rate: number): string {
  const width = 24;
  const r = `${formatBytes(rate)}/s`;
  if (total && total > 0) {
    const frac = Math.min(1, bytes / total);
    const filled = Math.round(frac * width);
    const eta = rate > 0 ? (total - bytes) / rate : Infinity;
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    return `${label} [${bar}] ${formatBytes(bytes)} / ${formatBytes(total)}  ${r}  ETA ${formatDuration(eta)}`;
  }
  return `${label} ${formatBytes(bytes)}  ${r}`;
}

/** Start reporting the transfer of `label` (`total` bytes when known). */
export function startProgress(label: string, total: number | undefined): Progress {
  const quiet = getLogLevel() === 'quiet';
  const tty = !quiet && stderrIsTty();
  const t0 = Date.now();
  let bytes = 0;
  let lastDraw = 0;
  let lastLine = t0;
  const rate = () => bytes / Math.max(0.001, (Date.now() - t0) / 1000);
  if (!quiet && !tty) process.stderr.write(`fetching ${label}${total ? ` (${formatBytes(total)})` : ''}\n`);
  const clear = () => tty && process.stderr.write('\r\x1b[K');
  return {
    update(n) {
      bytes += n;
      const now = Date.now();
      if (tty && now - lastDraw > 100) {
        lastDraw = now;
        process.stderr.write(`\r\x1b[K${barLine(label, bytes, total, rate())}`);
      } else if (!tty && !quiet && now - lastLine > 10_000) {
        lastLine = now;
        process.stderr.write(`  ${label}: ${barLine('', bytes, total, rate()).trim()}\n`);
      }
    },
    done(summary) {
      clear();
      if (!quiet) process.stderr.write(`${summary}\n`);
    },
    abort() {
      clear();
    },
  };
}
