// Executes a parsed template over Go-like data (values.ts), with Go's rules for fields, missing
// keys (`missingkey=error`), truthiness, variables and their scopes, range over lists (and
// maps, by sorted key), and pipelines feeding the last argument. Output and work are bounded.

import type { Arg, Command, Node, Parsed, Pipe } from './parse.js';
import { TemplateError } from './parse.js';
import { isMapValue, printValue, truth, typeName, type GoValue } from './values.js';

export interface GoFunc {
  /** Called with evaluated arguments; `raw` lets and/or evaluate lazily. */
  call(args: GoValue[]): GoValue;
  /** and/or: arguments are thunks, evaluated left to right until one decides. */
  lazy?: boolean;
}

export interface ExecOptions {
  missingKey: 'error' | 'default';
  funcs: Map<string, GoFunc>;
}

/** Output beyond this is refused: a template that loops itself large is an error, not memory. */
const MAX_OUTPUT = 1 << 20;
const MAX_STEPS = 1_000_000;
const MAX_CALL_DEPTH = 1000;

class Control {
  constructor(readonly kind: 'break' | 'continue') {}
}

export function execute(parsed: Parsed, data: GoValue, options: ExecOptions): string {
  let out = '';
  let steps = 0;
  let depth = 0;
  const fail = (why: string) => new TemplateError(why, 'exec');
  const write = (text: string) => {
    out += text;
    if (out.length > MAX_OUTPUT) throw fail(`the output exceeds ${MAX_OUTPUT} characters`);
  };

  type Scope = Map<string, GoValue>[];
  const lookupVar = (scope: Scope, name: string): GoValue => {
    for (let i = scope.length - 1; i >= 0; i--) if (scope[i]!.has(name)) return scope[i]!.get(name)!;
    throw fail(`undefined variable "${name}"`);
  };
  const setVar = (scope: Scope, name: string, value: GoValue) => {
    for (let i = scope.length - 1; i >= 0; i--) {
      if (scope[i]!.has(name)) {
        scope[i]!.set(name, value);
        return;
      }
    }
    throw fail(`undefined variable "${name}"`);
  };

  function field(receiver: GoValue, name: string, shown: string): GoValue {
    if (receiver === null) return null;
    if (!isMapValue(receiver)) {
      throw fail(`executing at <${shown}>: can't evaluate field ${name} in type ${typeName(receiver)}`);
    }
    if (Object.hasOwn(receiver, name)) return receiver[name]!;
    if (options.missingKey === 'error')
      throw fail(`executing at <${shown}>: map has no entry for key "${name}"`);
    return null;
  }

  const chain = (value: GoValue, path: string[], shown: string) =>
    path.reduce((v, name) => field(v, name, shown), value);

  function evalArg(arg: Arg, dot: GoValue, scope: Scope): GoValue {
    switch (arg.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'bool':
        return arg.value;
      case 'string':
        return arg.value;
      case 'number':
        return arg.isFloat || arg.int === undefined ? arg.float : arg.int;
      case 'field':
        return chain(dot, arg.path, `.${arg.path.join('.')}`);
      case 'variable':
        return chain(lookupVar(scope, arg.name), arg.path, [arg.name, ...arg.path].join('.'));
      case 'pipe':
        return chain(evalPipe(arg.pipe, dot, scope), arg.path, '(…)');
      case 'func':
        return callFunc(arg.name, [], dot, scope, undefined);
    }
  }

  function callFunc(
    name: string,
    args: Arg[],
    dot: GoValue,
    scope: Scope,
    piped: GoValue | undefined
  ): GoValue {
    const fn = options.funcs.get(name)!;
    if (++depth > MAX_CALL_DEPTH) throw fail('too many nested calls');
    try {
      if (fn.lazy) {
        const thunks = args.map((a) => () => evalArg(a, dot, scope));
        if (piped !== undefined) thunks.push(() => piped);
        return lazyLogic(name, thunks);
      }
      const values = args.map((a) => evalArg(a, dot, scope));
      if (piped !== undefined) values.push(piped);
      try {
        return fn.call(values);
      } catch (err) {
        if (err instanceof TemplateError) throw err;
        throw fail(`executing at <${name}>: error calling ${name}: ${(err as Error).message}`);
      }
    } finally {
      depth--;
    }
  }

  function lazyLogic(name: string, thunks: (() => GoValue)[]): GoValue {
    if (!thunks.length) throw fail(`wrong number of args for ${name}: want at least 1 got 0`);
    let value: GoValue = null;
    for (const thunk of thunks) {
      value = thunk();
      if (name === 'and' ? !truth(value) : truth(value)) return value;
    }
    return value;
  }

  function evalCommand(command: Command, dot: GoValue, scope: Scope, piped: GoValue | undefined): GoValue {
    const [first, ...rest] = command.args;
    if (first!.kind === 'func') return callFunc(first!.name, rest, dot, scope, piped);
    if (rest.length || piped !== undefined) {
      const what = first!.kind === 'field' ? first!.path.at(-1) : first!.kind;
      throw fail(`executing at <${what}>: ${what} is not a method but has arguments`);
    }
    return evalArg(first!, dot, scope);
  }

  function evalPipe(pipe: Pipe, dot: GoValue, scope: Scope): GoValue {
    let value: GoValue | undefined;
    for (const command of pipe.commands) value = evalCommand(command, dot, scope, value);
    if (pipe.decl && pipe.decl.names.length === 1) {
      if (pipe.decl.assign) setVar(scope, pipe.decl.names[0]!, value!);
      else scope[scope.length - 1]!.set(pipe.decl.names[0]!, value!);
    }
    return value!;
  }

  function run(nodes: Node[], dot: GoValue, scope: Scope): void {
    for (const node of nodes) {
      if (++steps > MAX_STEPS) throw fail(`the template takes more than ${MAX_STEPS} steps`);
      switch (node.kind) {
        case 'text':
          write(node.text);
          break;
        case 'action': {
          const value = evalPipe(node.pipe, dot, scope);
          if (!node.pipe.decl) write(printValue(value, '<no value>'));
          break;
        }
        case 'if':
        case 'with': {
          const inner: Scope = [...scope, new Map()];
          const value = evalPipe(node.pipe, dot, inner);
          if (truth(value)) run(node.then, node.kind === 'with' ? value : dot, inner);
          else if (node.else) run(node.else, dot, [...scope, new Map()]);
          break;
        }
        case 'range':
          range(node, dot, scope);
          break;
        case 'template': {
          const body = parsed.defines.get(node.name);
          if (!body) throw fail(`template "${node.name}" not defined`);
          if (++depth > MAX_CALL_DEPTH) throw fail('exceeded maximum template depth');
          const arg = node.pipe ? evalPipe(node.pipe, dot, scope) : null;
          run(body, arg, [new Map([['$', arg]])]);
          depth--;
          break;
        }
        case 'break':
        case 'continue':
          throw new Control(node.kind);
      }
    }
  }

  function range(node: Extract<Node, { kind: 'range' }>, dot: GoValue, scope: Scope): void {
    const decl = node.pipe.decl;
    const pipe = decl ? { ...node.pipe, decl: undefined } : node.pipe;
    const value = evalPipe(pipe, dot, scope);
    let entries: [GoValue, GoValue][];
    if (value === null) entries = [];
    else if (Array.isArray(value)) entries = value.map((v, i) => [BigInt(i), v]);
    else if (isMapValue(value))
      entries = Object.keys(value)
        .sort()
        .map((k) => [k, value[k]!]);
    else if (typeof value === 'bigint') {
      if (value > BigInt(MAX_STEPS)) throw fail(`range over ${value} takes more than ${MAX_STEPS} steps`);
      entries = Array.from({ length: Math.max(0, Number(value)) }, (_, i) => [BigInt(i), BigInt(i)]);
    } else throw fail(`range can't iterate over ${printValue(value)}`);
    if (!entries.length) {
      if (node.else) run(node.else, dot, [...scope, new Map()]);
      return;
    }
    for (const [key, item] of entries) {
      const inner: Scope = [...scope, new Map()];
      if (decl?.names.length === 1) inner.at(-1)!.set(decl.names[0]!, item);
      if (decl?.names.length === 2) {
        inner.at(-1)!.set(decl.names[0]!, key);
        inner.at(-1)!.set(decl.names[1]!, item);
      }
      try {
        run(node.body, item, inner);
      } catch (err) {
        if (!(err instanceof Control)) throw err;
        if (err.kind === 'break') break;
      }
    }
  }

  run(parsed.root, data, [new Map([['$', data]])]);
  return out;
}
