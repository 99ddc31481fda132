// Requests, bytes and CPU per refresh of the Prometheus-server source for 10, 100 and 1,000
// simulated 8-GPU nodes behind one real Prometheus (the Debian `prometheus` binary). The demo
// exporters run in a separate child process (this script with --fleet), so their rendering
// does not count against the source's CPU. Prometheus scrapes them every 15 s (a common dcgm
// interval): at 5 s, one process serving 1,000 exporters on a busy 2-core machine fell behind,
// and once scrapes time out they pile up and every target goes down.
//
//   npm run bench:prometheus-source      (tsx bench/prometheus-source.ts)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createDcgmPipeline } from '../src/main/core/dcgm';
import { startDemoFleet } from '../src/main/core/sources/demo';
import { createPrometheusSource, type PrometheusPollResult } from '../src/main/core/sources/prometheus/source';
import { ingestBatches, startPrometheus, type PrometheusHandle } from '../test/prometheus/support';

const SIZES = [10, 100, 1000];
const GPUS_PER_NODE = 8;
const SCRAPE_INTERVAL = '15s';
const REFRESHES = 3;

async function fleetMain(instances: number): Promise<void> {
  const fleet = await startDemoFleet({ instances, basePort: 0, gpus: GPUS_PER_NODE, hostnamePrefix: 'bench-node-' });
  process.stdout.write(`${JSON.stringify({ hosts: fleet.exporters.map((e) => new URL(e.url).host) })}\n`);
  // Lives as long as the parent: its end of stdin closes when it exits.
  process.stdin.resume();
  process.stdin.on('end', () => void fleet.close().then(() => process.exit(0)));
}

interface Fleet {
  hosts: string[];
  stop(): void;
}

