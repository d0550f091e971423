/**
 * Rendered columns kept in IndexedDB between fine-tunes. Rendering the replay and test columns of a fine-tune takes
 * about 12 s in a worker here (bench part 6) and the same recipe gives the same columns, so a later fine-tune of a model
 * with the same preprocessing reads them back. (Cache Storage would do, but in WebKit what one worker puts there is
 * not seen by the next, and each fine-tune has a worker of its own.) They are kept as bytes (0–255 over the input
 * range, as samples are) and a fresh render is rounded the same way, so a fine-tune learns from the same values
 * whether or not they were kept. Where IndexedDB fails, the columns are rendered: keeping them only saves time. A
 * renderer changed by a later version may leave columns of the earlier one; they are still right (each with its
 * digit), only not the same bytes.
 */
import { sha256Hex } from '../model/integrity.ts';
import type { PreprocessSpec } from '../preprocess/types.ts';
import { preprocessingKey, withDatabase, type StoredColumns } from './database.ts';
import { cropBytes, cropValues, type LabelledCrops } from './labelled-crops.ts';
import { columnsRecipe, renderedColumns, type ColumnsRecipe } from './rendered-columns.ts';

function asCrops(stored: StoredColumns, spec: PreprocessSpec): LabelledCrops | undefined {
  const { count, height, width, digits, crops } = stored;
  if (height !== spec.height || width !== spec.width || digits.length !== count) return undefined;
  if (crops.length !== count * height * width) return undefined;
  return { count, height, width, digits, x: cropValues(crops, spec.inputRange.min, spec.inputRange.max) };
}

/**
 * {@link renderedColumns}, read back when an earlier fine-tune rendered them (`onProgress` is then not called).
 */
export async function keptRenderedColumns(
  name: ColumnsRecipe,
  count: number,
  spec: PreprocessSpec,
  onProgress?: (done: number, total: number) => void,
): Promise<{ readonly columns: LabelledCrops; readonly kept: boolean }> {
  const key = `${name}\n${count}\n${await sha256Hex(
    new TextEncoder().encode(JSON.stringify([columnsRecipe(name, count), preprocessingKey(spec)])),
  )}`;
  const found = await withDatabase('reading kept columns', (db) => db.get('columns', key)).catch(() => undefined);
  const kept = found === undefined ? undefined : asCrops(found, spec);
  if (kept !== undefined) return { columns: kept, kept: true };
  const rendered = renderedColumns(name, count, spec, onProgress);
  const stored: StoredColumns = {
    key,
    createdAt: new Date().toISOString(),
    count: rendered.count,
    height: rendered.height,
    width: rendered.width,
    digits: rendered.digits,
    crops: cropBytes(rendered.x, spec.inputRange.min, spec.inputRange.max),
  };
  // Not waited for: the fine-tune goes on while IndexedDB writes.
  void withDatabase('keeping rendered columns', (db) => db.put('columns', stored)).catch(() => undefined);
  const columns = asCrops(stored, spec);
  if (columns === undefined)
    throw new RangeError('keptRenderedColumns: the columns just rendered do not fit the spec.');
  return { columns, kept: false };
}
