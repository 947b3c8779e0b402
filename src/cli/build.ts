import type { Command } from 'commander';

/** Registers the `build` command. (Filled in by the work that implements it.) */
export function register(_program: Command): void {}
