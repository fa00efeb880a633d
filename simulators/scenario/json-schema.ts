import { SCENARIO_SCHEMA } from './scenario-schema.ts';
import { toJsonSchema } from './schema-dsl.ts';

/** Where the published schema lives, relative to the repository root (scenarios point at it). */
export const SCENARIO_SCHEMA_PATH = 'scenarios/schema/scenario.schema.json';

/** The JSON Schema of scenario files, as published for editors (yaml-language-server). */
export function scenarioJsonSchema(): string {
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://dicom-qr-harness.invalid/scenario.schema.json',
    title: 'dicom-qr-harness scenario',
    ...toJsonSchema(SCENARIO_SCHEMA),
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
