// Serve mode: every file path a request carries goes through the file access policy before the
// service sees it, and is replaced by its resolved real path (so what was checked is what opens).
import type { AddTargetRequest } from '../../shared/api';
import type { FileAccessPolicy } from '../core/file-access';

export function checkRequestPaths(policy: FileAccessPolicy): (method: string, args: unknown[]) => Promise<void> {
  const checkTls = async (req: AddTargetRequest | undefined) => {
    const tls = req?.tls;
    if (!tls) return;
    for (const key of ['caFile', 'certFile', 'keyFile'] as const) {
      const path = tls[key];
      if (path !== undefined) tls[key] = await policy.check(path);
    }
  };
  return async (method, args) => {
    switch (method) {
      case 'inspectPath':
      case 'openReplay':
        args[0] = await policy.check(args[0] as string);
        break;
      case 'addTarget':
      case 'testTarget':
        await checkTls(args[0] as AddTargetRequest);
        break;
      case 'updateTarget':
        await checkTls(args[1] as AddTargetRequest);
        break;
    }
  };
}
