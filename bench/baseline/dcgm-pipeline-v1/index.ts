// FROZEN COPY, used only as the baseline of bench/pipeline.ts and of
// test/dcgm/pipeline-equivalence.test.ts. It is src/main/core/dcgm and src/main/core/compute as
// they were before the pipeline was optimised (commit 48975d7), with only the relative imports
// of src/shared and the exposition types adjusted. Keeping a duplicate is a deliberate
// exception to "no duplicate code": the optimised pipeline must give the same GpuSnapshot[] as
// this one, and the bench prints old vs new from the same run. Never import it from src/, and
// never fix or change it: a behaviour change belongs in src/main/core/dcgm with a new baseline.
export { createDcgmPipeline, type DcgmPipeline } from './dcgm';
