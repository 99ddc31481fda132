// The top of the focus view: who the GPU is, how fresh the sample is, the score, class and
// health with every reason, and who is using it.
import type { GpuSnapshot } from '../../../../shared/gpu';
import { age, percentValue, usageClass } from '../../components/format';
import { fieldLabel, type ViewField } from '../field-format';
import { gpuLabel, routeHref } from '../../navigation';
import { CANONICAL_FIELDS } from '../../../../shared/canonical';
import { LabelText } from '../../components/LabelText';

function missingNames(missing: string[]): string {
  return missing.map((f) => (f in CANONICAL_FIELDS || f === 'realUtil' ? fieldLabel(f as ViewField) : f)).join(', ');
}

export function FocusHeader({ gpu, now, parentPresent }: { gpu: GpuSnapshot; now: number; parentPresent: boolean }) {
  return (
    <header className="focus-header">
      <nav className="focus-crumbs" aria-label="Breadcrumb">
        <a href={routeHref({ view: 'fleet' })}>Fleet</a>
        <span aria-hidden="true"> / </span>
        <a href={routeHref({ view: 'node', node: gpu.node })}><LabelText text={gpu.node} /></a>
        {gpu.parentKey && parentPresent ? (
          <>
            <span aria-hidden="true"> / </span>
            <a href={routeHref({ view: 'gpu', key: gpu.parentKey })}>physical GPU</a>
          </>
        ) : null}
        <span aria-hidden="true"> · </span>
        <a href={routeHref({ view: 'plot', field: 'realUtil', keys: [gpu.key] })}>Plot</a>
      </nav>
      <h2 className="focus-title">{gpuLabel(gpu)}</h2>
      <dl className="focus-identity">
        <dt>Model</dt>
        <dd>{gpu.model ?? 'unknown model'}</dd>
        <dt>UUID</dt>
        <dd className="focus-mono">{gpu.uuid}</dd>
        <dt>Node</dt>
        <dd><LabelText text={gpu.node} /></dd>
        {gpu.migInstance ? (
          <>
            <dt>MIG</dt>
            <dd>
              GI {gpu.migInstance.id}
              {gpu.migInstance.profile ? ` · ${gpu.migInstance.profile}` : ' · profile not reported'}
            </dd>
          </>
        ) : null}
        <dt>Sample</dt>
        <dd data-testid="sample-age" title={new Date(gpu.observedAt).toISOString()}>
          {age(Math.max(0, now - gpu.observedAt))}
        </dd>
      </dl>
    </header>
  );
}

export function FocusStatus({ gpu }: { gpu: GpuSnapshot }) {
  const lowerBound = gpu.realUtil !== null && gpu.realUtilMissing.length > 0;
  return (
    <section className="focus-status" aria-label="Utilization, class and health">
      <div className="focus-score">
        <span className={`real-util ${usageClass(gpu.realUtil)}`} data-testid="focus-real-util">
          {lowerBound ? '≥' : ''}
          {percentValue(gpu.realUtil)}
        </span>
        <span className="focus-score-label">real utilization</span>
        {gpu.realUtil === null ? (
          <p className="focus-note" data-testid="real-util-missing">
            Unknown: the exporter reports none of its inputs ({missingNames(gpu.realUtilMissing)}).
          </p>
        ) : lowerBound ? (
          <p className="focus-note" data-testid="real-util-missing">
            Lower bound: missing {missingNames(gpu.realUtilMissing)}.
          </p>
        ) : null}
      </div>
      <span className={`class-chip bottleneck-${gpu.class.bottleneck}`} data-testid="focus-class" title={`bottleneck: ${gpu.class.bottleneck}`}>
        {gpu.class.label}
      </span>
      <div className="focus-health">
        <span className={`health-chip health-${gpu.health.state}`} data-testid="focus-health">
          {gpu.health.state}
        </span>
        {gpu.health.reasons.length > 0 ? (
          <ul className="focus-reasons" aria-label="Health reasons">
            {gpu.health.reasons.map((reason) => (
              <li key={reason.code + reason.message} data-testid="health-reason">
                <span className={`health-chip health-${reason.state}`}>{reason.state}</span> {reason.message}
              </li>
            ))}
          </ul>
        ) : (
          <span className="focus-note">no health findings</span>
        )}
      </div>
    </section>
  );
}

function NameList({ title, names }: { title: string; names: string[] }) {
  return (
    <div className="focus-attribution-list">
      <h4>{title}</h4>
      {names.length > 0 ? (
        <ul>
          {names.map((name) => (
            <li key={name}>{name}</li>
          ))}
        </ul>
      ) : (
        <span className="focus-note">none</span>
      )}
    </div>
  );
}

export function AttributionPanel({ gpu }: { gpu: GpuSnapshot }) {
  const { pods, namespaces, jobs } = gpu.attribution;
  return (
    <section className="focus-attribution" data-testid="attribution" aria-label="Attribution">
      <h3>Attribution</h3>
      {pods.length + namespaces.length + jobs.length === 0 ? (
        <p className="focus-note">No pod or job labels on this GPU's series (idle, or the exporter runs without Kubernetes or HPC job mapping).</p>
      ) : (
        <div className="focus-attribution-grid">
          <NameList title="Pods" names={pods} />
          <NameList title="Namespaces" names={namespaces} />
          <NameList title="Jobs" names={jobs} />
        </div>
      )}
    </section>
  );
}
