import type { Command } from 'commander';

/** Registers `audit musl`. (Filled in by the work that implements it.) */
export function register(_audit: Command): void {}
