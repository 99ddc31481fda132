// One CSV cell, as every CSV GPU Pulse writes it (plot/history export, `snapshot --format csv`).
//
// RFC 4180 quoting, plus OWASP's defence against CSV (formula) injection: a spreadsheet runs a
// cell that begins with = + - @ (or a tab or carriage return before one) as a formula, and label
// values come from the exporters, so anyone who controls an exporter's labels would control the
// formula. Such a text cell is written with a leading single quote, which spreadsheets show as
// text. Cells that are plain numbers ("-12.5", "1e-3") are numbers, not formulas: they are
// written as they are, so a negative reading still sums (OWASP allows exempting them). A value
// that already begins with quotes before such a character gets one more, so `restoreCsvText`
// gives back exactly what was written.

const FORMULA_START = /^'*[=+\-@\t\r]/;
const NEUTRALISED = /^'+[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The text a spreadsheet will treat as text (see the header). */
export function neutraliseCsvText(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** Undoes neutraliseCsvText for a cell read back. */
export function restoreCsvText(cell: string): string {
  return NEUTRALISED.test(cell) ? cell.slice(1) : cell;
}

/** A complete cell: neutralised, then quoted when it holds a comma, quote or line break. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = neutraliseCsvText(String(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
