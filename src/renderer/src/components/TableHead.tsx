// The header row of a data table, from its column list: the views' tables differ in their
// columns, not in how a header is written.
export interface Column {
  label: string;
  /** `num` right-aligns a numeric column (styles.css). */
  className?: string;
}

export function TableHead({ columns }: { columns: readonly (string | Column)[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => {
          const col = typeof c === 'string' ? { label: c } : c;
          return (
            <th key={i} className={col.className}>
              {col.label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
