/**
 * `ioFormat`: Erlang's `io_lib:format/2` for the directives erlmesh code and shell users need.
 */
import { badarg } from '../base/errors.js';
import { formatTerm } from './format.js';

const utf8 = new TextDecoder('utf-8');

/**
 * Formats `args` according to the Erlang control string `fmt`.
 *
 * Directives: `~p` / `~w` (term, via formatTerm), `~s` (string, UTF-8 Uint8Array, or a
 * possibly nested array of char codes / strings / binaries), `~c` (char code), `~b` / `~B`
 * (integer, base 10; `~.16b` / `~.16B` pick another base, lower / upper case letters),
 * `~f` (float, 6 decimals; `~.2f` for 2), `~e` (scientific, 6 significant digits as Erlang:
 * `~e` of 3.14 is `3.14000e+0`; `~.3e` for 3), `~i` (skip an argument), `~n` (newline),
 * `~~` (a tilde). The Unicode / latin1 modifiers `t` and `l` (`~ts`, `~tp`) are accepted
 * and ignored. Too few or too many arguments, a bad argument or an unknown directive throw
 * `badarg` (ErlmeshError code `'badarg'`), as Erlang does.
 *
 * @example
 * ioFormat('~s got ~p from ~p~n', ['kvs', ['put', 'k', 1], pid])
 * // => "kvs got ['put', 'k', 1] from <gandalf@host.42.0>\n"
 * ioFormat('~.2f ~b ~.16B', [3.14159, 42, 255]) // => '3.14 42 FF'
 */
export function ioFormat(fmt: string, args: readonly unknown[]): string {
  let out = '';
  let next = 0;
  let i = 0;
  const take = (d: string): unknown => {
    if (next >= args.length) {
      throw badarg(
        `io_format: too few arguments for ${JSON.stringify(fmt)} (${args.length} given, ~${d} needs one more)`,
        { fmt, args },
      );
    }
    return args[next++];
  };

  while (i < fmt.length) {
    const t = fmt.indexOf('~', i);
    if (t < 0) {
      out += fmt.slice(i);
      break;
    }
    out += fmt.slice(i, t);
    i = t + 1;

    // Optional `.P` precision, then optional `t` / `l` modifiers, then the control char.
    let precision: number | undefined;
    if (fmt[i] === '.') {
      const m = /^\.(\d+)/.exec(fmt.slice(i, i + 12));
      if (m === null) throw unknown(fmt, t, i + 1);
      precision = Number(m[1]);
      i += m[0].length;
    }
    while (fmt[i] === 't' || fmt[i] === 'l') i++;
    const c = fmt[i];
    if (c === undefined) throw unknown(fmt, t, i);
    i++;
    if (precision !== undefined && !'feBb'.includes(c)) throw unknown(fmt, t, i);

    switch (c) {
      case '~':
        out += '~';
        break;
      case 'n':
        out += '\n';
        break;
      case 'p':
      case 'w':
        out += formatTerm(take(c));
        break;
      case 's':
        out += chars(take(c), fmt);
        break;
      case 'c':
        out += char(take(c), fmt);
        break;
      case 'i':
        take(c);
        break;
      case 'b':
      case 'B':
        out += integer(take(c), precision ?? 10, c === 'B', fmt);
        break;
      case 'f':
        out += float(take(c), fmt, (x) => {
          const p = precision ?? 6;
          if (p > 100) throw badarg(`io_format: precision ~.${p}f too large`, { fmt });
          return x.toFixed(p);
        });
        break;
      case 'e':
        out += float(take(c), fmt, (x) => {
          const p = precision ?? 6;
          if (p < 2 || p > 101) throw badarg(`io_format: bad precision ~.${p}e`, { fmt });
          return x.toExponential(p - 1);
        });
        break;
      default:
        throw unknown(fmt, t, i);
    }
  }

  if (next < args.length) {
    throw badarg(
      `io_format: too many arguments for ${JSON.stringify(fmt)} (${args.length} given, ${next} used)`,
      { fmt, args },
    );
  }
  return out;
}

function unknown(fmt: string, start: number, end: number): Error {
  const directive = JSON.stringify(fmt.slice(start, end));
  return badarg(`io_format: unknown directive ${directive} at ${start} in ${JSON.stringify(fmt)}`, {
    fmt,
  });
}

function chars(v: unknown, fmt: string): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return utf8.decode(v as Uint8Array<ArrayBuffer>);
  if (Array.isArray(v)) {
    let s = '';
    for (const x of v as unknown[]) s += typeof x === 'number' ? char(x, fmt) : chars(x, fmt);
    return s;
  }
  throw badarg(`io_format: ~s needs a string, a binary or a char list, got ${formatTerm(v, { maxDepth: 2, maxLength: 5 })}`, { fmt });
}

function char(v: unknown, fmt: string): string {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0x10ffff) {
    return String.fromCodePoint(v);
  }
  throw badarg(`io_format: ~c needs a char code, got ${formatTerm(v, { maxDepth: 2, maxLength: 5 })}`, { fmt });
}

function integer(v: unknown, base: number, upper: boolean, fmt: string): string {
  if (base < 2 || base > 36) throw badarg(`io_format: base ${base} out of range 2..36`, { fmt });
  let s: string;
  if (typeof v === 'bigint') s = v.toString(base);
  else if (typeof v === 'number' && Number.isInteger(v)) s = v.toString(base);
  else throw badarg(`io_format: ~b needs an integer, got ${formatTerm(v, { maxDepth: 2, maxLength: 5 })}`, { fmt });
  return upper ? s.toUpperCase() : s;
}

function float(v: unknown, fmt: string, f: (x: number) => string): string {
  if (typeof v !== 'number') {
    throw badarg(`io_format: ~f/~e need a number, got ${formatTerm(v, { maxDepth: 2, maxLength: 5 })}`, { fmt });
  }
  return f(v);
}
