import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parameterValue, parseParameterizedValue } from '../../../../core/mime/index.js';

test('parameters: quoting, comments, case, duplicates and junk', () => {
  assert.deepEqual(parseParameterizedValue('attachment; FileName="a \\"b\\" (c);d.txt" (note); ;; junk; Size = 42 (bytes)'), {
    value: 'attachment',
    params: [
      ['filename', 'a "b" (c);d.txt'],
      ['size', '42'],
    ],
  });
  assert.deepEqual(parseParameterizedValue('text/plain (plain text) ; charset=us-ascii; charset=utf-8'), {
    value: 'text/plain',
    params: [['charset', 'us-ascii']],
  });
  assert.deepEqual(parseParameterizedValue('x/y; name="unterminated'), { value: 'x/y', params: [['name', 'unterminated']] });
  assert.deepEqual(parseParameterizedValue('x/y; (unclosed comment'), { value: 'x/y', params: [] });
  assert.deepEqual(parseParameterizedValue(''), { value: '', params: [] });
});

test('RFC 2231: continuations in any order, gaps, mixed plain and extended segments', () => {
  const shuffled = parseParameterizedValue('a/b; title*2="c"; title*0="a"; title*1="b"').params;
  assert.deepEqual(shuffled, [['title', 'abc']]);
  const mixed = parseParameterizedValue('a/b; title*0*=us-ascii\'en\'This%20is; title*1=" 50% off"').params;
  assert.deepEqual(mixed, [['title*', "us-ascii'en'This%20is%2050%25%20off"]]);
  assert.equal(parameterValue(mixed, 'title'), 'This is 50% off');
  // Both forms present (a common fallback): the extended one is the one parameterValue decodes.
  const both = parseParameterizedValue('a/b; filename="fallback.txt"; filename*=UTF-8\'\'%E6%97%A5%E6%9C%AC.txt').params;
  assert.deepEqual(
    both.map(([name]) => name),
    ['filename', 'filename*'],
  );
  assert.equal(parameterValue(both, 'filename'), '日本.txt');
  assert.equal(parameterValue(parseParameterizedValue('a/b; name="=?UTF-8?B?5pel5pys?=.pdf"').params, 'name'), '日本.pdf');
  assert.equal(parameterValue([], 'name'), null);
  assert.equal(typeof parameterValue([['name*', "bogus-charset''%FF%ZZ"]], 'name'), 'string');
});
