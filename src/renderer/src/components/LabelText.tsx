// Text that came from an exporter (node names, models, pods, URLs, errors) as the UI shows it.
// React already escapes markup; this covers what escaping does not: bidirectional controls
// (a right-to-left override makes `gnp<U+202E>exe.png` read as `exe.png…`) and other invisible
// format characters are shown as `\u202E`, and a very long label is cut with an ellipsis, its
// whole text in the tooltip, so one label can never widen the page.

const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** `text` with bidirectional and other invisible control characters written as \uXXXX. */
export function escapeControls(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** Tooltips past this length would be unusable; the tooltip still shows far more than the cell. */
const TOOLTIP_MAX = 100_000;

export function LabelText({ text, className }: { text: string; className?: string }) {
  const shown = escapeControls(text);
  return (
    <span className={className ? `label-text ${className}` : 'label-text'} title={shown.slice(0, TOOLTIP_MAX)}>
      {shown}
    </span>
  );
}
