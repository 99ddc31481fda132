// Serve mode: every file path a request carries goes through the file access policy before the
// service sees it, and is replaced by its resolved real path (so what was checked is what opens).
import type { AddSourceRequest, AddTargetRequest } from '../../shared/api';
import type { FileAccessPolicy } from '../core/file-access';

export function checkRequestPaths(policy: FileAccessPolicy): (method: string, args: unknown[]) => Promise<void> {
  const checkTls = async (req: Pick<AddTargetRequest, 'tls'> | undefined) => {
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
      case 'addSource': {
        // A targets file is read again and again, and its bad lines are quoted in errors.
        const req = args[0] as AddSourceRequest;
        if (req.kind === 'targets-file') req.path = await policy.check(req.path);
        else await checkTls(req);
        break;
      }
    }
  };
}
