/**
 * The IndexedDB database of this origin's self-labelled samples and accepted fine-tuned models. Both workers open
 * it (the classifier's stores samples and loads fine-tuned models; the fine-tune worker reads samples and stores
 * what it accepted); the page never does.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { ColumnClassifierError, StorageError } from '../errors.ts';
import type { PreprocessSpec, Quad } from '../preprocess/types.ts';

/** One labelled frame. */
export interface StoredSample {
  /** The store's own key, rising with each sample. */
  readonly id?: number;
  /** Which sample set (an element's `sample-set`, so two sorobans on one site keep apart). */
  readonly set: string;
  readonly createdAt: string;
  readonly digits: readonly number[];
  /** The bead area the crops were cut from, in fractions of the frame. */
  readonly corners: Quad;
  readonly frameWidth: number;
  readonly frameHeight: number;
  /**
   * The model the crops were cut for: its model.json URL, and its preprocessing ({@link preprocessingKey}) — what
   * decides whether they are another model's columns too (a fine-tuned model keeps its base's).
   */
  readonly model: { readonly url: string; readonly preprocessing: string };
  readonly height: number;
  readonly width: number;
  /** columns × height × width grey bytes: the model input mapped from its range to 0–255. */
  readonly crops: Uint8Array;
}

/** A fine-tuned model that passed its gates, stored to be used instead of the model it was made from. */
export interface StoredModel {
  /** `${set}\n${baseUrl}`: one fine-tuned model per sample set and base model. */
  readonly key: string;
  readonly set: string;
  /** The model.json URL it was fine-tuned from. */
  readonly baseUrl: string;
  /**
   * sha256 of that model.json's text when it was fine-tuned: a site that replaces its model at the same URL makes
   * this fine-tuned model one of an old version, which is then not used.
   */
  readonly baseModelJsonSha256?: string;
  readonly createdAt: string;
  /** model.json, sealed (contract with golden outputs of these weights and shard hashes). */
  readonly modelJson: string;
  /** The files model.json names (the weight shard, golden PNGs), by path. */
  readonly files: Readonly<Record<string, Uint8Array>>;
  /** What the gates measured, in words (REPORT-like one line). */
  readonly summary: string;
}

/** Rendered columns a fine-tune mixed in or was judged on, kept so that a later fine-tune need not render them. */
export interface StoredColumns {
  /** Names the recipe, the count and the preprocessing they were cut with. */
  readonly key: string;
  readonly createdAt: string;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly digits: Uint8Array;
  /** count × height × width grey bytes, as samples are kept. */
  readonly crops: Uint8Array;
}

interface Schema extends DBSchema {
  samples: { key: number; value: StoredSample; indexes: { set: string } };
  models: { key: string; value: StoredModel };
  columns: { key: string; value: StoredColumns };
}

const NAME = 'column-classifier';

/**
 * Opens (creating on first use) the database. `onTerminated`: the browser closed the connection (site data cleared,
 * storage pressure); a holder of the connection opens a new one next time.
 *
 * @throws {StorageError} `storage/unavailable` where this context has no IndexedDB or may not use it
 */
export async function openDatabase(onTerminated?: () => void): Promise<IDBPDatabase<Schema>> {
  if (typeof indexedDB === 'undefined')
    throw new StorageError(
      'storage/unavailable',
      'This context has no IndexedDB (samples and fine-tuned models are kept there): use a browser page or worker.',
    );
  try {
    return await openDB<Schema>(NAME, 2, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('samples', { keyPath: 'id', autoIncrement: true }).createIndex('set', 'set');
          db.createObjectStore('models', { keyPath: 'key' });
        }
        if (oldVersion < 2) db.createObjectStore('columns', { keyPath: 'key' });
      },
      // A page of a newer version wants to upgrade: this connection steps aside (its holder opens a new one).
      blocking(_current, _blocked, event) {
        (event.target as IDBDatabase).close();
        onTerminated?.();
      },
      ...(onTerminated === undefined ? {} : { terminated: onTerminated }),
    });
  } catch (error) {
    throw new StorageError(
      'storage/unavailable',
      `IndexedDB could not be opened (${describe(error)}); the browser may block storage for this site (private mode, site settings).`,
      { cause: error },
    );
  }
}

/**
 * Runs one piece of IndexedDB work, turning the browser's failure (a DOMException: quota, a closed database) into a
 * typed error that says what was being done.
 *
 * @throws {StorageError} `storage/failed`; the product's own typed errors pass through
 */
export async function storageWork<T>(doing: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ColumnClassifierError) throw error;
    throw new StorageError('storage/failed', `IndexedDB failed while ${doing}: ${describe(error)}.`, { cause: error });
  }
}

/**
 * Opens the database for one piece of work and closes it after: {@link storageWork} on a connection of its own.
 *
 * @throws {StorageError} `storage/unavailable` or `storage/failed`
 */
export async function withDatabase<T>(doing: string, work: (db: IDBPDatabase<Schema>) => Promise<T>): Promise<T> {
  return storageWork(doing, async () => {
    const db = await openDatabase();
    try {
      return await work(db);
    } finally {
      db.close();
    }
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** What makes two models' column crops the same: their input size, grey conversion, resize and input range. */
export function preprocessingKey(spec: PreprocessSpec): string {
  const { height, width, channels, grey, resize, prefilter, inputRange } = spec;
  return JSON.stringify({ height, width, channels, grey, resize, prefilter, inputRange });
}

/** The key of a set's fine-tuned model made from `baseUrl`. */
export function storedModelKey(set: string, baseUrl: string): string {
  return `${set}\n${baseUrl}`;
}
