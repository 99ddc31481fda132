// Placeholder until the inspector lands (issue 6): the contract the service delegates to.
import type { InspectionComparison, InspectionInfo, InspectionSeriesPage, InspectionSeriesRequest, InspectionSource, InspectionSourceRequest } from '../../../shared/api';

export interface InspectorOptions {
  /** Called whenever an inspection's progress or status changes. */
  onChange(info: InspectionInfo): void;
}

const notYet = (): never => {
  throw new Error('the file inspector is not available in this build');
};

export class Inspector {
  constructor(readonly opts: InspectorOptions) {}
  async inspectPath(_path: string): Promise<InspectionInfo> {
    return notYet();
  }
  async inspectStream(_name: string, _body: AsyncIterable<Uint8Array>, _sizeBytes: number | null): Promise<InspectionInfo> {
    return notYet();
  }
  list(): InspectionInfo[] {
    return [];
  }
  get(_id: string): InspectionInfo {
    return notYet();
  }
  series(_id: string, _req: InspectionSeriesRequest): InspectionSeriesPage {
    return notYet();
  }
  async source(_id: string, _req: InspectionSourceRequest): Promise<InspectionSource> {
    return notYet();
  }
  compare(_a: string, _b: string): InspectionComparison {
    return notYet();
  }
  close(_id: string): void {}
  async dispose(): Promise<void> {}
}
