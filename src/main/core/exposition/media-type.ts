// Content negotiation for the two text formats (prometheus/docs content_negotiation.md).

import type { ExpositionFormat } from './types';

/**
 * The Accept header Prometheus 3 sends for the text formats (scrape.acceptHeader with the
 * default scrape protocols, protobuf left out because this project does not parse it). With
 * UTF-8 names the 1.0.0 types ask for unescaped names (`escaping=allow-utf-8`).
 */
export const PROMETHEUS_TEXT_ACCEPT =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,' +
  'application/openmetrics-text;version=0.0.1;q=0.5,' +
  'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,' +
  'text/plain;version=0.0.4;q=0.3,' +
  '*/*;q=0.2';

/** The same header under legacy name validation, where Prometheus asks for `underscores`. */
export const PROMETHEUS_TEXT_ACCEPT_LEGACY_NAMES = PROMETHEUS_TEXT_ACCEPT.replace(/allow-utf-8/g, 'underscores');

export interface MediaType {
  /** `type/subtype`, lower-cased. */
  essence: string;
  /** Parameter names lower-cased; values unquoted, case kept. */
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * RFC 9110 media type: `type/subtype *( OWS ";" OWS name=(token|quoted-string) )`.
 * Returns null for anything else, which callers treat as a missing header.
 */
export function parseMediaType(header: string): MediaType | null {
  const s = header.trim();
  let i = s.indexOf(';');
  const essence = (i === -1 ? s : s.slice(0, i)).trim().toLowerCase();
  const slash = essence.indexOf('/');
  if (slash <= 0 || !TOKEN.test(essence.slice(0, slash)) || !TOKEN.test(essence.slice(slash + 1))) return null;
  const params: Record<string, string> = Object.create(null);
  while (i !== -1 && i < s.length) {
    i++; // past ';'
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
    if (i >= s.length) break;
    const eq = s.indexOf('=', i);
    if (eq === -1) return null;
    const name = s.slice(i, eq).trim().toLowerCase();
    if (!TOKEN.test(name)) return null;
    let value: string;
    let j = eq + 1;
    if (s[j] === '"') {
      value = '';
      j++;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length) j++;
        value += s[j];
      }
      if (j >= s.length) return null; // unterminated quoted-string
      j++;
      while (j < s.length && (s[j] === ' ' || s[j] === '\t')) j++;
      if (j < s.length && s[j] !== ';') return null;
    } else {
      const semi = s.indexOf(';', j);
      value = (semi === -1 ? s.slice(j) : s.slice(j, semi)).trim();
      if (!TOKEN.test(value)) return null;
      j = semi === -1 ? s.length : semi;
    }
    if (!(name in params)) params[name] = value;
    i = j < s.length ? j : -1;
  }
  return { essence, params };
}

export interface ContentTypeInfo {
  format: ExpositionFormat;
  /** False when the header was missing, unparsable or not a text exposition type. */
  recognized: boolean;
  version: string | null;
  /** Name escaping scheme the exposer applied (`underscores` when absent, per the docs). */
  escaping: string;
  charset: string | null;
}

/** Everything a scraper needs from a response's Content-Type. */
export function describeContentType(contentType: string | null | undefined): ContentTypeInfo {
  const mt = contentType ? parseMediaType(contentType) : null;
  const version = mt?.params.version ?? null;
  const escaping = mt?.params.escaping ?? 'underscores';
  const charset = mt?.params.charset?.toLowerCase() ?? null;
  if (mt?.essence === 'application/openmetrics-text') {
    return { format: 'openmetrics', recognized: true, version, escaping, charset };
  }
  // Prometheus 3 picks the parser by media type only, so text/plain of any version is 0.0.4's
  // parser. A missing header (dcgm-exporter sends none) means 0.0.4 as well.
  return { format: 'prometheus', recognized: mt?.essence === 'text/plain', version, escaping, charset };
}

/** The parser to use for a response: OpenMetrics for application/openmetrics-text, else 0.0.4. */
export function formatFromContentType(contentType: string | null | undefined): ExpositionFormat {
  return describeContentType(contentType).format;
}
