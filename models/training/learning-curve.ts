/** The learning-curve plot: vega-lite spec compiled by vega-lite and rendered to SVG by vega, headless in Node. */
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { EpochRecord } from './train-loop.ts';

/** The vega-lite spec of the learning curve (loss and accuracy per epoch, train vs validation). */
export function learningCurveSpec(history: readonly EpochRecord[]): vegaLite.TopLevelSpec {
  const rows = history.flatMap((h) => [
    { epoch: h.epoch, metric: 'loss', set: 'train', value: h.trainLoss },
    { epoch: h.epoch, metric: 'loss', set: 'validation', value: h.valLoss },
    { epoch: h.epoch, metric: 'accuracy (%)', set: 'train heaven', value: 100 * h.trainHeavenAccuracy },
    { epoch: h.epoch, metric: 'accuracy (%)', set: 'train earth', value: 100 * h.trainEarthAccuracy },
    { epoch: h.epoch, metric: 'accuracy (%)', set: 'validation digit', value: 100 * h.valDigitAccuracy },
  ]);
  const panel = (metric: string, title: string, scale: Record<string, unknown>): Record<string, unknown> => ({
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
    data: { values: rows },
    hconcat: [
      panel('loss', 'Loss (heaven BCE + earth CE)', { type: 'log' }),
      panel('accuracy (%)', 'Accuracy', { zero: false }),
    ],
    resolve: { scale: { color: 'independent' } },
  };
  // The panels are built by a helper returning plain records, which vega-lite's deep union type cannot check; vega-lite validates at compile.
  return spec as unknown as vegaLite.TopLevelSpec;
}

/** Renders the learning curve as an SVG string. */
export async function learningCurveSvg(history: readonly EpochRecord[]): Promise<string> {
  const compiled = vegaLite.compile(learningCurveSpec(history)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
