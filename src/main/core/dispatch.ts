// One place where a request from any transport (IPC, HTTP) is validated and handed to the
// service, so both transports accept exactly the same inputs.
import { validateRequest } from '../../shared/api-schemas';
import type { PulseRequests } from '../../shared/api';

export async function dispatchRequest(service: PulseRequests, method: unknown, args: unknown): Promise<unknown> {
  const request = validateRequest(method, args);
  const fn = service[request.method] as (...a: unknown[]) => Promise<unknown>;
  return fn.apply(service, request.args);
}
