import type { Family, ParseOptions } from './types';
import { LineParser } from './line-parser';

// Placeholder until the OpenMetrics grammar lands: reports that the format is not supported yet.
export class OmParser extends LineParser {
  constructor(opts: ParseOptions) {
    super(opts);
  }

  protected parseLine(start: number): void {
    if (this.line === 1) this.report(start, 'invalid-comment', 'OpenMetrics parsing is not implemented yet');
  }

  finish(): Family[] {
    return [];
  }
}
