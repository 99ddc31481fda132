// `gpu-pulse`: one binary, one subcommand per job. Commands load lazily so `--help` and the
// small commands start fast.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { processIo, type CliIo } from './io';

type Command = {
  summary: string;
  load: () => Promise<{ run: (args: string[], io: CliIo) => Promise<number> }>;
};

const COMMANDS: Record<string, Command> = {
  serve: { summary: 'serve the UI and the API over HTTP (for machines without a display)', load: () => import('./commands/serve') },
  'demo-exporter': { summary: 'run simulated dcgm-exporter(s) on 127.0.0.1', load: () => import('./commands/demo-exporter') },
  snapshot: { summary: 'read sources once and print GPUs with real utilization, class and health', load: () => import('./commands/snapshot') },
  lint: { summary: 'check exposition files (Prometheus text 0.0.4 / OpenMetrics 1.0)', load: () => import('./commands/lint') },
  parse: { summary: 'parse an exposition file and print it as JSON', load: () => import('./commands/parse') },
  exporter: { summary: 'serve computed GPU metrics (real utilization, class, health) for Prometheus', load: () => import('./commands/exporter') },
  textfile: { summary: "write computed GPU metrics for node_exporter's textfile collector", load: () => import('./commands/textfile') },
  push: { summary: 'push computed GPU metrics to a Prometheus Pushgateway', load: () => import('./commands/push') },
  record: { summary: 'record exporters to an OpenMetrics file that Prometheus can import (and GPU Pulse replay)', load: () => import('./commands/record') },
  report: { summary: 'add up who held GPUs, how much they used them and what the idle ones cost', load: () => import('./commands/report') },
  open: { summary: 'inspect exposition files: format, GPUs, families, problems (also: gpu-pulse FILE)', load: () => import('./commands/open') },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: gpu-pulse <command> [options]\n       gpu-pulse FILE...          (inspect exposition files)',
    '',
    'GPU Pulse reads NVIDIA dcgm-exporter metrics and shows what every GPU is really doing.',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'gpu-pulse <command> --help' for a command's options.",
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${__GPU_PULSE_VERSION__}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  // `gpu-pulse FILE...` inspects files, like double-clicking them.
  if (!command && existsSync(resolve(io.cwd, name))) return (await COMMANDS.open!.load()).run(argv, io);
  if (!command) {
    io.stderr(`gpu-pulse: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const mod = await command.load();
  return mod.run(rest, io);
}

declare const __GPU_PULSE_VERSION__: string;
