/**
 * Erlang habits at the erlmesh prompt. Before a line is evaluated as JavaScript:
 *
 * - a trailing `.` ending the expression is dropped (`nodes().` is `nodes()`);
 * - `mod:fun(` becomes a call of that module function, as `mod.fun(` would be, except that a
 *   module or function that is not loaded raises `undefined function mod:fun/N` as erl does
 *   (not a ReferenceError). Only where it cannot mean JavaScript: outside strings, comments,
 *   template literals and braces (`{ key:f() }` is an object), and never after a `?` (a
 *   conditional's `a ? b:c()`).
 *
 * Anything else is left as it is. Pure text in, text out: tested on its own.
 */

/** The global the shell binds to call `mod:fun` (see bindings.ts). */
export const ERL_CALL = '__erlmesh_call';

/** `label: for (…)`, `case x: if (…)`: JavaScript, not a call. */
const KEYWORDS = new Set([
  'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'default', 'delete', 'do', 'else', 'for',
  'function', 'if', 'in', 'instanceof', 'let', 'new', 'return', 'switch', 'throw', 'try', 'typeof', 'var',
  'void', 'while', 'with', 'yield', 'async', 'of',
]);

const CALL = /([a-z][A-Za-z0-9_]*)\s*:\s*([a-z][A-Za-z0-9_]*)\s*\(/y;

/** `code` with Erlang's `mod:fun(...)` calls and the final `.` translated. */
export function translateErlang(code: string): string {
  return translateCalls(stripFinalDot(code));
}

/** Drop one `.` ending the input (not `..`, nor a number's `1.`, nor inside a comment). */
export function stripFinalDot(code: string): string {
  const m = /^([\s\S]*[^.\s])\.\s*$/.exec(code);
  if (!m) return code;
  const body = m[1]!;
  if (/(^|[^\w$.])\d+$/.test(body)) return code; // `1.` is a number
  const lastLine = body.slice(body.lastIndexOf('\n') + 1);
  if (lastLine.includes('//')) return code;
  return body;
}

function translateCalls(code: string): string {
  let out = '';
  let braces = 0;
  let question = false;
  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    const skip = skipLiteral(code, i);
    if (skip > i) {
      out += code.slice(i, skip);
      i = skip;
      continue;
    }
    if (c === '{') braces++;
    else if (c === '}') braces = Math.max(0, braces - 1);
    else if (c === '?') question = true;
    const prev = i === 0 ? '' : code[i - 1]!;
    if (braces === 0 && !question && /[a-z]/.test(c) && !/[\w$.]/.test(prev)) {
      CALL.lastIndex = i;
      const m = CALL.exec(code);
      if (m && !KEYWORDS.has(m[1]!) && !KEYWORDS.has(m[2]!)) {
        out += `${ERL_CALL}('${m[1]!}', '${m[2]!}')(`;
        i = CALL.lastIndex;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

/** The end of a string, template literal or comment starting at `i` (or `i` when none does). */
function skipLiteral(code: string, i: number): number {
  const c = code[i];
  if (c === "'" || c === '"' || c === '`') {
    let j = i + 1;
    while (j < code.length && code[j] !== c) j += code[j] === '\\' ? 2 : 1;
    return Math.min(j + 1, code.length);
  }
  if (c === '/' && code[i + 1] === '/') {
    const nl = code.indexOf('\n', i);
    return nl < 0 ? code.length : nl;
  }
  if (c === '/' && code[i + 1] === '*') {
    const end = code.indexOf('*/', i + 2);
    return end < 0 ? code.length : end + 2;
  }
  return i;
}

/**
 * erl's words for a ReferenceError met at the prompt, or undefined: `kvs2.start()` with no
 * module kvs2 is `undefined module kvs2`; an unbound capitalised name is erl's `variable 'X'
 * is unbound`; a lower-case one gets a hint that atoms are strings here.
 */
export function referenceHint(e: unknown, code: string): string | undefined {
  if (e instanceof Error && e.name === 'SyntaxError') return erlangSyntaxHint(e, code);
  if (!(e instanceof Error) || e.name !== 'ReferenceError') return undefined;
  const name = /^(\S+) is not defined$/.exec(e.message)?.[1];
  if (name === undefined || !/^[A-Za-z_$][\w$]*$/.test(name)) return undefined;
  const call = new RegExp(`(^|[^\\w$.])${name.replace(/\$/g, '\\$')}\\s*\\.\\s*([A-Za-z_$][\\w$]*)\\s*\\(`).exec(code);
  if (call) return `** exception error: undefined module ${name} (calling ${name}:${call[2]!})`;
  if (/^[A-Z_]/.test(name)) return `** exception error: variable '${name}' is unbound`;
  return `** exception error: ${name} is not defined (an atom is a string here: '${name}')`;
}

/**
 * A syntax error on a line written in Erlang (`rpc:call(gandalf@vm, kvs, start, []).`): say
 * so in one line, in the shell's own syntax, instead of JavaScript's bare complaint.
 */
function erlangSyntaxHint(e: Error, code: string): string | undefined {
  const unquoted = code.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
  const erlangish = /[A-Za-z0-9_]@[A-Za-z0-9_]/.test(unquoted) || /\bfun\s*\(.*\)\s*->/.test(unquoted) || /<<.*>>/.test(unquoted);
  if (!erlangish) return undefined;
  return (
    `** exception error: syntax error (${e.message}): this shell reads JavaScript; ` +
    `atoms and node names are strings ('gandalf@host'), Mod:Fun(Args) is mod.fun(args), e.g. rpc.call('gandalf@host', 'kvs', 'start', [])`
  );
}
