// The parser of Go's text/template, for what ApplicationSet templates use: text, actions with
// `{{-`/`-}}` trim markers, comments, pipelines with declarations, fields, variables, literals,
// parenthesised pipelines, and if / else if / else / with / range / break / continue / define /
// template / block. It scans once and never backtracks; nesting is bounded.

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly phase: 'parse' | 'exec'
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

export type Arg =
  | { kind: 'field'; path: string[]; receiver?: Arg }
  | { kind: 'variable'; name: string; path: string[] }
  | { kind: 'dot' }
  | { kind: 'nil' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string; int?: bigint; float: number; isFloat: boolean }
  | { kind: 'func'; name: string }
  | { kind: 'pipe'; pipe: Pipe; path: string[] };

export interface Command {
  args: Arg[];
}

export interface Pipe {
  /** `$x := …` declares, `$x = …` assigns. */
  decl?: { names: string[]; assign: boolean };
  commands: Command[];
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipe; pos: number }
  | { kind: 'if' | 'with'; pipe: Pipe; then: Node[]; else?: Node[]; pos: number }
  | { kind: 'range'; pipe: Pipe; body: Node[]; else?: Node[]; pos: number }
  | { kind: 'template'; name: string; pipe?: Pipe; pos: number }
  | { kind: 'break' | 'continue'; pos: number };

export interface Parsed {
  root: Node[];
  defines: Map<string, Node[]>;
}

const MAX_DEPTH = 100;

type Token =
  | { t: 'ident' | 'field' | 'var' | 'string' | 'number' | 'char'; v: string; pos: number }
  | { t: '(' | ')' | '|' | ':=' | '=' | ',' | 'end'; v: string; pos: number };

/** Splits the template into text and action token lists. */
function scan(src: string): ({ text: string } | { tokens: Token[]; pos: number })[] {
  const out: ({ text: string } | { tokens: Token[]; pos: number })[] = [];
  let at = 0;
  let trimNext = false;
  while (at <= src.length) {
    const open = src.indexOf('{{', at);
    let text = src.slice(at, open < 0 ? src.length : open);
    if (trimNext) text = text.slice(trimmedStart(text));
    if (open < 0) {
      if (text) out.push({ text });
      break;
    }
    let inner = open + 2;
    if (src[inner] === '-' && /[ \t\r\n]/.test(src[inner + 1] ?? '')) {
      text = text.slice(0, trimmedEnd(text));
      inner += 1;
    }
    if (text) out.push({ text });
    const { tokens, end, trim } = lexAction(src, inner);
    trimNext = trim;
    if (tokens.length) out.push({ tokens, pos: open });
    at = end;
  }
  return out;
}

const SPACE = ' \t\r\n';
function trimmedStart(text: string): number {
  let i = 0;
  while (i < text.length && SPACE.includes(text[i]!)) i++;
  return i;
}
function trimmedEnd(text: string): number {
  let i = text.length;
  while (i > 0 && SPACE.includes(text[i - 1]!)) i--;
  return i;
}

const lineOf = (src: string, pos: number) => src.slice(0, pos).split('\n').length;

function lexAction(src: string, start: number): { tokens: Token[]; end: number; trim: boolean } {
  const tokens: Token[] = [];
  let i = start;
  const fail = (why: string) => new TemplateError(`template: base:${lineOf(src, start)}: ${why}`, 'parse');
  for (;;) {
    while (i < src.length && /[ \t\r\n]/.test(src[i]!)) i++;
    if (i >= src.length) throw fail('unclosed action');
    if (src.startsWith('/*', i)) {
      const close = src.indexOf('*/', i + 2);
      if (close < 0) throw fail('unclosed comment');
      i = close + 2;
      continue;
    }
    if (src[i] === '-' && src.startsWith('}}', i + 1) && /[ \t\r\n]/.test(src[i - 1] ?? '')) {
      return { tokens, end: i + 3, trim: true };
    }
    if (src.startsWith('}}', i)) return { tokens, end: i + 2, trim: false };
    const c = src[i]!;
    const pos = i;
    if (c === '(' || c === ')' || c === '|' || c === ',') {
      tokens.push({ t: c, v: c, pos });
      i++;
    } else if (c === ':' && src[i + 1] === '=') {
      tokens.push({ t: ':=', v: ':=', pos });
      i += 2;
    } else if (c === '=') {
      tokens.push({ t: '=', v: '=', pos });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\n') throw fail('unterminated quoted string');
        j += src[j] === '\\' ? 2 : 1;
      }
      if (j >= src.length) throw fail('unterminated quoted string');
      tokens.push({ t: 'string', v: unquote(src.slice(i, j + 1), fail), pos });
      i = j + 1;
    } else if (c === '`') {
      const close = src.indexOf('`', i + 1);
      if (close < 0) throw fail('unterminated raw quoted string');
      tokens.push({ t: 'string', v: src.slice(i + 1, close), pos });
      i = close + 1;
    } else if (c === "'") {
      const close = src.indexOf("'", i + 1 + (src[i + 1] === '\\' ? 1 : 0));
      if (close < 0) throw fail('unterminated character constant');
      const ch = unquote(`"${src.slice(i + 1, close).replace(/"/g, '\\"')}"`, fail);
      tokens.push({ t: 'char', v: String(ch.codePointAt(0) ?? 0), pos });
      i = close + 1;
    } else if (/[0-9]/.test(c) || ((c === '-' || c === '+') && /[0-9.]/.test(src[i + 1] ?? ''))) {
      const m = /^[-+]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][-+]?\d+)?)/.exec(
        src.slice(i, i + 100)
      )!;
      tokens.push({ t: 'number', v: m[0], pos });
      i += m[0].length;
    } else if (c === '.' || c === '$' || /[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_.]/.test(src[j]!)) j++;
      const word = src.slice(i, j);
      if (c === '$') tokens.push({ t: 'var', v: word, pos });
      else if (c === '.') tokens.push({ t: 'field', v: word, pos });
      else tokens.push({ t: 'ident', v: word, pos });
      i = j;
    } else throw fail(`unexpected "${c}" in command`);
  }
}

