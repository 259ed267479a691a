import { basename } from 'node:path';
import { runTranscript, transcriptFiles } from './datadriven.js';
import { runCommand } from './interaction-commands.js';
import { InteractionEnv } from './interaction-env.js';

/**
 * Golden transcripts of whole interactions (test/harness/testdata/*.txt). Each file starts from an
 * empty environment. REWRITE=1 npm test regenerates the expected outputs; review the diff.
 */
describe('raft interaction transcripts', () => {
  for (const file of transcriptFiles('test/harness/testdata')) {
    it(basename(file, '.txt'), () => {
      const env = new InteractionEnv();
      runTranscript(file, (tc) => runCommand(env, tc));
    });
  }
});
