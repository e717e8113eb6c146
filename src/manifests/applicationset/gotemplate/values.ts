// Go's view of template data: JSON numbers are float64 (JS numbers), integer constants and int
// results are Go ints (bigint), maps are plain objects, nil is null. How Go prints each (`%v`)
// and compares them lives here.

export type GoValue = string | number | bigint | boolean | null | GoValue[] | { [key: string]: GoValue };

export const isMapValue = (v: unknown): v is Record<string, GoValue> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`): shortest digits, exponent form below 1e-4 or from 1e6. */
export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa, exp] = f.toExponential().split('e') as [string, string];
  const e = Number(exp);
  // Shortest formatting decides with precision 6 (Go's strconv: `eprec = 6` when shortest).
  if (e < -4 || e >= 6) {
    return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return String(f);
}

/** How text/template prints a value (fmt's `%v`); `nilText` is what nil prints as at the top. */
export function printValue(v: GoValue | undefined, nilText = '<nil>'): string {
  if (v === null || v === undefined) return nilText;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => printValue(x)).join(' ')}]`;
  const keys = Object.keys(v).sort();
  return `map[${keys.map((k) => `${k}:${printValue(v[k])}`).join(' ')}]`;
}

/** Go's truthiness: false, 0, "", nil and empty lists and maps are false. */
export function truth(v: GoValue | undefined): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v).length > 0;
}

/** Go's type name, for messages (`%!d(float64=3)`). */
export function typeName(v: GoValue | undefined): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  return Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}';
}

/** Go's basic kind, for eq/lt: values of different kinds do not compare. */
export function kindOf(v: GoValue | undefined): 'bool' | 'int' | 'float' | 'string' | 'nil' | 'other' {
  if (v === null || v === undefined) return 'nil';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
    default:
      return 'other';
  }
}

/** A JSON-ready copy: Go ints become numbers. */
export function toPlain(v: GoValue | undefined): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toPlain);
  if (isMapValue(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]));
  return v ?? null;
}