function unquote(quoted: string, fail: (why: string) => Error): string {
  try {
    return JSON.parse(
      quoted
        .replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')
        .replace(/\\a/g, '\\u0007')
        .replace(/\\v/g, '\\u000b')
    ) as string;
  } catch {
    throw fail(`invalid syntax in ${quoted.slice(0, 40)}`);
  }
}

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue'
]);

/** Which names are functions; an unknown one is a parse error with `unknown`'s message. */
export interface FunctionNames {
  has(name: string): boolean;
  unknown(name: string): string;
}

/** Parses a template; an unknown function is a parse error, as in Go, even in an untaken branch. */
export function parseTemplate(src: string, functions: FunctionNames): Parsed {
  const items = scan(src);
  const defines = new Map<string, Node[]>();
  let at = 0;
  const fail = (pos: number, why: string) =>
    new TemplateError(`template: base:${lineOf(src, pos)}: ${why}`, 'parse');

  /** Nodes up to an `end`/`else` at this level; returns the keyword that stopped it. */
  function list(
    depth: number,
    scope: Set<string>,
    inRange: boolean
  ): { nodes: Node[]; stop: Token[] | undefined } {
    if (depth > MAX_DEPTH) throw fail(0, 'template nests too deeply');
    const nodes: Node[] = [];
    while (at < items.length) {
      const item = items[at++]!;
      if ('text' in item) {
        nodes.push({ kind: 'text', text: item.text });
        continue;
      }
      const [head, ...rest] = item.tokens;
      const keyword = head!.t === 'ident' && KEYWORDS.has(head!.v) ? head!.v : undefined;
      if (keyword === 'end' || keyword === 'else') return { nodes, stop: item.tokens };
      if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
        nodes.push(control(keyword, rest, item.pos, depth, scope, inRange));
      } else if (keyword === 'break' || keyword === 'continue') {
        if (!inRange) throw fail(item.pos, `{{${keyword}}} outside {{range}}`);
        nodes.push({ kind: keyword, pos: item.pos });
      } else if (keyword === 'define' || keyword === 'block' || keyword === 'template') {
        const name = rest[0];
        if (name?.t !== 'string') throw fail(item.pos, `missing name in ${keyword}`);
        const pipe = rest.length > 1 ? pipeline(rest.slice(1), scope, item.pos) : undefined;
        if (keyword !== 'template') {
          const body = list(depth + 1, new Set(['$']), false);
          if (body.stop?.[0]?.v !== 'end') throw fail(item.pos, 'unexpected EOF');
          defines.set(name.v, body.nodes);
        }
        if (keyword !== 'define')
          nodes.push({ kind: 'template', name: name.v, ...(pipe && { pipe }), pos: item.pos });
      } else nodes.push({ kind: 'action', pipe: pipeline(item.tokens, scope, item.pos), pos: item.pos });
    }
    return { nodes, stop: undefined };
  }

  function control(
    keyword: 'if' | 'with' | 'range',
    tokens: Token[],
    pos: number,
    depth: number,
    outer: Set<string>,
    inRange: boolean
  ): Node {
    const scope = new Set(outer);
    const pipe = pipeline(tokens, scope, pos);
    const body = list(depth + 1, scope, inRange || keyword === 'range');
    if (!body.stop) throw fail(pos, 'unexpected EOF');
    let elseNodes: Node[] | undefined;
    if (body.stop[0]!.v === 'else') {
      const more = body.stop.slice(1);
      if (more.length && more[0]!.t === 'ident' && (more[0]!.v === 'if' || more[0]!.v === 'with')) {
        // `else if` / `else with`: a nested control that shares this one's {{end}}.
        elseNodes = [control(more[0]!.v as 'if' | 'with', more.slice(1), pos, depth + 1, outer, inRange)];
      } else {
        if (more.length) throw fail(pos, 'unexpected tokens after else');
        const tail = list(depth + 1, new Set(outer), inRange);
        if (tail.stop?.[0]?.v !== 'end' || tail.stop.length > 1) throw fail(pos, 'expected end');
        elseNodes = tail.nodes;
      }
    } else if (body.stop.length > 1) throw fail(pos, 'unexpected tokens after end');
    return keyword === 'range'
      ? { kind: 'range', pipe, body: body.nodes, ...(elseNodes && { else: elseNodes }), pos }
      : { kind: keyword, pipe, then: body.nodes, ...(elseNodes && { else: elseNodes }), pos };
  }

  function pipeline(tokens: Token[], scope: Set<string>, pos: number): Pipe {
    let i = 0;
    const pipe: Pipe = { commands: [] };
    // `$a := …`, `$a, $b := …` (range), `$a = …`.
    const names: string[] = [];
    let j = 0;
    while (tokens[j]?.t === 'var' && !tokens[j]!.v.includes('.')) {
      names.push(tokens[j]!.v);
      if (tokens[j + 1]?.t === ',') j += 2;
      else break;
    }
    const op = tokens[names.length ? j + 1 : -1];
    if (names.length && op && (op.t === ':=' || op.t === '=')) {
      pipe.decl = { names, assign: op.t === '=' };
      for (const name of names) {
        if (op.t === '=' && !scope.has(name)) throw fail(pos, `undefined variable "${name}"`);
        scope.add(name);
      }
      i = j + 2;
    }
    const stack: { pipe: Pipe; command: Command }[] = [];
    let command: Command = { args: [] };
    let current = pipe;
    for (; i < tokens.length; i++) {
      const tok = tokens[i]!;
      switch (tok.t) {
        case '|':
          if (!command.args.length) throw fail(pos, 'missing command');
          current.commands.push(command);
          command = { args: [] };
          break;
        case '(':
          stack.push({ pipe: current, command });
          if (stack.length > MAX_DEPTH) throw fail(pos, 'too many parentheses');
          current = { commands: [] };
          command = { args: [] };
          break;
        case ')': {
          if (!stack.length) throw fail(pos, 'unexpected right paren');
          if (!command.args.length) throw fail(pos, 'missing command');
          current.commands.push(command);
          const inner = current;
          ({ pipe: current, command } = stack.pop()!);
          // `(pipe).field.chain`
          const next = tokens[i + 1];
          const path =
            next?.t === 'field' && next.pos === tok.pos + 1 ? (i++, next.v.split('.').slice(1)) : [];
          command.args.push({ kind: 'pipe', pipe: inner, path });
          break;
        }
        default:
          command.args.push(operand(tok, scope, pos));
      }
    }
    if (stack.length) throw fail(pos, 'unclosed left paren');
    if (command.args.length) current.commands.push(command);
    else if (pipe.commands.length || pipe.decl) throw fail(pos, 'missing command');
    if (!pipe.commands.length) throw fail(pos, 'missing value for command');
    return pipe;
  }

  function operand(tok: Token, scope: Set<string>, pos: number): Arg {
    switch (tok.t) {
      case 'field':
        return tok.v === '.' ? { kind: 'dot' } : { kind: 'field', path: tok.v.split('.').slice(1) };
      case 'var': {
        const [name, ...path] = tok.v.split('.');
        if (!scope.has(name!)) throw fail(pos, `undefined variable "${name}"`);
        return { kind: 'variable', name: name!, path };
      }
      case 'string':
        return { kind: 'string', value: tok.v };
      case 'char':
        return { kind: 'number', text: tok.v, int: BigInt(tok.v), float: Number(tok.v), isFloat: false };
      case 'number':
        return number(tok.v, pos);
      case 'ident':
        if (tok.v === 'true' || tok.v === 'false') return { kind: 'bool', value: tok.v === 'true' };
        if (tok.v === 'nil') return { kind: 'nil' };
        if (tok.v.includes('.')) throw fail(pos, `unexpected ${tok.v}`);
        if (KEYWORDS.has(tok.v)) throw fail(pos, `unexpected ${tok.v} in command`);
        if (!functions.has(tok.v)) throw fail(pos, functions.unknown(tok.v));
        return { kind: 'func', name: tok.v };
      default:
        throw fail(pos, `unexpected "${tok.v}" in command`);
    }
  }

  function number(text: string, pos: number): Arg {
    const clean = text.replace(/_/g, '');
    const radix = /^[-+]?0[xXbBoO]/.test(clean);
    let value = Number.NaN;
    try {
      value = radix
        ? (clean.startsWith('-') ? -1 : 1) * Number(BigInt(clean.replace(/^[-+]/, '')))
        : Number(clean);
    } catch {
      // not a number: reported below
    }
    if (!Number.isFinite(value) || clean === '' || clean === '-' || clean === '+')
      throw fail(pos, `bad number syntax: "${text}"`);
    const isFloat = !radix && /[.eE]/.test(clean);
    const int =
      Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER ? BigInt(value) : undefined;
    return { kind: 'number', text, float: value, isFloat, ...(int !== undefined && { int }) };
  }

  const { nodes, stop } = list(0, new Set(['$']), false);
  if (stop) throw fail(0, `unexpected {{${stop[0]!.v}}}`);
  return { root: nodes, defines };
}
