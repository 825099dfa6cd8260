import { describe } from 'vitest';
import { PgStorage } from '../../storage/pg.ts';
import { dropPgSchema, freshPgUrl, PG_SKIP, PG_URL } from '../../testkit/pg-test.ts';
import { storageConformance } from '../conformance/storage.case.ts';

describe.skipIf(!PG_URL)(PG_URL ? 'PostgreSQL' : `PostgreSQL (skipped: ${PG_SKIP})`, () => {
  storageConformance('PgStorage', async () => {
    const url = freshPgUrl('conf');
    return { storage: await PgStorage.open(url), cleanup: () => dropPgSchema(url) };
  });
});
