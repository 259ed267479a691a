import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errorCatalog } from '../../client-sdk/error-codes.js';

describe('error catalog', () => {
  // The "Error codes" section of the README (other sections have tables of their own).
  const whole = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const start = whole.indexOf('\n## Error codes\n');
  const readme = whole.slice(start, whole.indexOf('\n## ', start + 1));

  it('documents every code in the README with its retryable flag', () => {
    for (const [code, info] of Object.entries(errorCatalog)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
      assert.ok(row, `README has no row for ${code}`);
      assert.ok(row.trimEnd().endsWith(info.retryable ? '| yes |' : '| no |'), `README row for ${code} disagrees on retryable`);
    }
  });

  it('lists no code in the README that the catalog lacks', () => {
    const documented = [...readme.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]!);
    assert.ok(documented.length >= Object.keys(errorCatalog).length);
    for (const code of documented) {
      assert.ok(code in errorCatalog, `README documents unknown code ${code}`);
    }
  });
});
