/** A small, strict command-line parser: unknown options are errors, every value is checked. */
export class UsageError extends Error {
  readonly code = 'CLI_USAGE';
}

export interface OptionSpec {
  name: string;
  alias?: string;
  /** 'flag' takes no value; 'list' may repeat. */
  kind: 'string' | 'int' | 'flag' | 'list';
  description: string;
  default?: string | number | boolean;
  valueName?: string;
}

export type ParsedOptions = Record<string, string | number | boolean | string[] | undefined>;

export function parseArgs(argv: string[], specs: OptionSpec[]): { options: ParsedOptions; positionals: string[] } {
  const byName = new Map<string, OptionSpec>();
  for (const s of specs) {
    byName.set(`--${s.name}`, s);
    if (s.alias) byName.set(`-${s.alias}`, s);
  }
  const options: ParsedOptions = {};
  for (const s of specs) if (s.default !== undefined) options[s.name] = s.default;
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = byName.get(key);
    if (!spec) throw new UsageError(`unknown option ${key}`);
    if (spec.kind === 'flag') {
      if (eq > 0) throw new UsageError(`${key} takes no value`);
      options[spec.name] = true;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`${key} needs a value`);
    if (spec.kind === 'int') {
      if (!/^\d+$/.test(value)) throw new UsageError(`${key} needs a whole number, got "${value}"`);
      options[spec.name] = Number(value);
    } else if (spec.kind === 'list') {
      options[spec.name] = [...((options[spec.name] as string[] | undefined) ?? []), value];
    } else {
      options[spec.name] = value;
    }
  }
  return { options, positionals };
}

export function helpFor(specs: OptionSpec[]): string {
  const rows = specs.map((s) => {
    const names = [s.alias ? `-${s.alias}` : '', `--${s.name}`].filter(Boolean).join(', ');
    const value = s.kind === 'flag' ? '' : ` ${s.valueName ?? (s.kind === 'int' ? 'N' : 'VALUE')}`;
    const def = s.default !== undefined && s.kind !== 'flag' ? ` (default ${s.default})` : '';
    return [`  ${names}${value}`, `${s.description}${def}`];
  });
  const width = Math.max(...rows.map((r) => r[0]!.length)) + 2;
  return rows.map(([a, b]) => a!.padEnd(width) + b).join('\n');
}

export function requireString(o: ParsedOptions, name: string): string {
  const v = o[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

export function aeTitle(value: string, option: string): string {
  if (value.length < 1 || value.length > 16 || /[\\\x00-\x1f]/.test(value) || value.trim() === '') {
    throw new UsageError(`${option} "${value}" is not an AE title (1 to 16 characters, no backslash or control characters)`);
  }
  return value;
}

export function port(value: number, option: string): number {
  if (value < 0 || value > 65535) throw new UsageError(`${option} ${value} is not a TCP port`);
  return value;
}
