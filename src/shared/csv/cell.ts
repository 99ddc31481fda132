// One CSV text cell (RFC 4180), safe to open in a spreadsheet. A cell that starts with = + - @,
// a tab or a carriage return is a formula to Excel, LibreOffice and Google Sheets; owner names
// come from pod and namespace labels anyone who can start a pod chooses, so such a cell gets a
// leading `'` (OWASP's CSV injection advice) and is then quoted as usual.
// (Issue 17 adds a shared CSV helper too; when it lands, one of the two should go.)

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell: neutralised against formula injection, quoted when it holds , " CR or LF. */
export function csvTextCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A number cell in its shortest round-trip form; empty for a missing value (never 0). */
export function csvNumberCell(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '' : String(value);
}
