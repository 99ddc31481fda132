import { describe, expect, it } from 'vitest';
import {
  PROMETHEUS_TEXT_ACCEPT,
  describeContentType,
  detectFormat,
  formatFromContentType,
  parseMediaType,
} from '../../src/main/core/exposition/index';

describe('formatFromContentType', () => {
  it('treats a missing header as 0.0.4, as dcgm-exporter sends none', () => {
    expect(formatFromContentType(undefined)).toBe('prometheus');
    expect(formatFromContentType(null)).toBe('prometheus');
    expect(formatFromContentType('')).toBe('prometheus');
  });

  it('picks OpenMetrics by media type, whatever the parameters and case', () => {
    expect(formatFromContentType('application/openmetrics-text; version=1.0.0; charset=utf-8')).toBe('openmetrics');
    expect(formatFromContentType('Application/OpenMetrics-Text;version=0.0.1')).toBe('openmetrics');
    expect(formatFromContentType('text/plain; version=0.0.4; charset=utf-8; escaping=underscores')).toBe('prometheus');
  });

  it('reads version, charset and escaping, including quoted values', () => {
    const info = describeContentType('text/plain; Version="1.0.0"; charset=UTF-8 ;escaping=allow-utf-8');
    expect(info).toEqual({ format: 'prometheus', recognized: true, version: '1.0.0', escaping: 'allow-utf-8', charset: 'utf-8' });
    expect(describeContentType('text/plain').escaping).toBe('underscores');
  });

  it('rejects malformed media types instead of guessing from fragments', () => {
    expect(parseMediaType('openmetrics')).toBeNull();
    expect(parseMediaType('text/plain; version')).toBeNull();
    expect(parseMediaType('text/plain; a="unterminated')).toBeNull();
    expect(describeContentType('application/json').recognized).toBe(false);
  });
});

describe('PROMETHEUS_TEXT_ACCEPT', () => {
  it('lists the four text protocols in Prometheus 3 order with descending weights', () => {
    const parts = PROMETHEUS_TEXT_ACCEPT.split(',').map((p) => parseMediaType(p)!);
    expect(parts.map((p) => `${p.essence};${p.params.version ?? ''}`)).toEqual([
      'application/openmetrics-text;1.0.0',
      'application/openmetrics-text;0.0.1',
      'text/plain;1.0.0',
      'text/plain;0.0.4',
      '*/*;',
    ]);
    const q = parts.map((p) => Number(p.params.q));
    expect([...q].sort((a, b) => b - a)).toEqual(q);
    expect(parts[0].params.escaping).toBe('allow-utf-8');
  });
});

describe('detectFormat', () => {
  it('says OpenMetrics only when the last non-empty line is # EOF', () => {
    expect(detectFormat('a 1\n# EOF\n')).toBe('openmetrics');
    expect(detectFormat('a 1\n# EOF')).toBe('openmetrics');
    expect(detectFormat('# EOF\n')).toBe('openmetrics');
    expect(detectFormat('a 1\n')).toBe('prometheus');
    expect(detectFormat('a 1\nfoo# EOF\n')).toBe('prometheus');
    expect(detectFormat('')).toBe('prometheus');
  });
});
