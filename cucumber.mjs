// Cucumber profiles. Run through `node --import tsx` (see package.json) so step files are TypeScript.
const common = {
  paths: ['features/**/*.feature'],
  import: ['steps/**/*.ts'],
  formatOptions: { junit: { suiteName: 'dicom-qr-harness conformance' }, snippetInterface: 'async-await' },
};

/** The conformance run: terminal progress, and the HTML, JUnit and message reports in reports/. */
export default {
  ...common,
  format: ['progress-bar', 'summary', 'html:reports/conformance.html', 'junit:reports/junit.xml', 'message:reports/messages.ndjson'],
};

/** Inside `npm test`: the same scenarios, quiet output, failures in full. */
export const test = {
  ...common,
  format: ['progress', 'junit:reports/junit-test.xml'],
};

/** CI: reports for the pipeline, no progress bar (no TTY). */
export const ci = {
  ...common,
  format: ['progress', 'html:reports/conformance.html', 'junit:reports/junit.xml', 'message:reports/messages.ndjson'],
};

/** `qr-harness conform`: it passes the formats (reports in --report) and the world parameters itself. */
export const conform = {
  ...common,
  format: [],
};
