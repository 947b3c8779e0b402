import type { Command } from 'commander';

/** Registers `kconfig check`. (Filled in by the work that implements it.) */
export function register(_kconfig: Command): void {}
