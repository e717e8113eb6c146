// Scalars as we write them. A value goes out plain only when every reader of these files reads it
// back as the same string: YAML 1.2 (the `yaml` library's default), YAML 1.1, and Go's yaml.v2 and
// yaml.v3, which Helm, kustomize and Argo CD decode with. Anything else is quoted.

import { parse, type Scalar } from 'yaml';

/** A scalar's text as written: plain scalars keep their source (`1.10`, not the number 1.1); null is ''. */
export function scalarString(node: Scalar): string {
  if (node.value === null || node.value === undefined) return '';
  return node.type === 'PLAIN' && node.source !== undefined ? node.source : String(node.value);
}

/**
 * go-yaml's resolve table: plain scalars that are looked up as bool, null, float or merge key
 * (yaml.v2 is YAML 1.1: y, yes, on...; yaml.v3 keeps the YAML 1.2 subset).
 */
const GO_KEYWORDS = new Set(
  [
    'y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF',
    '~ null Null NULL .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF <<'
  ]
    .join(' ')
    .split(' ')
);
/** go-yaml's float syntax, tried after removing underscores. */
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** strconv.ParseInt/ParseUint with base 0: 0x, 0o, 0b prefixes in either case, leading-zero octal. */
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
/** strconv.ParseFloat's hexadecimal form (`0x1p-2`). */
const GO_HEX_FLOAT = /^[-+]?0[xX](?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+)[pP][-+]?[0-9]+$/;
/** go-yaml tries a timestamp for plain scalars that start like `2006-1-2`. */
const GO_TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:$|[Tt ])/;

/** True when Go's yaml.v2 or yaml.v3 decodes the plain scalar into something other than this string. */
function goReadsOtherwise(value: string): boolean {
  if (GO_KEYWORDS.has(value)) return true;
  const first = value.charCodeAt(0);
  const digitOrSign = (first >= 0x30 && first <= 0x39) || value[0] === '+' || value[0] === '-';
  if (value[0] === '.') return GO_FLOAT.test(value);
  if (!digitOrSign) return false;
  if (GO_TIMESTAMP.test(value)) return true;
  const plain = value.replaceAll('_', '');
  return GO_INT.test(plain) || GO_FLOAT.test(plain) || GO_HEX_FLOAT.test(plain);
}

/** True when `value` reads back as the same string in YAML 1.2, YAML 1.1 and Go's yaml.v2/v3. */
export function plainSafe(value: string): boolean {
  if (value === '' || value !== value.trim() || /[\t\r\n,[\]{}'"]/.test(value)) return false;
  if (NEEDS_ESCAPE.test(value) || goReadsOtherwise(value)) return false;
  try {
    return parse(value) === value && parse(value, { version: '1.1' }) === value;
  } catch {
    return false;
  }
}

/** Characters a YAML scalar cannot hold unescaped: controls, DEL, C1, surrogates, BOM, line separators. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
const NEEDS_ESCAPE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ud800-\udfff]/;

/** A double-quoted YAML scalar that any YAML reader decodes to exactly `value`. */
export function doubleQuoted(value: string): string {
  // JSON's escapes are valid YAML double-quoted escapes; the rest of NEEDS_ESCAPE gets \u.
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
}

/** Renders a string in the given style, falling back to double quotes when the style cannot carry it. */
export function formatScalar(value: string, style: Scalar.Type | undefined): string {
  if (style === 'QUOTE_DOUBLE') return doubleQuoted(value);
  if (style === 'QUOTE_SINGLE') {
    return NEEDS_ESCAPE.test(value) ? doubleQuoted(value) : `'${value.replace(/'/g, "''")}'`;
  }
  return plainSafe(value) ? value : doubleQuoted(value);
}
