// Cucumber profiles. Run through `node --import tsx` (see package.json) so step files are TypeScript.
const common = {
  paths: ['features/**/*.feature'],
  import: ['steps/**/*.ts'],
  // Failures print their steps and error, not the traffic attached (that is the report's job).
  formatOptions: { junit: { suiteName: 'dicom-qr-harness conformance' }, snippetInterface: 'async-await', printAttachments: false },
};

/**
 * Plain cucumber-js: progress, and the message stream the report is built from
 * (`qr-harness report reports/messages.ndjson`). `qr-harness conform` runs the same features and
 * writes every report itself.
 */
export default {
  ...common,
  format: ['progress-bar', 'message:reports/messages.ndjson'],
};

/** Inside `npm test`: the same scenarios, quiet output, failures in full. */
export const test = {
  ...common,
  format: ['progress', 'junit:reports/junit-test.xml'],
};

/** CI without a TTY: plain progress and the message stream (then `qr-harness report`). */
export const ci = {
  ...common,
  format: ['progress', 'message:reports/messages.ndjson'],
};

/** `qr-harness conform`: it passes the formats (reports in --report) and the world parameters itself. */
export const conform = {
  ...common,
  format: [],
};
