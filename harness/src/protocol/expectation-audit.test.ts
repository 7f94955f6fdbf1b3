import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Step } from '../spec/types.ts';
import { acceptedCodes, auditExpectations, describeFinding } from './expectation-audit.ts';

const audit = (steps: Step[]) => auditExpectations([{ id: 'x.case', steps }]).map(describeFinding);

describe('acceptedCodes', () => {
  test('applies code, codes, class and notCodes together, and judges nothing without them', () => {
    assert.deepEqual([...(acceptedCodes({ class: [4, 5], notCodes: [451] }, [200, 450, 451, 550]) ?? [])], [450, 550]);
    assert.deepEqual([...(acceptedCodes({ codes: [250, 530] }, [250, 550]) ?? [])].sort(), [250, 530]);
    assert.equal(acceptedCodes({ text: 'x' }, [200]), null);
    assert.equal(acceptedCodes({ closed: true }, [200]), null);
  });
});

describe('auditExpectations', () => {
  test('flags a code the RFC does not list for the command (530 for PWD)', () => {
    assert.deepEqual(audit([{ connect: true }, { send: 'PWD', expect: { code: 530 } }]), [
      'x.case steps[1] PWD: names codes the RFC does not list 530',
      'x.case steps[1] PWD: wants a refusal but fails listed refusals 500, 501, 502, 550',
    ]);
  });

  test('flags a refusal that fails refusals the RFC lists, and passes one that takes them all', () => {
    assert.deepEqual(audit([{ connect: true }, { cd: '/', expect: { code: 530 } }]), ['x.case steps[1] CWD: wants a refusal but fails listed refusals 500, 501, 502, 550']);
    assert.deepEqual(audit([{ connect: true }, { cd: '/', expect: { class: [4, 5] } }]), []);
  });

  test('does not ask a logged-in session to accept 530, nor anyone to list 421', () => {
    assert.deepEqual(audit([{ login: 'user' }, { cd: 'missing', expect: { codes: [550, 500, 501, 502] } }]), []);
    assert.deepEqual(audit([{ login: 'user' }, { send: 'USER other' }, { cd: 'x', expect: { codes: [550, 500, 501, 502] } }]), ['x.case steps[2] CWD: wants a refusal but fails listed refusals 530']);
  });

  test('judges a rename against RNFR and RNTO, and a transfer\'s 554 only after REST', () => {
    assert.deepEqual(audit([{ login: 'user' }, { rename: { from: 'a', to: 'b' }, expect: { codes: [450, 550] } }]), [
      'x.case steps[1] RNFR/RNTO: wants a refusal but fails listed refusals 500, 501, 502, 503, 532, 553',
    ]);
    assert.deepEqual(audit([{ login: 'user' }, { get: 'a', expect: { codes: [450, 550, 500, 501] } }]), []);
    assert.deepEqual(audit([{ login: 'user' }, { get: 'a', rest: 5, expect: { codes: [450, 550, 500, 501] } }]), ['x.case steps[1] RETR: wants a refusal but fails listed refusals 554']);
  });

  test('asks a success to take every listed success (CDUP: 200 and 250) and a preliminary 125 and 150', () => {
    assert.deepEqual(audit([{ login: 'user' }, { send: 'CDUP', expect: { code: 250 } }]), ['x.case steps[1] CDUP: wants a success but fails listed successes 200']);
    assert.deepEqual(audit([{ login: 'user' }, { put: 'a', preliminary: { code: 150 } }]), ['x.case steps[1] STOR: fails listed preliminary replies 125']);
  });

  test('knows an unknown verb may only be refused with 500 or 502, and looks into repeat and parallel steps', () => {
    assert.deepEqual(audit([{ login: 'user' }, { repeat: { times: 2, steps: [{ send: 'XYZZY', expect: { code: 500 } }] } }]), ['x.case steps[1].repeat.steps[0] XYZZY: wants a refusal but fails listed refusals 502']);
    assert.deepEqual(audit([{ parallel: [{ session: 'a', steps: [{ login: 'user' }, { send: 'FEAT', expect: { code: 211 } }] }] }]), []);
    assert.deepEqual(audit([{ login: 'user' }, { site: 'CPTO b', expect: { code: 552 } }]), ['x.case steps[1] SITE CPTO: wants a refusal but fails listed refusals 500, 501, 503, 550']);
  });
});
