/** The largest column count the localizer reports: the renderers' range (1..21), which its model is trained on. */
export { MAX_COLUMNS as MAX_COLUMN_COUNT } from '../render/request.ts';
