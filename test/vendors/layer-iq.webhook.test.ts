import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { TaskwaitError } from '../../src/index.js';
import {
  signWebhook,
  verifyWebhook,
  type WebhookEvent,
  type WebhookFailure,
  WebhookVerificationError,
} from '../../src/vendors/layer-iq/index.js';

const SECRET = 'whsec_3b1f0c9e8d7a6b5c4d3e2f1a';
const BODY = readFileSync(
  new URL('../fixtures/layer-iq/constructed-webhook-event-completed.json', import.meta.url),
  'utf8',
);
const T = 1_741_083_391;
const NOW = T * 1000 + 1500;

async function failure(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return error as WebhookVerificationError;
}

const hex = (t: number, body: string, secret = SECRET) =>
  createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

describe('verifyWebhook', () => {
  it('returns the validated event of a correctly signed delivery', async () => {
    const header = await signWebhook({ payload: BODY, secret: SECRET, timestamp: T });
    const event = await verifyWebhook({ payload: BODY, header, secret: SECRET, now: NOW });
    expect(event).toMatchObject({ id: 'evt_01HZX3M4T2', type: 'asset.ingest.completed' });
    expect(event.data.taskUrl).toBe('/api/v1/public/tasks/run_01HZX3K9Q7');
    expectTypeOf(event).toEqualTypeOf<WebhookEvent>();
  });

  it('signs as the docs say: hex HMAC-SHA256 of "<t>.<raw body>"', async () => {
    expect(await signWebhook({ payload: BODY, secret: SECRET, timestamp: T })).toBe(`t=${T},v1=${hex(T, BODY)}`);
  });

  it('verifies the raw bytes of a Uint8Array body', async () => {
    const bytes = new TextEncoder().encode(BODY);
    const header = `t=${T},v1=${hex(T, BODY)}`;
    await expect(verifyWebhook({ payload: bytes, header, secret: SECRET, now: new Date(NOW) })).resolves.toMatchObject({
      id: 'evt_01HZX3M4T2',
    });
  });

  it('rejects a tampered body', async () => {
    const header = `t=${T},v1=${hex(T, BODY)}`;
    const tampered = BODY.replace('"failed": 3', '"failed": 0');
    expect(tampered).not.toBe(BODY);
    const error = await failure(verifyWebhook({ payload: tampered, header, secret: SECRET, now: NOW }));
    expect(error.reason).toBe('bad-signature');
  });

  it('rejects a signature made with another secret, without showing either secret', async () => {
    const other = 'whsec_not_the_right_one_123';
    const header = `t=${T},v1=${hex(T, BODY, other)}`;
    const error = await failure(verifyWebhook({ payload: BODY, header, secret: SECRET, now: NOW }));
    expect(error.reason).toBe('bad-signature');
    expect(error).toBeInstanceOf(TaskwaitError);
    for (const secret of [SECRET, other]) {
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
    }
  });

  it.each<[string, number, number | undefined, WebhookFailure | undefined]>([
    ['301 s old', T - 301, undefined, 'stale-timestamp'],
    ['301 s in the future', T + 301, undefined, 'future-timestamp'],
    ['300 s old', T - 300, undefined, undefined],
    ['299 s in the future', T + 299, undefined, undefined],
    ['61 s old with a 60 s tolerance', T - 61, 60, 'stale-timestamp'],
  ])('checks the timestamp window: a delivery signed %s', async (_, t, toleranceSeconds, reason) => {
    const header = `t=${t},v1=${hex(t, BODY)}`;
    const verify = verifyWebhook({
      payload: BODY,
      header,
      secret: SECRET,
      now: T * 1000,
      ...(toleranceSeconds ? { toleranceSeconds } : {}),
    });
    if (reason) expect((await failure(verify)).reason).toBe(reason);
    else await expect(verify).resolves.toMatchObject({ id: 'evt_01HZX3M4T2' });
  });

  it('rejects a missing header', async () => {
    for (const header of [undefined, null, '', '  ']) {
      const error = await failure(verifyWebhook({ payload: BODY, header, secret: SECRET, now: NOW }));
      expect(error.reason).toBe('missing-signature');
    }
  });

  it.each([
    ['no t', `v1=${'a'.repeat(64)}`],
    ['no v1', `t=${T}`],
    ['a t that is not a number', `t=soon,v1=${'a'.repeat(64)}`],
    ['two t values', `t=${T},t=${T + 1},v1=${'a'.repeat(64)}`],
    ['a v1 that is not 64 hex digits', `t=${T},v1=xyz`],
    ['garbage', 'sha256=deadbeef'],
  ])('rejects a malformed header: %s', async (_, header) => {
    const error = await failure(verifyWebhook({ payload: BODY, header, secret: SECRET, now: NOW }));
    expect(error.reason).toBe('malformed-signature');
  });

  it('accepts any of several v1 values, as sent while a secret rotates', async () => {
    const good = hex(T, BODY);
    const stale = hex(T, BODY, 'whsec_previous_secret_000');
    await expect(
      verifyWebhook({ payload: BODY, header: `t=${T}, v1=${stale}, v1=${good}, v0=abc`, secret: SECRET, now: NOW }),
    ).resolves.toMatchObject({ id: 'evt_01HZX3M4T2' });
    const error = await failure(
      verifyWebhook({ payload: BODY, header: `t=${T},v1=${stale},v1=${'0'.repeat(64)}`, secret: SECRET, now: NOW }),
    );
    expect(error.reason).toBe('bad-signature');
  });

  it('rejects a correctly signed body that is not a WebhookEvent, naming the path', async () => {
    const event = JSON.parse(BODY);
    delete event.data.taskUrl;
    const body = JSON.stringify(event);
    const error = await failure(
      verifyWebhook({ payload: body, header: `t=${T},v1=${hex(T, body)}`, secret: SECRET, now: NOW }),
    );
    expect(error.reason).toBe('bad-body');
    expect(error.issues.map((i) => i.path)).toEqual([['data', 'taskUrl']]);

    const notJson = 'not json';
    const parse = await failure(
      verifyWebhook({ payload: notJson, header: `t=${T},v1=${hex(T, notJson)}`, secret: SECRET, now: NOW }),
    );
    expect(parse.reason).toBe('bad-body');
  });

  it("does not keep JSON.parse's error, which quotes the body, as the cause of a body that is not JSON", async () => {
    const body = 'confidential-payload-0042 is not JSON';
    const error = await failure(
      verifyWebhook({ payload: body, header: `t=${T},v1=${hex(T, body)}`, secret: SECRET, now: NOW }),
    );
    expect(error.message).toBe('layer-iq webhook: the body is not UTF-8 JSON');
    expect(error.cause).toBeUndefined();
    expect(inspect(error, { depth: 10 })).not.toContain('confidential');
  });
});
