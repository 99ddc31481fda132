// One place where a request from any transport (IPC, HTTP) is validated and handed to the
// service, so both transports accept exactly the same inputs.
import { validateRequest } from '../../shared/api-schemas';
import type { PulseRequests } from '../../shared/api';

/** `beforeCall` sees the validated request first and may refuse it by throwing (serve: file paths). */
export async function dispatchRequest(service: PulseRequests, method: unknown, args: unknown, beforeCall?: (method: string, args: unknown[]) => Promise<void>): Promise<unknown> {
  const request = validateRequest(method, args);
  await beforeCall?.(request.method, request.args);
  const fn = service[request.method] as (...a: unknown[]) => Promise<unknown>;
  return fn.apply(service, request.args);
}
