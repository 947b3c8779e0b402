import type { Command } from 'commander';
import { action } from './common.js';

/** `tarsmith schema`: print the manifest's JSON Schema. */
export function register(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of tarsmith.yaml (for editors and CI validation)')
    .addHelpText(
      'after',
      '\nExample:\n  tarsmith schema > tarsmith.schema.json\n  # then, first line of tarsmith.yaml:\n  # yaml-language-server: $schema=./tarsmith.schema.json',
    )
    .action(
      action(async () => {
        const { manifestJsonSchema } = await import('../manifest/schema.js');
        process.stdout.write(`${JSON.stringify(manifestJsonSchema, null, 2)}\n`);
      }),
    );
}
