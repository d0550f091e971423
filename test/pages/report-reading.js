// Shared by the test pages: reads the fixture frame with the element and
// reports the reading (or the error, or any CSP violation) to the parent test.
const violations = [];
document.addEventListener('securitypolicyviolation', (event) =>
  violations.push(`${event.violatedDirective}: ${event.blockedURI}`),
);

const expected = await (await fetch('/test/fixtures/browser-model/frame.expected.json')).json();
const corners = expected.geometry.corners;
const element = document.createElement('column-classifier');
element.setAttribute('model', '/test/fixtures/browser-model/model.json');
element.setAttribute('backend', new URLSearchParams(location.search).get('backend') ?? 'auto');
element.setAttribute('columns', String(expected.geometry.columns));
element.setAttribute(
  'corners',
  [corners.topLeft, corners.topRight, corners.bottomRight, corners.bottomLeft].map((p) => `${p.x},${p.y}`).join(' '),
);
element.setAttribute('source', 'frame');
element.addEventListener(
  'cc-reading',
  (event) => {
    parent.postMessage(
      {
        kind: 'reading',
        digits: event.detail.digits,
        backend: event.detail.backend,
        expected: expected.columns.map((c) => c.digit),
        violations,
      },
      '*',
    );
    element.remove();
  },
  { once: true },
);
element.addEventListener('cc-error', (event) => {
  parent.postMessage(
    { kind: 'error', code: event.detail.error.code, message: event.detail.error.message, violations },
    '*',
  );
});
document.body.append(element);
