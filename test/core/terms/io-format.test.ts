import { describe, expect, it } from 'vitest';
import { ErlmeshError } from '../../../src/core/base/errors.js';
import { ioFormat } from '../../../src/core/terms/io-format.js';
import { Pid } from '../../../src/core/terms/pid.js';

const pid = new Pid('gandalf@host', 42, 0, 3);

describe('ioFormat', () => {
  it.each<[string, unknown[], string]>([
    ['plain text', [], 'plain text'],
    ['~p', [['ok', 'fine']], "['ok', 'fine']"],
    ['~w', [{ a: 1 }], '{ a: 1 }'],
    ['~s got ~p from ~p~n', ['kvs', ['put', 'k', 1], pid], "kvs got ['put', 'k', 1] from <gandalf@host.42.0>\n"],
    ['~s', [new Uint8Array([0x68, 0xc3, 0xa9])], 'hé'],
    ['~s', [[104, 105]], 'hi'],
    ['~s', [[[72], 'i', new Uint8Array([33])]], 'Hi!'],
    ['~ts|~tp', ['x', 'x'], "x|'x'"],
    ['~n', [], '\n'],
    ['100~~', [], '100~'],
    ['~b ~B', [42, -7], '42 -7'],
    ['~b', [12345678901234567890n], '12345678901234567890'],
    ['~.16b ~.16B ~.2b', [255, 255, 5], 'ff FF 101'],
    ['~f', [1], '1.000000'],
    ['~f', [3.14159], '3.141590'],
    ['~.2f', [3.14159], '3.14'],
    ['~e', [3.14], '3.14000e+0'],
    ['~.3e', [1234.5], '1.23e+3'],
    ['a~ib', ['skipped'], 'ab'],
    ['~c~c', [104, 0x1f600], 'h😀'],
  ])('ioFormat(%j, …)', (fmt, args, expected) => {
    expect(ioFormat(fmt, args)).toBe(expected);
  });

  it.each<[string, string, unknown[]]>([
    ['too few arguments', '~p ~p', [1]],
    ['too many arguments', '~p', [1, 2]],
    ['arguments without directives', 'hello', [1]],
    ['an unknown directive', '~z', [1]],
    ['a lone tilde', 'oops~', []],
    ['precision on ~p', '~.2p', [1]],
    ['a float for ~b', '~b', [1.5]],
    ['a string for ~b', '~b', ['1']],
    ['a base out of range', '~.37b', [1]],
    ['a number for ~s', '~s', [1]],
    ['a pid for ~s', '~s', [pid]],
    ['a negative char code', '~c', [-1]],
    ['a string for ~c', '~c', ['a']],
    ['a string for ~f', '~f', ['1.0']],
    ['a bigint for ~e', '~e', [1n]],
    ['a precision below 2 for ~e', '~.1e', [1]],
  ])('%s throws badarg', (_name, fmt, args) => {
    let caught: unknown;
    try {
      ioFormat(fmt, args);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ErlmeshError);
    expect((caught as ErlmeshError).code).toBe('badarg');
  });
});