function startFleetProcess(instances: number): Promise<Fleet> {
  const child = spawn(process.execPath, [...process.execArgv, __filename, '--fleet', String(instances)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`demo fleet process exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const { hosts } = JSON.parse(line) as { hosts: string[] };
      resolve({ hosts, stop: () => child.stdin!.end() });
    });
  });
}

function configFor(hosts: string[]) {
  return {
    global: { scrape_interval: SCRAPE_INTERVAL, scrape_timeout: SCRAPE_INTERVAL },
    scrape_configs: [{ job_name: 'dcgm', static_configs: [{ targets: hosts }] }],
  };
}

async function upTargets(prometheus: PrometheusHandle): Promise<number> {
  const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('count(up{job="dcgm"} == 1)')}`);
  const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
  return Number(body.data?.result?.[0]?.value[1] ?? 0);
}

/** CPU time (ms) Prometheus has used so far, from /proc (utime + stime in clock ticks). */
function serverCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

interface Row {
  nodes: number;
  up: number;
  gpus: number;
  samples: number;
  requests: number;
  firstRequests: number;
  bytes: number;
  wallMs: number;
  sourceCpuMs: number;
  ingestCpuMs: number;
  serverCpuMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(prometheus: PrometheusHandle, nodes: number): Promise<Row> {
  // Wait until Prometheus scrapes every node, then one more interval so each has samples.
  const deadline = Date.now() + 120_000;
  let up = 0;
  while (Date.now() < deadline) {
    up = await upTargets(prometheus);
    if (up >= nodes) break;
    await sleep(1_000);
  }
  if (up < nodes) process.stderr.write(`  only ${up} of ${nodes} targets up after 120 s; measuring what is there\n`);
  await sleep(16_000);

  const source = createPrometheusSource({ baseUrl: prometheus.url, timeoutMs: 60_000 });
  const pipeline = createDcgmPipeline();
  const warm = await source.poll(); // discovery and JIT warm-up
  if (!warm.ok) throw new Error(warm.message);
  const firstRequests = warm.stats.requests;
  ingestBatches(pipeline, warm.batches);
  const runs: Array<Omit<Row, 'nodes' | 'up' | 'firstRequests'>> = [];
  for (let i = 0; i < REFRESHES; i++) {
    await sleep(1_000);
    const server0 = serverCpuMs(prometheus.pid);
    const cpu0 = process.cpuUsage();
    const poll: PrometheusPollResult = await source.poll();
    const sourceCpu = cpuMs(process.cpuUsage(cpu0));
    const server = serverCpuMs(prometheus.pid) - server0;
    if (!poll.ok) throw new Error(`${poll.state}: ${poll.message}`);
    const cpu1 = process.cpuUsage();
    const gpus = ingestBatches(pipeline, poll.batches).length;
    const ingestCpu = cpuMs(process.cpuUsage(cpu1));
    runs.push({
      gpus,
      samples: poll.stats.samples,
      requests: poll.stats.requests,
      bytes: poll.stats.bytes,
      wallMs: poll.stats.durationMs,
      sourceCpuMs: sourceCpu,
      ingestCpuMs: ingestCpu,
      serverCpuMs: server,
    });
  }
  await source.close();
  const pick = (k: keyof (typeof runs)[number]) => median(runs.map((r) => r[k]));
  return {
    nodes,
    up: await upTargets(prometheus),
    firstRequests,
    gpus: pick('gpus'),
    samples: pick('samples'),
    requests: pick('requests'),
    bytes: pick('bytes'),
    wallMs: pick('wallMs'),
    sourceCpuMs: pick('sourceCpuMs'),
    ingestCpuMs: pick('ingestCpuMs'),
    serverCpuMs: pick('serverCpuMs'),
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const fleet = await startFleetProcess(Math.max(...SIZES));
  let prometheus: PrometheusHandle | null = null;
  const rows: Row[] = [];
  try {
    prometheus = await startPrometheus({ config: configFor(fleet.hosts.slice(0, SIZES[0])) });
    for (const nodes of SIZES) {
      // Growing the target list by reloading: earlier nodes keep being scraped.
      if (nodes !== SIZES[0]) await prometheus.reload(configFor(fleet.hosts.slice(0, nodes)));
      process.stderr.write(`measuring ${nodes} nodes...\n`);
      rows.push(await measure(prometheus, nodes));
    }
  } finally {
    await prometheus?.close();
    fleet.stop();
  }

  const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const header = ['nodes', 'up', 'GPUs', 'samples', 'requests', 'first poll', 'JSON bytes', 'wall ms', 'source CPU ms', 'ingest CPU ms', 'server CPU ms'];
  const lines = rows.map((r) => [
    fmt(r.nodes),
    fmt(r.up),
    fmt(r.gpus),
    fmt(r.samples),
    fmt(r.requests),
    fmt(r.firstRequests),
    fmt(r.bytes),
    fmt(r.wallMs),
    fmt(r.sourceCpuMs),
    fmt(r.ingestCpuMs),
    fmt(r.serverCpuMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`Prometheus source, per refresh (median of ${REFRESHES}); Prometheus scrapes 8-GPU demo exporters every ${SCRAPE_INTERVAL}`);
  console.log(row(header));
  for (const l of lines) console.log(row(l));
  console.log(
    [
      '',
      'up: targets Prometheus scraped successfully at the end; GPUs: what the dcgm pipeline made of a refresh.',
      'requests: HTTP requests of a refresh with the metric names cached (first poll: with discovery);',
      'direct scraping of the same fleet takes one request per node (10, 100, 1,000).',
      'JSON bytes: API responses after decompression (the client asks for gzip).',
      'source CPU: this process during poll() (HTTP, JSON parse, conversion to families);',
      'ingest CPU: the dcgm pipeline over the batches; server CPU: Prometheus during the poll,',
      'including its own scraping in that time.',
      `total run ${fmt((Date.now() - started) / 1000)} s`,
    ].join('\n'),
  );
}

const fleetArg = process.argv.indexOf('--fleet');
if (fleetArg !== -1) {
  void fleetMain(Number(process.argv[fleetArg + 1]));
} else {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
