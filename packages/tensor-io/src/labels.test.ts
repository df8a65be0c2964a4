import { describe, expect, it } from 'vitest';
import { parseClassNames, parseCsvRows, parseLabelsCsv, parseLabelsJson, parseLabelsText } from './labels';
import { dataBytes, expectEmmsError, expected } from './test-utils';

const dataText = (name: string) => new TextDecoder().decode(dataBytes(name));

const arr = (x: Int32Array) => Array.from(x);

describe('parseLabelsText', () => {
  it('integer lines are class indices', () => {
    const r = parseLabelsText('0\n2\r\n 1 \n\n\n', 'y.txt');
    expect(arr(r.labels)).toEqual([0, 2, 1]);
    expect(r.classNames).toBeUndefined();
  });

  it('names map to sorted class names', () => {
    const r = parseLabelsText('\uFEFFdog\ncat\nbird\ncat\n', 'y.txt');
    expect(r.classNames).toEqual(['bird', 'cat', 'dog']);
    expect(arr(r.labels)).toEqual([2, 1, 0, 1]);
  });

  it('names map to a given class list', () => {
    const r = parseLabelsText('dog\ncat\n', 'y.txt', { classNames: ['cat', 'dog', 'eel'] });
    expect(r.classNames).toEqual(['cat', 'dog', 'eel']);
    expect(arr(r.labels)).toEqual([1, 0]);
    expectEmmsError(() => parseLabelsText('fox\n', 'y.txt', { classNames: ['cat'] }), 'LABELS_PARSE');
    expectEmmsError(() => parseLabelsText('cat\n', 'y.txt', { classNames: ['cat', 'cat'] }), 'LABELS_PARSE');
  });

  it('refuses blanks, mixtures, fractions and empty files', () => {
    const blank = expectEmmsError(() => parseLabelsText('1\n\n2\n', 'y.txt'), 'LABELS_PARSE');
    expect(blank.message).toContain('line 2');
    const mix = expectEmmsError(() => parseLabelsText('1\ncat\n', 'y.txt'), 'LABELS_PARSE');
    expect(mix.message).toContain("'cat'");
    expectEmmsError(() => parseLabelsText('1\n2.5\n', 'y.txt'), 'LABEL_NOT_INTEGER');
    const half = expectEmmsError(() => parseLabelsText('1\n0.5\n', 'y.txt'), 'LABEL_NOT_INTEGER');
    expect(half.message).toContain("line 2 is '0.5', a number that is not a whole class index");
    expectEmmsError(() => parseLabelsText('1\nnan\n', 'y.txt'), 'LABEL_NOT_INTEGER');
    expectEmmsError(() => parseLabelsText('1\ninf\n', 'y.txt'), 'LABEL_NOT_INTEGER');
    expectEmmsError(() => parseLabelsText('1e300\n', 'y.txt'), 'LABEL_OUT_OF_RANGE');
    expectEmmsError(() => parseLabelsText('\n\n', 'y.txt'), 'LABELS_PARSE');
    expectEmmsError(() => parseLabelsText('99999999999\n', 'y.txt'), 'LABEL_OUT_OF_RANGE');
  });
});

describe('labels written by np.savetxt (whole values as floats)', () => {
  // test-data/labels_savetxt.* were written by numpy (make_fixtures.py); expected.json holds
  // numpy's own np.loadtxt(...).astype(int64) of the .txt file.
  it('loads them when every value is whole, and refuses a fraction', () => {
    const want = expected.files['labels_savetxt.txt'].values;
    expect(arr(parseLabelsText(dataText('labels_savetxt.txt'), 'y.txt').labels)).toEqual(want);
    expect(arr(parseLabelsCsv(dataText('labels_savetxt.csv'), 'label', 'y.csv').labels)).toEqual(want);
    // the header row is recognised by index too: every other cell is a whole number
    expect(arr(parseLabelsCsv(dataText('labels_savetxt.csv'), 0, 'y.csv').labels)).toEqual(want);
    expect(arr(parseLabelsText('1.0\n-0.0\n2.\n', 'y.txt').labels)).toEqual([1, 0, 2]);
    const half = expectEmmsError(
      () => parseLabelsText(dataText('labels_savetxt_half.txt'), 'h.txt'),
      'LABEL_NOT_INTEGER',
    );
    expect(half.message).toContain("h.txt: line 3 is '5.000000000000000000e-01'");
  });
});

