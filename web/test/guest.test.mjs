// The committed WebAssembly guest (web/src/guest/numo_guest.wasm) re-executes the spec's vector
// batches, a funding batch and EVM blocks to exactly their public inputs, and refuses tampered and
// truncated blobs with the node's stable error codes. Node >= 20, no dependencies:
//   node --test web/test/guest.test.mjs
// Timings are printed, not asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadGuest, reexecute, fromHex, toHex, PUBLIC_INPUTS_LEN } from '../src/guest/guest.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const vectors = path.resolve(repo, '../shared/spec/vectors/batches');
const evmFixtures = path.join(repo, 'crates/host/tests/fixtures/evm');
const fundingFixture = path.join(repo, 'testing/fixtures/funding_batch');

const wasm = await readFile(path.join(repo, 'web/src/guest/numo_guest.wasm'));
const loadStart = performance.now();
const guest = await loadGuest(wasm);
console.log(`guest: ${wasm.length} bytes, compiled and instantiated in ${(performance.now() - loadStart).toFixed(1)} ms`);

const readHex = async (file) => fromHex(await readFile(file, 'utf8'));

/** Re-executes and prints the time. */
function timed(label, kind, blob) {
  const start = performance.now();
  const result = reexecute(guest, kind, blob);
  const ms = performance.now() - start;
  console.log(`${label}: ${kind}, ${blob.length} bytes, ${result.ok ? 'ok' : result.code} in ${ms.toFixed(1)} ms`);
  return result;
}

function assertPublicInputs(result, kind, expected) {
  assert.equal(result.ok, true, result.ok ? '' : `${result.code}: ${result.message}`);
  assert.equal(result.publicInputs.length, PUBLIC_INPUTS_LEN[kind]);
  assert.equal(toHex(result.publicInputs), toHex(expected));
}

const vectorFiles = (await readdir(vectors)).filter((name) => /^batch_.*\.json$/.test(name)).sort();
const vectorJson = async (name) => JSON.parse(await readFile(path.join(vectors, name), 'utf8'));

test('spec vector batches reproduce their public inputs', async () => {
  assert.ok(vectorFiles.length >= 3, `vector batches in ${vectors}`);
  for (const name of vectorFiles) {
    const vector = await vectorJson(name);
    const result = timed(`vector ${name}`, 'trading', fromHex(vector.guestInput));
    assertPublicInputs(result, 'trading', fromHex(vector.expectedPublicInputs));
  }
});

test('EVM fixtures reproduce their public inputs', async () => {
  const names = (await readdir(evmFixtures))
    .filter((name) => name.endsWith('.public_inputs.hex'))
    .map((name) => name.slice(0, -'.public_inputs.hex'.length))
    .sort();
  assert.ok(names.length >= 4, `EVM fixtures in ${evmFixtures}`);
  for (const name of names) {
    const blob = await readHex(path.join(evmFixtures, `${name}.hex`));
    const result = timed(`evm ${name}`, 'evm', blob);
    assertPublicInputs(result, 'evm', await readHex(path.join(evmFixtures, `${name}.public_inputs.hex`)));
  }
});

test('a funding batch reproduces its public inputs (kind by number too)', async () => {
  const blob = await readHex(`${fundingFixture}.hex`);
  const expected = await readHex(`${fundingFixture}.public_inputs.hex`);
  assertPublicInputs(timed('funding funding_batch', 'funding', blob), 'funding', expected);
  assertPublicInputs(reexecute(guest, 2, blob), 'funding', expected);
});

test('a tampered EVM witness fails with proof_mismatch', async () => {
  const blob = await readHex(path.join(evmFixtures, 'erc20_1_bad_proof.hex'));
  const result = timed('evm erc20_1_bad_proof', 'evm', blob);
  assert.equal(result.ok, false);
  assert.equal(result.code, 'proof_mismatch');
  assert.ok(result.message.length > 0);
});

test('tampered trading blobs fail with their stable codes', async () => {
  // As scripts/sp1-ci.sh derives them from vector 1.
  const vector = await vectorJson('batch_1_plain_cross.json');
  const blob = fromHex(vector.guestInput);
  const signature = fromHex(vector.messages[0].signature);
  const at = Buffer.from(blob).indexOf(Buffer.from(signature));
  assert.ok(at > 0, 'the first signature is in the blob');
  const cases = [
    ['bad_signature', at + 31, 'bad_signature'], // last byte of r: no curve point has that x
    ['bad_signer', at + 63, 'bad_signature'], // last byte of s: recovers another key
    ['bad_header', 40, 'batch_digest_mismatch'], // inside the header's batchDigest
  ];
  for (const [label, offset, code] of cases) {
    const tampered = blob.slice();
    tampered[offset] ^= 0x01;
    const result = timed(`vector ${label}`, 'trading', tampered);
    assert.equal(result.ok, false, label);
    assert.equal(result.code, code, `${label}: ${result.message}`);
  }
});

test('truncated blobs fail to decode (malformed)', async () => {
  const vector = await vectorJson(vectorFiles[0]);
  const trading = fromHex(vector.guestInput);
  const evm = await readHex(path.join(evmFixtures, 'erc20_1.hex'));
  const funding = await readHex(`${fundingFixture}.hex`);
  for (const [kind, blob] of [['trading', trading], ['evm', evm], ['funding', funding]]) {
    for (const cut of [blob.subarray(0, blob.length - 1), blob.subarray(0, 10), new Uint8Array(0)]) {
      const result = reexecute(guest, kind, cut);
      assert.equal(result.ok, false, `${kind} truncated to ${cut.length}`);
      assert.equal(result.code, 'malformed', `${kind} truncated to ${cut.length}: ${result.message}`);
    }
  }
});

test('an unknown kind is refused', () => {
  for (const kind of [0, 4, 256, 'spot', -1]) {
    const result = reexecute(guest, kind, new Uint8Array([1, 2, 3]));
    assert.deepEqual([result.ok, result.code], [false, 'unknown_kind'], `kind ${kind}`);
  }
});

test('the instance is reusable: repeated runs give the same bytes without growing memory', async () => {
  const vector = await vectorJson(vectorFiles[0]);
  const blob = fromHex(vector.guestInput);
  const expected = fromHex(vector.expectedPublicInputs);
  reexecute(guest, 'trading', blob);
  const before = guest.exports.memory.buffer.byteLength;
  const start = performance.now();
  const runs = 20;
  for (let i = 0; i < runs; i++) assertPublicInputs(reexecute(guest, 'trading', blob), 'trading', expected);
  console.log(`vector ${vectorFiles[0]} x${runs}: ${((performance.now() - start) / runs).toFixed(1)} ms per run`);
  assert.equal(guest.exports.memory.buffer.byteLength, before);
  console.log(`guest memory: ${before} bytes`);
});

test('a trap gives guest_trap and a fresh instance that works', async () => {
  const local = await loadGuest(guest.module);
  const trapping = {
    ...local.exports,
    numo_run: () => {
      throw new WebAssembly.RuntimeError('unreachable');
    },
  };
  local.exports = trapping;
  const vector = await vectorJson(vectorFiles[0]);
  const blob = fromHex(vector.guestInput);
  const result = reexecute(local, 'trading', blob);
  assert.deepEqual([result.ok, result.code], [false, 'guest_trap']);
  assert.notEqual(local.exports, trapping);
  assertPublicInputs(reexecute(local, 'trading', blob), 'trading', fromHex(vector.expectedPublicInputs));
});
