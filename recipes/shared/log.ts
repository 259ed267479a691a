/**
 * Recipes report what they do as one line per event on stdout: `<event> key=value key=value`, so a
 * person can read it and a test can parse it. A value that is empty, holds whitespace or starts with a
 * quote is written as a JSON string.
 */
export type Fields = Readonly<Record<string, string | number | bigint | boolean>>;

export function formatLine(event: string, fields: Fields = {}): string {
  const parts = [event];
  for (const [name, raw] of Object.entries(fields)) {
    const value = String(raw);
    parts.push(`${name}=${value === '' || /\s/.test(value) || value.startsWith('"') ? JSON.stringify(value) : value}`);
  }
  return parts.join(' ');
}

/** Prints one event line. */
export function log(event: string, fields: Fields = {}): void {
  process.stdout.write(`${formatLine(event, fields)}\n`);
}

/** Parses a line written by formatLine (an optional `[prefix] ` is skipped). */
export function parseLine(line: string): { event: string; fields: Record<string, string> } {
  let text = line.replace(/^\[[^\]]*\] /, '');
  const space = text.indexOf(' ');
  const event = space < 0 ? text : text.slice(0, space);
  text = space < 0 ? '' : text.slice(space + 1);
  const fields: Record<string, string> = {};
  while (text.length > 0) {
    const equals = text.indexOf('=');
    if (equals < 0) break;
    const name = text.slice(0, equals);
    text = text.slice(equals + 1);
    let value: string;
    if (text.startsWith('"')) {
      let end = 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      value = JSON.parse(text.slice(0, end + 1)) as string;
      text = text.slice(end + 1);
    } else {
      const next = text.indexOf(' ');
      value = next < 0 ? text : text.slice(0, next);
      text = next < 0 ? '' : text.slice(next);
    }
    fields[name] = value;
    text = text.replace(/^ +/, '');
  }
  return { event, fields };
}
