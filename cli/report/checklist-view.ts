import { existsSync } from 'node:fs';
import path from 'node:path';
import { CHECKLIST_FILE, checklistCoverage } from './checklist.ts';

/** What the report shows of the checklist: each item, and for one no scenario of the run covers, why. */
export interface ChecklistView {
  items: { number: number; title: string; section: string; implementationDefined: boolean }[];
  /** Why an item is not covered: the reason kept beside the features, or the scenarios that cover it but did not run. */
  uncoveredWhy: Map<number, string>;
}

/** The checklist of the project at `root` with its static coverage, or undefined when it has none. */
export function checklistView(root: string): ChecklistView | undefined {
  if (!existsSync(path.join(root, CHECKLIST_FILE))) return undefined;
  const { items, coverage } = checklistCoverage(root);
  const uncoveredWhy = new Map<number, string>();
  for (const item of items) {
    const c = coverage.get(item.number);
    if (c?.uncoveredWhy) uncoveredWhy.set(item.number, c.uncoveredWhy);
    else if (c?.scenarios.length) {
      const self = c.scenarios.filter((s) => s.tags.includes('@self')).length;
      uncoveredWhy.set(item.number, `its ${c.scenarios.length} scenario(s) did not run here${self === c.scenarios.length ? ' (they test this harness itself: self run only)' : ''}`);
    }
  }
  return { items: items.map((i) => ({ number: i.number, title: i.title, section: i.section, implementationDefined: i.implementationDefined })), uncoveredWhy };
}
