import { API_VERSION, SYNOD_VERSION } from '../../version.js';
import type { CommandSpec } from './command.js';

/** Mirrors etcdctl's two lines; the API version is the etcd API whose semantics Synod follows. */
export const versionCommand: CommandSpec = {
  name: 'version',
  usage: '',
  summary: 'Prints the version of synodctl',
  flags: [],
  async run(context) {
    context.io.stdout.write(`synodctl version: ${SYNOD_VERSION}\nAPI version: ${API_VERSION}\n`);
  },
};
