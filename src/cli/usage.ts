/** One-line usages of the commands, kept apart so the dispatcher can print them without loading TF.js. */

/** Usage of the classify command. */
export const CLASSIFY_USAGE = `classify IMAGE... [--columns N] [--corners x,y,x,y,x,y,x,y [--margins H,V]] [--localizer PATH] [--model PATH] [--sidecar PATH] [--backend wasm|cpu] [--json]
      without --corners the localizer (default: the shipped one) finds the bead area, and the count unless --columns gives it; with --corners, --columns defaults to 13
  classify --crop IMAGE...   each image is one column
  classify --labels DIR/labels.json   read the images written by \`render\` and score them against their digits`;

/** Usage of the locate command. */
export const LOCATE_USAGE =
  'locate IMAGE... [--localizer PATH] [--sidecar PATH|none] [--backend wasm|cpu] [--json]   the bead-area corners, column count and presence the localizer finds (default: the shipped localizer)';

/** Usage of the inspect command. */
export const INSPECT_USAGE =
  'inspect MODEL [--sidecar PATH|none] [--golden [--backend wasm|cpu]] [--json]   MODEL: model.json, its directory, or an http(s) URL';

/** Usage of the golden command. */
export const GOLDEN_USAGE = `golden --model PATH [--tolerance T] IMAGE.png...   print golden cases for single-column images beside model.json
  golden --check --model PATH [--backend wasm,cpu]   run the contract's golden cases on each backend`;

/** Usage of the seal command. */
export const SEAL_USAGE =
  'seal MODEL --contract FILE [--dry-run]   embed the contract (with shard sha256) into model.json after checking it';

/** Usage of the schema command. */
export const SCHEMA_USAGE = 'schema [--write PATH]   print or write the contract JSON Schema';

// The renderer engineer owns render.ts and its usage; the renderer is plain TS (no TF.js), cheap to load for --help.
export { RENDER_USAGE } from './render.ts';

/** Usage of `fine-tune`. */
export const FINE_TUNE_USAGE =
  'fine-tune --data DIR [--model PATH] --out DIR [--epochs N] [--learning-rate R] [--replay N] [--test-crops N] [--held-out F] [--max-test-drop P] [--gate-crops N] [--seed S]   teach the model your soroban from labelled photos; writes a gated model and REPORT.md';
