/**
 * A table as CSV for a spreadsheet. Captured values come from web pages: a cell a spreadsheet would
 * read as a formula (=, +, -, @, tab, carriage return first) is written with a leading apostrophe,
 * and a cell holding a field separator of any locale (comma, semicolon, tab) is quoted whole, so a
 * page's or a teammate's text never becomes code on the desktop that opens the file.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

function cell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  // Quoted also when it holds a semicolon or a tab: a spreadsheet whose locale separates fields by
  // one of those would otherwise split the cell there, and a piece such as "=1+2" would run.
  return /[",;\t\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Offers `text` as a file download named `name`. */
export function download(name: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
