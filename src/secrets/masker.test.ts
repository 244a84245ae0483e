import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MASK, createMasker, isExemptFromMasking, maskAll, maskingForms } from './masker.js';

/** Independent reference: find every occurrence with indexOf, union the ranges, merge touching ones. */
function referenceMask(text: string, secrets: readonly string[]): string {
  const ranges: Array<[number, number]> = [];
  for (const form of new Set(secrets.flatMap(maskingForms))) {
    for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) ranges.push([at, at + form.length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let pos = 0;
  let i = 0;
  while (i < ranges.length) {
    const start = ranges[i][0];
    let end = ranges[i++][1];
    while (i < ranges.length && ranges[i][0] <= end) end = Math.max(end, ranges[i++][1]);
    out += text.slice(pos, start) + MASK;
    pos = end;
  }
  return out + text.slice(pos);
}

function pushInChunks(secrets: readonly string[], chunks: readonly string[]): { out: string; pieces: string[] } {
  const masker = createMasker(secrets);
  const pieces = chunks.map((chunk) => masker.push(chunk));
  pieces.push(masker.flush());
  return { out: pieces.join(''), pieces };
}

function split(text: string, cuts: readonly number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let prev = 0;
  for (const point of points) {
    chunks.push(text.slice(prev, point));
    prev = point;
  }
  chunks.push(text.slice(prev));
  return chunks;
}

// A small alphabet makes overlaps, self-overlaps and near-misses frequent. No '*', so a mask can never form a secret.
const unit = fc.constantFrom('a', 'b', 'c', 'A', '=', '%', '"', '\\', '\n', ' ', 'é', '😀');
const scenario = fc
  .record({
    secrets: fc.array(fc.string({ unit, minLength: 1, maxLength: 9 }), { minLength: 1, maxLength: 4 }),
    pieces: fc.array(
      fc.record({ kind: fc.nat(3), index: fc.nat(), cut: fc.nat(), text: fc.string({ unit, maxLength: 6 }) }),
      { maxLength: 12 },
    ),
    cuts: fc.array(fc.nat(), { maxLength: 12 }),
  })
  .map(({ secrets, pieces, cuts }) => {
    const forms = secrets.flatMap(maskingForms);
    const text = pieces
      .map((piece) => {
        if (piece.kind === 0 || forms.length === 0) return piece.text;
        const form = forms[piece.index % forms.length];
        if (piece.kind === 1) return form;
        if (piece.kind === 2) return form.slice(0, piece.cut % form.length); // a near miss
        return form.slice(piece.cut % form.length);
      })
      .join('');
    return { secrets, text, chunks: split(text, cuts) };
  });

describe('masker properties', () => {
  test('maskAll equals an independent indexOf-based reference', () => {
    fc.assert(fc.property(scenario, ({ secrets, text }) => {
      assert.equal(maskAll(text, secrets), referenceMask(text, secrets));
    }), { numRuns: 1500 });
  });

  test('any split into chunks gives the same output as masking the whole at once', () => {
    fc.assert(fc.property(scenario, ({ secrets, text, chunks }) => {
      assert.equal(chunks.join(''), text);
      assert.equal(pushInChunks(secrets, chunks).out, maskAll(text, secrets));
    }), { numRuns: 1500 });
  });

  test('one-character chunks give the same output too', () => {
    fc.assert(fc.property(scenario, ({ secrets, text }) => {
      assert.equal(pushInChunks(secrets, text.split('')).out, maskAll(text, secrets));
    }), { numRuns: 500 });
  });

  test('the masked output never contains any form of any secret', () => {
    fc.assert(fc.property(scenario, ({ secrets, chunks }) => {
      const { out } = pushInChunks(secrets, chunks);
      for (const form of secrets.flatMap(maskingForms)) assert.ok(!out.includes(form), `leaked ${JSON.stringify(form)}`);
    }), { numRuns: 1500 });
  });

  test('push holds back only a suffix that is a proper prefix of some form', () => {
    fc.assert(fc.property(scenario, ({ secrets, chunks }) => {
      const forms = secrets.flatMap(maskingForms);
      const masker = createMasker(secrets);
      let seen = '';
      let emitted = '';
      for (const chunk of chunks) {
        seen += chunk;
        emitted += masker.push(chunk);
        if (!maskAll(seen, secrets).includes(MASK)) {
          assert.ok(seen.startsWith(emitted));
          const held = seen.slice(emitted.length);
          if (held.length > 0) {
            assert.ok(forms.some((form) => form.length > held.length && form.startsWith(held)), `held ${JSON.stringify(held)} needlessly`);
          }
        }
      }
    }), { numRuns: 1000 });
  });
});

describe('masker behaviour', () => {
  test('the mask is ****', () => {
    assert.equal(MASK, '****');
    assert.equal(maskAll('token=hunter22 ok', ['hunter22']), 'token=**** ok');
  });

  test('a secret split across chunks is masked', () => {
    const { pieces, out } = pushInChunks(['my-secret-value'], ['echo my-sec', 'ret-va', 'lue done\n']);
    assert.equal(out, 'echo **** done\n');
    assert.ok(pieces.every((piece) => !piece.includes('sec')));
  });

  test('self-overlapping secret written as two writes (gitlab-runner leak case)', () => {
    assert.equal(pushInChunks(['aaab'], ['xaa', 'aab']).out, 'xa****');
    assert.equal(pushInChunks(['abab'], ['abab', 'ab']).out, '****');
  });

  test('a match that touches a mask emitted by an earlier chunk merges with it (found by the split property)', () => {
    const secrets = ['\naaaa\na'];
    const masker = createMasker(secrets);
    const streamed = masker.push('KYWFhYQphphYWFh') + masker.push('Cmaa') + masker.flush();
    assert.equal(streamed, maskAll('KYWFhYQphphYWFhCmaa', secrets));
    assert.equal(streamed, '****aa');
  });

  test('overlapping and adjacent secrets merge into one mask', () => {
    assert.equal(maskAll('xxabcdefghixx', ['abcdef', 'defghi']), 'xx****xx');
    assert.equal(maskAll('xxabcdefghixx', ['defghi', 'abcdef']), 'xx****xx', 'order of secrets does not matter');
    assert.equal(maskAll('1234abcd', ['1234', 'abcd']), '****');
    assert.equal(maskAll('1234-abcd', ['1234', 'abcd']), '****-****');
  });

  test('each line of a multi-line secret is masked; short lines are not', () => {
    const pem = '-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34\nab\n-----END KEY-----';
    assert.ok(maskingForms(pem).includes('MIIBOgIBAAJBAKj34'));
    assert.ok(!maskingForms(pem).includes('ab'));
    assert.equal(maskAll('line: MIIBOgIBAAJBAKj34 (ab)', [pem]), 'line: **** (ab)');
    assert.equal(maskAll(`x${pem.replace(/\n/g, '\r\n')}y`, [pem]), 'x****\r\n****\r\nab\r\n****y');
  });

  test('base64 forms at all three byte alignments are masked', () => {
    const secret = 'hunter2-Tr0ub4dor';
    for (const prefix of ['', 'u', 'u:']) {
      for (const suffix of ['', '!', '!!', '!!!']) {
        const encoded = Buffer.from(`${prefix}${secret}${suffix}`).toString('base64');
        const masked = maskAll(encoded, [secret]);
        // Characters with any bit of the prefix stay visible: 0, 2 or 3 of them; then one mask.
        const visible = [0, 2, 3][prefix.length];
        assert.equal(masked.slice(0, visible), encoded.slice(0, visible));
        assert.equal(masked.slice(visible, visible + 4), MASK, `${prefix}|${suffix}: ${masked}`);
        // After the mask only characters carrying bits of the suffix remain. The first of them may mix in
        // 2-4 secret bits; it is masked too when the suffix bits happen to be zero (the "value at the end" form).
        const suffixDependent = encoded.length - Math.floor((8 * (prefix.length + secret.length)) / 6);
        const rest = masked.slice(visible + 4);
        assert.ok(encoded.endsWith(rest), `${prefix}|${suffix}: ${masked}`);
        if (suffix === '') assert.equal(rest, '', 'value at the end: padding masked too');
        else assert.ok(rest.length === suffixDependent || rest.length === suffixDependent - 1, `${prefix}|${suffix}: ${masked}`);
      }
    }
  });

  test('echo -n "u:$S" | base64 (basic auth) is masked', () => {
    assert.equal(maskAll(`Authorization: Basic ${Buffer.from('u:hunter2!').toString('base64')}`, ['hunter2!']), 'Authorization: Basic dTp****');
  });

  test('URL-encoded and JSON-escaped forms are masked', () => {
    const secret = 'p@ss wörd/"1"\\';
    assert.equal(maskAll(`GET /?token=${encodeURIComponent(secret)}&x=1`, [secret]), 'GET /?token=****&x=1');
    assert.equal(maskAll(JSON.stringify({ token: secret }), [secret]), '{"token":"****"}');
    const python = '{"token": "p@ss w\\u00f6rd/\\"1\\"\\\\"}';
    assert.equal(maskAll(python, [secret]), '{"token": "****"}');
  });

  test('values shorter than 4 characters and true/false are not masked', () => {
    for (const value of ['', 'abc', ' ab ', 'true', 'false', 'True', 'FALSE']) {
      assert.ok(isExemptFromMasking(value), value);
      assert.deepEqual(maskingForms(value), []);
    }
    assert.equal(maskAll('abc true False', ['abc', 'true', 'False']), 'abc true False');
    assert.equal(maskAll('abcd', ['abcd']), MASK);
    assert.equal(maskAll('😀😀', ['😀😀']), '😀😀', 'two code points are too short');
  });

  test('live output is held back only while it could still become a secret', () => {
    const masker = createMasker(['abcdef']);
    assert.equal(masker.push('hello ab'), 'hello ');
    assert.equal(masker.push('x and more'), 'abx and more');
    assert.equal(masker.push(' abcdef'), ' ****');
    assert.equal(masker.push(' abcde'), ' ');
    assert.equal(masker.flush(), 'abcde');
    assert.equal(masker.push('plain'), 'plain', 'flush resets for a new stream');
  });

  test('no secrets: output passes through unchanged', () => {
    const masker = createMasker(['no', 'true']);
    assert.equal(masker.push('anything at all'), 'anything at all');
    assert.equal(masker.flush(), '');
  });

  test('100 secrets over 4 MB of output: every occurrence masked, in linear time', () => {
    const secrets = Array.from({ length: 100 }, (_, i) => `sk_live_${i}_${'Zq9'.repeat(5 + (i % 7))}`);
    const lines: string[] = [];
    let planted = 0;
    let size = 0;
    for (let i = 0; size < 4_000_000; i++) {
      let line = `step ${i}: compiling module ${i % 313} ok\n`;
      if (i % 50 === 0) {
        line = `${line.trimEnd()} key=${secrets[i % 100]}\n`;
        planted++;
      }
      lines.push(line);
      size += line.length;
    }
    const text = lines.join('');
    const started = performance.now();
    const { out } = pushInChunks(secrets, split(text, Array.from({ length: 1000 }, (_, i) => i * 4099)));
    const elapsed = performance.now() - started;
    assert.equal(out.split(MASK).length - 1, planted);
    assert.ok(!secrets.some((secret) => out.includes(secret)));
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
  });
});
