import { MemoryStorage } from '../../storage/memory.ts';
import { storageConformance } from '../conformance/storage.case.ts';

storageConformance('MemoryStorage', async () => ({ storage: new MemoryStorage() }));
