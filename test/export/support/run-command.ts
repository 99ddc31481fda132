// Runs one of the export commands as its own process, with real signals, until the lead's
// dispatcher (src/main/cli/index.ts) registers them: `tsx run-command.ts <name> [args...]`.
import { processIo } from '../../../src/main/cli/io';

(globalThis as { __GPU_PULSE_VERSION__?: string }).__GPU_PULSE_VERSION__ = '0.0.0-test';

const COMMANDS: Record<string, () => Promise<{ run: (args: string[], io: ReturnType<typeof processIo>) => Promise<number> }>> = {
  exporter: () => import('../../../src/main/cli/commands/exporter'),
  textfile: () => import('../../../src/main/cli/commands/textfile'),
  push: () => import('../../../src/main/cli/commands/push'),
  record: () => import('../../../src/main/cli/commands/record'),
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const load = COMMANDS[name];
  if (!load) throw new Error(`unknown command ${name}`);
  const code = await (await load()).run(args, processIo());
  process.exit(code);
}

main().catch((err: unknown) => {
  process.stderr.write(`run-command: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
