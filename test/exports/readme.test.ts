import { describe, expect, it } from 'vitest';
import { ACCESS_REVIEW_COLUMNS } from '../../src/exports/access-review.js';
import { API_INVENTORY_COLUMNS } from '../../src/exports/api-inventory.js';
import { BATON_COLUMNS } from '../../src/exports/baton.js';

import { readDoc } from '../helpers/docs.js';

const exportsPage = readDoc('exports.md');
const reviewPage = readDoc('access-review.md');

describe('docs/exports.md and docs/access-review.md document the exports as written', () => {
  it('lists each CSV column order exactly as the code writes it', () => {
    const start = exportsPage.indexOf('## Exports');
    expect(start).toBeGreaterThan(0);
    const section = exportsPage.slice(start);
    const rows = Object.fromEntries([...section.matchAll(/^\| (\S+) \| `([^`]+)` \|$/gm)].map((m) => [m[1], m[2]!.split(',')]));
    expect(rows).toEqual({
      'access-review.csv': ACCESS_REVIEW_COLUMNS.map((c) => c.header),
      'access-review.csv?format=baton': [...BATON_COLUMNS],
      'api-inventory.csv': API_INVENTORY_COLUMNS.map((c) => c.header),
    });
  });

  it('has the access review export subsection with the baton mapping of every record type', () => {
    const start = reviewPage.indexOf('### Export the access review');
    expect(start).toBeGreaterThan(reviewPage.indexOf('## Run an access review'));
    const section = reviewPage.slice(start, reviewPage.indexOf('\n## ', start));
    for (const kind of ['user', 'resource', 'entitlement', 'direct_user_grant']) expect(section).toContain(`| \`${kind}\``);
  });
});
