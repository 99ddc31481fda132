// Prometheus text 0.0.4 / OpenMetrics 1.0 parser: the public surface of the exposition layer.
export type * from './types';
export { parseExposition } from './parse';
export { parseExpositionFile, parseExpositionStream } from './file';
export { detectFormat } from './detect';
export {
  PROMETHEUS_TEXT_ACCEPT,
  PROMETHEUS_TEXT_ACCEPT_LEGACY_NAMES,
  describeContentType,
  formatFromContentType,
  parseMediaType,
} from './media-type';
export type { ContentTypeInfo, MediaType } from './media-type';
export type { ProblemCode } from './problems';
export { formatProblem, jsonValue, resultJsonPieces } from './report';
