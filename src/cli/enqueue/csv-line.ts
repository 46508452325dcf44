/**
 * One CSV record per physical line (RFC 4180 quoting: "a,b" and "say ""hi"""). A quoted field may not
 * span lines: device lists never need it, and it keeps one bad quote from swallowing the rest of a file —
 * the line is rejected on its own and its neighbours go through.
 */
export type CsvLineResult = { readonly fields: string[] } | { readonly error: string };

export function parseCsvLine(line: string): CsvLineResult {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    const n = fields.length + 1;
    if (line[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return { error: `field ${n}: quoted field is not closed (a field may not span lines)` };
        value += line.slice(j, q);
        if (line[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === line.length) return { fields };
      if (line[i] !== ',') return { error: `field ${n}: unexpected text after the closing quote` };
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const value = comma < 0 ? line.slice(i) : line.slice(i, comma);
      if (value.includes('"')) return { error: `field ${n}: a quote inside an unquoted field (quote the whole field and double the quote)` };
      fields.push(value);
      if (comma < 0) return { fields };
      i = comma + 1;
    }
  }
}
