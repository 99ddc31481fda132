// Problems with line and column; a row opens the source at that line.
import type { InspectionProblem } from '../../../shared/api';
import { useFillHeight, VirtualList } from './VirtualList';
import { onActivateKey } from './format';

const ROW = 30;

export function ProblemsList({ problems, onShow }: { problems: InspectionProblem[]; onShow: (p: InspectionProblem) => void }) {
  const height = useFillHeight(230);
  if (problems.length === 0) return <p className="empty" data-testid="no-problems">No problems: the file is valid as the parser reads it.</p>;
  const errors = problems.filter((p) => p.severity === 'error').length;
  return (
    <div className="inspector-problems">
      <p className="hint">
        {errors} error{errors === 1 ? '' : 's'} (Prometheus would reject the scrape) and {problems.length - errors} warning
        {problems.length - errors === 1 ? '' : 's'} (ingested anyway). Enter or click shows the line.
      </p>
      <VirtualList
        count={problems.length}
        rowHeight={ROW}
        height={height}
        role="list"
        label="Problems"
        renderRow={(i, placement) => {
          const p = problems[i];
          return (
            <div
              {...placement}
              role="listitem"
              tabIndex={0}
              className={`inspector-row inspector-problem-row severity-${p.severity}`}
              data-testid="problem"
              data-line={p.line}
              data-column={p.column}
              data-severity={p.severity}
              onClick={() => onShow(p)}
              onKeyDown={onActivateKey(() => onShow(p))}
            >
              <span className="mono num">
                {p.line}:{p.column}
              </span>
              <span className={`inspector-severity ${p.severity}`}>{p.severity}</span>
              <span className="ellipsis" title={p.message}>
                {p.message}
              </span>
              <span className="dim mono">{p.code}</span>
            </div>
          );
        }}
      />
    </div>
  );
}
