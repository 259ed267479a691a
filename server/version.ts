import { readFileSync } from 'node:fs';

/** Synod's version, read from package.json so there is one source of truth. */
export const SYNOD_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The etcd API version whose semantics Synod follows. */
export const API_VERSION = '3.5';

/** The ws subprotocol clients ask for; a new incompatible protocol gets a new name. */
export const PROTOCOL_NAME = 'synod.v1';