describe('parseLabelsCsv', () => {
  const csv = 'file,label,score\r\na.jpg,3,0.5\r\n"b,c.jpg",1,0.25\r\n"say ""hi""",0,1\r\n';

  it('splits RFC 4180 rows', () => {
    expect(parseCsvRows(csv)).toEqual([
      ['file', 'label', 'score'],
      ['a.jpg', '3', '0.5'],
      ['b,c.jpg', '1', '0.25'],
      ['say "hi"', '0', '1'],
    ]);
    expect(parseCsvRows('a\n"multi\nline"\n')).toEqual([['a'], ['multi\nline']]);
    expectEmmsError(() => parseCsvRows('"open\n', 'x.csv'), 'LABELS_PARSE');
  });

  it('picks a column by name or index', () => {
    expect(arr(parseLabelsCsv(csv, 'label', 'l.csv').labels)).toEqual([3, 1, 0]);
    expect(arr(parseLabelsCsv(csv, 1, 'l.csv').labels)).toEqual([3, 1, 0]);
    expect(arr(parseLabelsCsv('4\n5\n', 0, 'l.csv').labels)).toEqual([4, 5]);
    const names = parseLabelsCsv('id,cls\n1,cat\n2,ant\n', 'cls', 'l.csv');
    expect(names.classNames).toEqual(['ant', 'cat']);
    expect(arr(names.labels)).toEqual([1, 0]);
    expect(parseLabelsCsv('cat\nant\n', 0, 'l.csv', { header: false }).classNames).toEqual(['ant', 'cat']);
  });

  it('refuses unknown columns, short rows, an ambiguous header and fractions', () => {
    const e = expectEmmsError(() => parseLabelsCsv(csv, 'y', 'l.csv'), 'LABELS_PARSE');
    expect(e.message).toContain("'label'");
    expectEmmsError(() => parseLabelsCsv('a,b\n1\n', 1, 'l.csv', { header: true }), 'LABELS_PARSE');
    expectEmmsError(() => parseLabelsCsv('cat\nant\n', 0, 'l.csv'), 'LABELS_PARSE');
    expectEmmsError(() => parseLabelsCsv(csv, 'score', 'l.csv'), 'LABEL_NOT_INTEGER');
    expectEmmsError(() => parseLabelsCsv(csv, -1, 'l.csv'), 'INVALID_OPTION');
    expectEmmsError(() => parseLabelsCsv('a\n1\n\n2\n', 'a', 'l.csv'), 'LABELS_PARSE');
  });
});

describe('parseLabelsJson', () => {
  it('reads integer and string arrays', () => {
    expect(arr(parseLabelsJson('[2, 0, 1]').labels)).toEqual([2, 0, 1]);
    const r = parseLabelsJson('["b", "a", "b"]');
    expect(r.classNames).toEqual(['a', 'b']);
    expect(arr(r.labels)).toEqual([1, 0, 1]);
  });

  it('refuses other shapes of JSON', () => {
    expectEmmsError(() => parseLabelsJson('{"a": 1}'), 'LABELS_PARSE');
    expectEmmsError(() => parseLabelsJson('[1, "a"]'), 'LABELS_PARSE');
    expectEmmsError(() => parseLabelsJson('[1, null]'), 'LABELS_PARSE');
    expectEmmsError(() => parseLabelsJson('[]'), 'LABELS_PARSE');
    expectEmmsError(() => parseLabelsJson('[1,'), 'LABELS_PARSE');
    expectEmmsError(() => parseLabelsJson('[0.5]'), 'LABEL_NOT_INTEGER');
    expectEmmsError(() => parseLabelsJson('[""]'), 'LABELS_PARSE');
  });
});

describe('parseClassNames', () => {
  it('line i names class i; duplicates allowed; trailing blanks ignored', () => {
    expect(parseClassNames('tench\r\ngoldfish\ncrane\ncrane\n\n')).toEqual([
      'tench',
      'goldfish',
      'crane',
      'crane',
    ]);
  });

  it('refuses empty names and empty files', () => {
    expect(expectEmmsError(() => parseClassNames('a\n \nb\n', 'c.txt'), 'LABELS_PARSE').message).toContain(
      'line 2',
    );
    expectEmmsError(() => parseClassNames(''), 'LABELS_PARSE');
  });
});
