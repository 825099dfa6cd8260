import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { storageConformance } from '../conformance/storage.case.ts';

storageConformance('SqliteStorage', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nas-sqlite-conf-'));
  return { storage: await SqliteStorage.open(join(dir, 'nas.db')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});
