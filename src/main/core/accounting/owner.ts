// Who holds a GPU at a sample, for each `--by` (the definitions): the workload labels
// come from translate's attribution (so `exported_namespace`/`exported_pod` behind a Prometheus
// server are already the same labels); node and model from the GPU's identity. A GPU shared by
// several owners at once (time-slicing, several hpc jobs) is one GPU held by all of them
// together: the owner is their names joined with " + ", never two rows each counting it.
import type { ReportGroupBy } from '../../../shared/waste';
import type { AccountedGpu, AccountingSample } from './types';

export const OWNER_SEPARATOR = ' + ';

/** The owner of `gpu` at `sample`, or null when the sample has no owner label (unallocated). */
export function ownerOf(by: ReportGroupBy, gpu: AccountedGpu, sample: AccountingSample): string | null {
  const { namespaces, pods, jobs } = sample.attribution;
  switch (by) {
    case 'namespace':
      return joined(namespaces);
    case 'pod':
      if (pods.length === 0) return null;
      // Translate keeps pods and namespaces as separate sets; with one namespace the pairing is sure.
      return joined(namespaces.length === 1 ? pods.map((pod) => `${namespaces[0]}/${pod}`) : pods);
    case 'job':
      return joined(jobs);
    case 'node':
      return gpu.node;
    case 'model':
      return gpu.model;
  }
}

function joined(names: readonly string[]): string | null {
  return names.length === 0 ? null : names.join(OWNER_SEPARATOR);
}
