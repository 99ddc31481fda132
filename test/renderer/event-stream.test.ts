// The fetch-based event stream's parser: the same events however the text is cut into chunks
// (a 400 KB tick arrives in many), with LF or CRLF line ends, comments, multi-line data and the
// default `message` type.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser } from '../../src/renderer/src/api/event-stream';

const parse = (chunks: string[]) => {
  const events: Array<[string, string]> = [];
  const parser = new SseParser((type, data) => events.push([type, data]));
  for (const chunk of chunks) parser.push(chunk);
  return events;
};

describe('SseParser', () => {
  it('reads events, comments, multi-line data, CRLF and the default type', () => {
    const text = ': keep-alive\n\nevent: hello\ndata: {"stream":"s"}\n\nevent: tick\r\ndata:a\r\ndata: b\r\n\r\ndata: plain\n\nevent: empty\n\n';
    expect(parse([text])).toEqual([
      ['hello', '{"stream":"s"}'],
      ['tick', 'a\nb'],
      ['message', 'plain'],
    ]);
  });

  it('gives the same events however the text is cut into chunks', () => {
    const event = fc.record({
      type: fc.constantFrom('tick', 'hello', ''),
      lines: fc.array(fc.string({ unit: fc.constantFrom('a', '{', '"', ':', ' ', 'é', '\u2028') }), { minLength: 1, maxLength: 3 }),
      crlf: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 8 }), (events, cuts) => {
        const text = events
          .map(({ type, lines, crlf }) => {
            const eol = crlf ? '\r\n' : '\n';
            return (type ? `event: ${type}${eol}` : '') + lines.map((l) => `data: ${l}${eol}`).join('') + eol;
          })
          .join('');
        const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((from, i, all) => text.slice(from, all[i + 1] ?? text.length));
        expect(parse(chunks)).toEqual(events.map(({ type, lines }) => [type || 'message', lines.join('\n')]));
      }),
      { numRuns: 300 },
    );
  });
});
