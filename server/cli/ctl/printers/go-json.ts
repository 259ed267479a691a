/**
 * A JSON value as Go's encoding/json writes it for etcdctl's `-w json`: integers are bigints printed
 * as exact JSON numbers (uint64 ids never pass through a double), byte strings are Buffers printed as
 * standard base64, and object members keep their insertion order. `undefined` members are left
 * out, which is how callers express Go's `omitempty`; `null` is a nil slice or pointer.
 */
export type GoJson = null | bigint | boolean | string | Buffer | readonly GoJson[] | { readonly [name: string]: GoJson | undefined };

function goJsonString(text: string): string {
  // Go escapes <, > and & (HTML safety) and the JavaScript line separators on top of JSON's rules.
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Serialises like json.Marshal: compact, no spaces. */
export function goJson(value: GoJson): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return goJsonString(value);
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('base64'));
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  const members: string[] = [];
  for (const [name, member] of Object.entries(value as { readonly [name: string]: GoJson | undefined })) {
    if (member !== undefined) members.push(`${goJsonString(name)}:${goJson(member)}`);
  }
  return `{${members.join(',')}}`;
}

/** `omitempty` for an integer: left out when zero. */
export function nonZero(value: bigint): bigint | undefined {
  return value === 0n ? undefined : value;
}
