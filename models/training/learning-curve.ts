/** The learning-curve plot: vega-lite spec compiled by vega-lite and rendered to SVG by vega, headless in Node. */
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { EpochRecord } from './train-loop.ts';

/** One value on a learning curve: `metric` picks the panel, `set` the line. */
export interface CurvePoint {
  readonly epoch: number;
  readonly metric: string;
  readonly set: string;
  readonly value: number;
}

/** One panel of a learning curve: the points of `metric`, on a y scale of vega-lite's (`{ type: 'log' }`, …). */
export interface CurvePanel {
  readonly metric: string;
  readonly title: string;
  readonly scale: Record<string, unknown>;
}

/** The vega-lite spec of panels side by side, one line per set. */
function curveSpec(points: readonly CurvePoint[], panels: readonly CurvePanel[]): vegaLite.TopLevelSpec {
  const panel = ({ metric, title, scale }: CurvePanel): Record<string, unknown> => ({
    title,
    width: 360,
    height: 220,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 }, title: 'epoch' },
      y: { field: 'value', type: 'quantitative', title: metric, scale },
      color: { field: 'set', type: 'nominal', title: null },
    },
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: points },
    hconcat: panels.map(panel),
    resolve: { scale: { color: 'independent' } },
  };
  // The panels are built by a helper returning plain records, which vega-lite's deep union type cannot check; vega-lite validates at compile.
  return spec as unknown as vegaLite.TopLevelSpec;
}

/** Renders panels of a learning curve as an SVG string. */
export async function curveSvg(points: readonly CurvePoint[], panels: readonly CurvePanel[]): Promise<string> {
  const compiled = vegaLite.compile(curveSpec(points, panels)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Renders the classifier's learning curve (loss and accuracy per epoch, train vs validation) as an SVG string. */
export async function learningCurveSvg(history: readonly EpochRecord[]): Promise<string> {
  return curveSvg(classifierPoints(history), CLASSIFIER_PANELS);
}

const CLASSIFIER_PANELS: readonly CurvePanel[] = [
  { metric: 'loss', title: 'Loss (heaven BCE + earth CE)', scale: { type: 'log' } },
  { metric: 'accuracy (%)', title: 'Accuracy', scale: { zero: false } },
];

function classifierPoints(history: readonly EpochRecord[]): CurvePoint[] {
  return history.flatMap((h) => [
    { epoch: h.epoch, metric: 'loss', set: 'train', value: h.trainLoss },
    { epoch: h.epoch, metric: 'loss', set: 'validation', value: h.valLoss },
    { epoch: h.epoch, metric: 'accuracy (%)', set: 'train heaven', value: 100 * h.trainHeavenAccuracy },
    { epoch: h.epoch, metric: 'accuracy (%)', set: 'train earth', value: 100 * h.trainEarthAccuracy },
    { epoch: h.epoch, metric: 'accuracy (%)', set: 'validation digit', value: 100 * h.valDigitAccuracy },
  ]);
}
