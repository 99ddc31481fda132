// Series labelled as Prometheus labels them under Kubernetes: the exporter (in pod-attribution
// mode) puts the workload's pod/namespace/container on each GPU, the target carries the
// exporter pod's own pod/namespace/container, so Prometheus renames the workload's to
// exported_*; `instance` is the exporter pod's IP:port, or the node name where the operator
// relabels it so and the host label is gone. Nodes and pods must still come out right.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDcgmPipeline } from '../../src/main/core/dcgm';
import { startDemoExporter, type DemoExporterHandle } from '../../src/main/core/sources/demo';
import { createPrometheusSource, type PrometheusSource } from '../../src/main/core/sources/prometheus/source';
import type { GpuSnapshot } from '../../src/shared/gpu';
import { waitFor } from '../helpers/servers';
import { ingestBatches, requirePrometheus, startPrometheus, startTap, withoutDemoPods, type PrometheusHandle, type TapHandle } from './support';

/** Node name -> exporter pod IP, as the kubelet would have assigned. */
const NODES = [
  { node: 'gpu-node-a', podIp: '10.244.1.17', exporterPod: 'nvidia-dcgm-exporter-7xk2p' },
  { node: 'gpu-node-b', podIp: '10.244.2.9', exporterPod: 'nvidia-dcgm-exporter-q8m4d' },
  { node: 'gpu-node-c', podIp: '10.244.3.4', exporterPod: 'nvidia-dcgm-exporter-zz91k' },
];

/** Workload pod on each GPU index (6 and 7 idle: the exporter prints no pod labels for them). */
function workloadOf(node: string, gpu: number): { pod: string; namespace: string } | null {
  if (gpu < 4) return { pod: `llama-train-${node.slice(-1)}-0`, namespace: 'ml-research' };
  if (gpu < 6) return { pod: `bert-finetune-${node.slice(-1)}-${gpu}`, namespace: 'nlp' };
  return null;
}

/** What dcgm-exporter's Kubernetes mode adds to each GPU's label set. */
function addPodLabels(node: string) {
  return (body: string) =>
    withoutDemoPods(body).replace(/^([A-Za-z_][A-Za-z0-9_]*\{gpu="(\d+)",[^}]*)\}/gm, (all, head: string, gpu: string) => {
      const w = workloadOf(node, Number(gpu));
      return w ? `${head},container="main",namespace="${w.namespace}",pod="${w.pod}"}` : all;
    });
}

describe('Prometheus source with Kubernetes-style labels', () => {
  const exporters: DemoExporterHandle[] = [];
  const taps: TapHandle[] = [];
  let prometheus: PrometheusHandle;
  let source: PrometheusSource;

  beforeAll(async () => {
    requirePrometheus();
    for (const [i, n] of NODES.entries()) {
      const exporter = await startDemoExporter({ port: 0, gpus: 8, hostname: n.node, seed: 10 + i });
      exporters.push(exporter);
      taps.push(await startTap(exporter.url, addPodLabels(n.node)));
    }
    // The target labels a ServiceMonitor gives an endpoint of the dcgm-exporter service.
    const targetGroup = (i: number) => ({
      targets: [taps[i].hostPort],
      labels: {
        namespace: 'gpu-operator',
        pod: NODES[i].exporterPod,
        container: 'nvidia-dcgm-exporter',
        service: 'nvidia-dcgm-exporter',
        endpoint: 'gpu-metrics',
        __pod_ip: NODES[i].podIp,
        __node_name: NODES[i].node,
      },
    });
    prometheus = await startPrometheus({
      config: {
        global: { scrape_interval: '1s', scrape_timeout: '1s' },
        scrape_configs: [
          {
            job_name: 'gpu-operator/nvidia-dcgm-exporter',
            static_configs: [targetGroup(0), targetGroup(1)],
            relabel_configs: [{ source_labels: ['__pod_ip'], target_label: 'instance', replacement: '$1:9400' }],
          },
          {
            // An exporter whose host label is the container's name (no NODE_NAME): the operator
            // drops it and names the instance after the node instead.
            job_name: 'gpu-operator/nvidia-dcgm-exporter-hostless',
            static_configs: [targetGroup(2)],
            relabel_configs: [{ source_labels: ['__node_name'], target_label: 'instance' }],
            metric_relabel_configs: [{ action: 'labeldrop', regex: 'Hostname' }],
          },
        ],
      },
    });
    source = createPrometheusSource({ baseUrl: prometheus.url, selector: '{namespace="gpu-operator"}' });
  });

  afterAll(async () => {
    await source?.close();
    await prometheus?.close();
    await Promise.all(taps.map((t) => t.close()));
    await Promise.all(exporters.map((e) => e.close()));
  });

  it('gives the right nodes and the workload pods, not the exporter pods', async () => {
    const pipeline = createDcgmPipeline();
    const { gpus, batches } = await waitFor(
      '24 GPUs',
      async () => {
        const poll = await source.poll();
        if (!poll.ok) throw new Error(`${poll.state}: ${poll.message}`);
        const gpus = ingestBatches(pipeline, poll.batches);
        return gpus.length === 24 ? { gpus, batches: poll.batches } : undefined;
      },
      30_000,
      500,
    );

    // What the source handed over is what Prometheus stored: renamed labels, k8s instance.
    expect(batches.map((b) => b.instance).sort()).toEqual(['10.244.1.17:9400', '10.244.2.9:9400', 'gpu-node-c']);
    const a = batches.find((b) => b.instance === '10.244.1.17:9400')!;
    expect(a.fallbackNode).toBe('10.244.1.17');
    const sample = a.families.find((f) => f.name === 'DCGM_FI_PROF_SM_ACTIVE')!.samples.find((s) => s.labels.gpu === '0')!;
    expect(sample.labels).toMatchObject({
      pod: NODES[0].exporterPod,
      namespace: 'gpu-operator',
      container: 'nvidia-dcgm-exporter',
      exported_pod: 'llama-train-a-0',
      exported_namespace: 'ml-research',
      exported_container: 'main',
      instance: '10.244.1.17:9400',
      job: 'gpu-operator/nvidia-dcgm-exporter',
      Hostname: 'gpu-node-a',
    });

    const byNode = new Map<string, GpuSnapshot[]>();
    for (const g of gpus) byNode.set(g.node, [...(byNode.get(g.node) ?? []), g].sort((x, y) => x.gpuIndex! - y.gpuIndex!));
    // a and b by their host label; c, whose host label was dropped, by its instance.
    expect([...byNode.keys()].sort()).toEqual(['gpu-node-a', 'gpu-node-b', 'gpu-node-c']);
    for (const { node } of NODES) {
      const list = byNode.get(node)!;
      expect(list).toHaveLength(8);
      for (const g of list) {
        const w = workloadOf(node, g.gpuIndex!);
        expect(g.attribution.pods, `${node} GPU ${g.gpuIndex}`).toEqual(w ? [w.pod] : []);
        expect(g.attribution.namespaces, `${node} GPU ${g.gpuIndex}`).toEqual(w ? [w.namespace] : []);
      }
    }
    // The exporter's own pod is never taken for a workload.
    const allPods = gpus.flatMap((g) => g.attribution.pods);
    for (const n of NODES) expect(allPods).not.toContain(n.exporterPod);
  }, 40_000);
});
