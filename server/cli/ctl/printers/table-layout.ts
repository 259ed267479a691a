/**
 * etcdctl's `-w table` layout (olekukonko/tablewriter with its defaults and right-aligned cells):
 * headers centred, every cell right-aligned, a cell wider than 30 columns wrapped at spaces into
 * lines of at most 30 (or its longest word) with the fewest ragged ends, and `+---+` rules above,
 * below the headers and at the bottom.
 */

/** tablewriter's MAX_ROW_WIDTH: cells wrap beyond this many columns. */
const CELL_WIDTH_MAX = 30;
/** tablewriter's penalty for a line over the limit when choosing where to wrap. */
const OVERFLOW_PENALTY = 1e5;

/** Columns a string takes (code points; Synod's tables hold no wide characters worth measuring). */
function width(text: string): number {
  return [...text].length;
}

/**
 * Splits words into lines of at most `limit` columns, minimising the sum of squared gaps at the ends
 * of all lines but the last (tablewriter's WrapWords).
 */
function wrapWords(words: readonly string[], limit: number): string[][] {
  const count = words.length;
  const lineWidth = (from: number, to: number): number =>
    words.slice(from, to + 1).reduce((sum, word) => sum + width(word), 0) + (to - from);
  const cost = new Array<number>(count).fill(Number.MAX_SAFE_INTEGER);
  const breakAt = new Array<number>(count).fill(count);
  for (let first = count - 1; first >= 0; first--) {
    if (lineWidth(first, count - 1) <= limit) {
      cost[first] = 0;
      breakAt[first] = count;
      continue;
    }
    for (let next = first + 1; next < count; next++) {
      const used = lineWidth(first, next - 1);
      const gap = limit - used;
      let candidate = gap * gap + cost[next]!;
      if (used > limit) candidate += OVERFLOW_PENALTY;
      if (candidate < cost[first]!) {
        cost[first] = candidate;
        breakAt[first] = next;
      }
    }
  }
  const lines: string[][] = [];
  for (let first = 0; first < count; first = breakAt[first]!) lines.push(words.slice(first, breakAt[first]));
  return lines;
}

/**
 * One cell as its lines, wrapped as tablewriter wraps it, and the columns it claims: its width up
 * to 30, or its longest word if that is wider (even when every wrapped line is narrower).
 */
function layoutCell(text: string): { lines: string[]; columns: number } {
  const words = text.replaceAll('\n', ' ').split(' ');
  const columns = Math.max(Math.min(width(text), CELL_WIDTH_MAX), ...words.map(width));
  return { lines: wrapWords(words, columns).map((line) => line.join(' ')), columns };
}

function centred(text: string, columns: number): string {
  const gap = columns - width(text);
  if (gap <= 0) return text;
  const left = Math.floor(gap / 2);
  return `${' '.repeat(left)}${text}${' '.repeat(gap - left)}`;
}

function rightAligned(text: string, columns: number): string {
  return `${' '.repeat(Math.max(0, columns - width(text)))}${text}`;
}

/** The table as etcdctl prints it, ending with a newline. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((row) => headers.map((_, column) => layoutCell(row[column] ?? '')));
  const widths = headers.map((header, column) => Math.max(width(header), ...cells.map((row) => row[column]!.columns)));
  const rule = `+${widths.map((columns) => '-'.repeat(columns + 2)).join('+')}+\n`;
  const line = (texts: readonly string[], align: (text: string, columns: number) => string): string =>
    `|${texts.map((text, column) => ` ${align(text, widths[column]!)} `).join('|')}|\n`;
  let table = rule + line(headers, centred) + rule;
  for (const row of cells) {
    const height = Math.max(...row.map((cell) => cell.lines.length));
    for (let index = 0; index < height; index++) table += line(row.map((cell) => cell.lines[index] ?? ''), rightAligned);
  }
  return table + rule;
}
