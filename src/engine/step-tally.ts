/**
 * Which build steps ran and which came from the cache, read from BuildKit's plain progress stream: a step is a
 * vertex named `[stage i/n] INSTRUCTION` (BuildKit's own `[internal]` and `[auth]` vertices are not steps), and its
 * last state line says how it ended (`#N CACHED`, `#N DONE 1.2s`, `#N ERROR …`). A build whose cache came from a
 * registry shows every step CACHED. A `[stage i/n] FROM REF` vertex is not a step either: it is an image source,
 * reported DONE once its manifest and config are resolved, whether or not a step then runs on it (its layers are
 * pulled only for a step that runs, and that step is counted).
 */

export interface StepCounts {
  /** Steps of the build that ended (cached or run). */
  total: number;
  cached: number;
  /** The steps that ran (not from the cache), by name, in the order they finished. */
  ran: string[];
}

export class StepTally {
  private readonly names = new Map<string, string>();
  private readonly ended = new Map<string, 'cached' | 'ran'>();
  private readonly order: string[] = [];

  /** Feed one line of the plain progress stream. */
  line(l: string): void {
    const m = /^#(\d+) (.*)$/.exec(l);
    if (!m) return;
    const [, id, rest] = m as unknown as [string, string, string];
    if (rest.startsWith('[') && !this.names.has(id)) {
      if (!rest.startsWith('[internal]') && !rest.startsWith('[auth]') && !/^\[[^\]]*\] FROM /.test(rest)) this.names.set(id, rest);
      return;
    }
    if (!this.names.has(id)) return;
    const how = rest === 'CACHED' ? 'cached' : rest.startsWith('DONE ') || rest.startsWith('ERROR') ? 'ran' : undefined;
    if (how === undefined) return;
    if (!this.ended.has(id)) this.order.push(id);
    // A vertex reported both ways keeps the one that did work.
    if (this.ended.get(id) !== 'ran') this.ended.set(id, how);
  }

  counts(): StepCounts {
    const ran = this.order.filter((id) => this.ended.get(id) === 'ran').map((id) => this.names.get(id) as string);
    return { total: this.order.length, cached: this.order.length - ran.length, ran };
  }
}
