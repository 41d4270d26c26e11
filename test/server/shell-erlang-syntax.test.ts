/** The shell's translation of Erlang habits (src/server/cli/shell-erlang-syntax.ts). */
import { describe, expect, it } from 'vitest';
import { ERL_CALL, referenceHint, stripFinalDot, translateErlang } from '../../src/server/cli/shell-erlang-syntax.js';

const call = (m: string, f: string) => `${ERL_CALL}('${m}', '${f}')(`;

describe('translateErlang', () => {
  it('drops the final dot and calls mod:fun, also nested', () => {
    expect(translateErlang('nodes().')).toBe('nodes()');
    expect(translateErlang('kvs:start().\n')).toBe(`${call('kvs', 'start')})`);
    expect(translateErlang("io:format('~p~n', [lists:seq(1, 3)])")).toBe(`${call('io', 'format')}'~p~n', [${call('lists', 'seq')}1, 3)])`);
  });

  it('leaves JavaScript alone: strings, objects, conditionals, labels, numbers, comments', () => {
    for (const js of ["'kvs:start()'", '{ a:f(1) }', 'x ? a:b()', 'outer: for (;;) break outer', '1.', 'a.b', 'x // end.', '`m:f()`']) {
      expect(translateErlang(js)).toBe(js);
    }
    expect(stripFinalDot('x..')).toBe('x..');
  });

  it("words a ReferenceError as erl does", () => {
    const ref = (name: string) => new ReferenceError(`${name} is not defined`);
    expect(referenceHint(ref('kvs2'), 'kvs2.start()')).toBe('** exception error: undefined module kvs2 (calling kvs2:start)');
    expect(referenceHint(ref('X'), 'X + 1')).toBe("** exception error: variable 'X' is unbound");
    expect(referenceHint(ref('weather'), 'weather')).toContain("'weather'");
    expect(referenceHint(new TypeError('x'), 'x')).toBeUndefined();
  });

  it('answers a line of Erlang that is not JavaScript with a hint in the shell\'s syntax', () => {
    const syntax = new SyntaxError('missing ) after argument list');
    for (const erl of ['rpc:call(gandalf@vm, kvs, start, []).', 'F = fun(X) -> X end.', 'B = <<"abc">>.']) {
      expect(referenceHint(syntax, erl)).toMatch(/^\*\* exception error: syntax error .*this shell reads JavaScript.*rpc\.call\('gandalf@host'/);
    }
    // A JavaScript slip, or an @ inside a string, keeps JavaScript's own message.
    expect(referenceHint(syntax, "rpc.call('gandalf@vm', 'kvs', 'start', [)")).toBeUndefined();
    expect(referenceHint(syntax, 'foo(')).toBeUndefined();
  });
});
