// A <select> inside its visible label, the toolbar control every view uses (fleet filters, waste
// grouping, history window, compare pickers). Options carry typed values: the change handler
// gets the option's own value back (a number stays a number), not the string the DOM keeps.
import type { SelectHTMLAttributes } from 'react';

export interface SelectOption<T extends string | number> {
  value: T;
  label: string;
}

type NativeSelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange' | 'children'>;

export function LabeledSelect<T extends string | number>({
  label,
  labelClassName,
  value,
  options,
  onChange,
  ...select
}: {
  label: string;
  labelClassName?: string;
  value: T;
  options: readonly SelectOption<T>[];
  onChange: (value: T) => void;
} & NativeSelectProps) {
  return (
    <label className={labelClassName}>
      {label}{' '}
      <select
        {...select}
        value={String(value)}
        onChange={(e) => {
          const picked = options.find((o) => String(o.value) === e.target.value);
          if (picked) onChange(picked.value);
        }}
      >
        {options.map((o) => (
          <option key={String(o.value)} value={String(o.value)}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
