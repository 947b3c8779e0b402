/**
 * A resolved `.config`: the same line format as a fragment, read with the distinction the kernel makes between a
 * symbol that is absent (not written: invisible and `n`, or not in this tree) and one written as `# … is not set`.
 */
import { parseConfigText, readConfigFile, readConfigText, type ConfigLine, type ConfigValue, type ParsedConfig } from './fragment.js';

export type ConfigFact =
  | { state: 'absent' }
  | { state: 'unset'; line: ConfigLine }
  | { state: 'set'; value: ConfigValue; line: ConfigLine };

export interface DotConfig {
  parsed: ParsedConfig;
  /** From the kernel's header comment (`# Linux/arm64 6.12.57 Kernel Configuration`), when present. */
  header?: { arch: string; version: string };
  fact(name: string): ConfigFact;
}

/** `# Linux/<arch> <version> Kernel Configuration` in the first lines, as written by `conf`. */
export function readHeader(text: string): { arch: string; version: string } | undefined {
  for (const row of text.split('\n', 8)) {
    const words = row.split(' ');
    if (words.length === 5 && words[0] === '#' && words[3] === 'Kernel' && words[4] === 'Configuration') {
      const [os, arch] = (words[1] ?? '').split('/');
      if (os === 'Linux' && arch) return { arch, version: words[2] ?? '' };
    }
  }
  return undefined;
}

export function dotConfigFromText(text: string, file: string): DotConfig {
  const parsed = parseConfigText(text, file);
  const header = readHeader(text);
  return {
    parsed,
    ...(header ? { header } : {}),
    fact(name: string): ConfigFact {
      const line = parsed.byName.get(name);
      if (!line) return { state: 'absent' };
      if (line.value === undefined) return { state: 'unset', line };
      return { state: 'set', value: line.value, line };
    },
  };
}

export async function readDotConfig(file: string): Promise<DotConfig> {
  return dotConfigFromText(await readConfigText(file), file);
}

export { readConfigFile };
