/**
 * The user's labelled columns, kept in IndexedDB (in the worker, which has it in every engine): each sample is one
 * frame's column crops at the model's input size with the digits the page said they show, the bead-area corners
 * and the model they were cut for. Bounded by a column count, the oldest samples dropped first.
 */
import { openDatabase, storageWork, type StoredSample } from './database.ts';
import type { SampleAdded } from '../worker-api/classifier-worker-api.ts';
import { cropValues, type LabelledCrops } from './labelled-crops.ts';

export type { StoredSample };

/** A sample set in IndexedDB. */
export class SampleStore {
  private database: ReturnType<typeof openDatabase> | undefined;

  constructor(
    private readonly set: string,
    private readonly maxColumns: number,
  ) {}

  private open(): ReturnType<typeof openDatabase> {
    if (this.database !== undefined) return this.database;
    // A failed open, or a connection the browser closed, is not kept: the next call opens again (storage may be
    // allowed by then).
    const forget = () => {
      if (this.database === opening) this.database = undefined;
    };
    const opening: ReturnType<typeof openDatabase> = openDatabase(forget).catch((error: unknown) => {
      forget();
      throw error;
    });
    this.database = opening;
    return opening;
  }

  /**
   * Adds a sample, then drops the set's oldest samples while it holds more than the bound's columns.
   *
   * @throws {StorageError} `storage/unavailable` or `storage/failed` (e.g. over the browser's quota); nothing is added
   */
  async add(sample: Omit<StoredSample, 'id' | 'set'>): Promise<SampleAdded> {
    return storageWork('adding a sample', () => this.addNow(sample));
  }

  private async addNow(sample: Omit<StoredSample, 'id' | 'set'>): Promise<SampleAdded> {
    const db = await this.open();
    const tx = db.transaction('samples', 'readwrite');
    await tx.store.add({ ...sample, set: this.set });
    const kept = await tx.store.index('set').getAll(this.set);
    let total = kept.reduce((n, s) => n + s.digits.length, 0);
    let dropped = 0;
    // Oldest first (ids rise), never the sample just added.
    for (const old of kept.slice(0, -1)) {
      if (total <= this.maxColumns) break;
      if (old.id !== undefined) await tx.store.delete(old.id);
      total -= old.digits.length;
      dropped += old.digits.length;
    }
    await tx.done;
    return { columns: sample.digits.length, total, dropped };
  }

  /** The set's samples, oldest first. @throws {StorageError} */
  async all(): Promise<StoredSample[]> {
    return storageWork('reading samples', async () => (await this.open()).getAllFromIndex('samples', 'set', this.set));
  }

  /** Removes every sample of the set. @throws {StorageError} */
  async clear(): Promise<void> {
    await storageWork('removing samples', async () => {
      const db = await this.open();
      const tx = db.transaction('samples', 'readwrite');
      for (const key of await tx.store.index('set').getAllKeys(this.set)) await tx.store.delete(key);
      await tx.done;
    });
  }

  close(): void {
    void this.database?.then(
      (db) => db.close(),
      () => undefined,
    );
    this.database = undefined;
  }
}

/** The samples' columns as crops in the model's input range (`min`–`max`). */
export function samplesAsCrops(samples: readonly StoredSample[], min: number, max: number): LabelledCrops {
  const first = samples[0];
  const height = first?.height ?? 0;
  const width = first?.width ?? 0;
  const count = samples.reduce((n, s) => n + s.digits.length, 0);
  const x = new Float32Array(count * height * width);
  const digits = new Uint8Array(count);
  const groups = new Uint32Array(count);
  let at = 0;
  for (const sample of samples) {
    x.set(cropValues(sample.crops, min, max), at * height * width);
    digits.set(sample.digits, at);
    groups.fill(sample.id ?? at, at, at + sample.digits.length);
    at += sample.digits.length;
  }
  return { count, height, width, x, digits, groups };
}
