import { newTestService, TEST_NOW } from '@lmp/common/testing';
import { inlineTransactions } from '@lmp/database/testing';
import { OutboxWriter } from './outbox.writer';
import { PartnerEvents } from './partner-events';
import { WebhookStore } from './webhooks/webhook-store';

describe('PartnerEvents.record', () => {
  function setup(hooks: Array<{ id: string; events: string }>) {
    const t = newTestService(PartnerEvents);
    t.mock(WebhookStore).enabledOf.mockResolvedValue(hooks);
    t.mock(OutboxWriter).webhook.mockResolvedValue('row');
    return { ...t, tx: inlineTransactions().tx };
  }

  const event = { partnerId: 'p-1', type: 'customer.created' as const, data: { customerId: 'c-1' } };

  it("writes nothing when none of the partner's webhooks subscribes, after one query in the caller's transaction", async () => {
    const { sut, mock, tx } = setup([{ id: 'w-1', events: 'account.created,customer.changed' }]);

    await sut.record(tx, event);

    expect(mock(WebhookStore).enabledOf).toHaveBeenCalledTimes(1);
    expect(mock(WebhookStore).enabledOf).toHaveBeenCalledWith(tx.em, 'p-1');
    expect(mock(OutboxWriter).webhook).not.toHaveBeenCalled();
  });

  it('writes one outbox row per subscribed webhook, all with the same event id and body', async () => {
    const { sut, mock, tx } = setup([
      { id: 'w-1', events: 'customer.created' },
      { id: 'w-2', events: 'account.created' },
      { id: 'w-3', events: 'customer.changed,customer.created' },
    ]);

    await sut.record(tx, event);

    const calls = mock(OutboxWriter).webhook.mock.calls;
    expect(calls.map((c) => [c[0], c[1], c[2]])).toEqual([
      [tx, 'w-1', 'customer.created'],
      [tx, 'w-3', 'customer.created'],
    ]);
    expect(calls[0][3]).toEqual(calls[1][3]);
    const { eventId, body } = calls[0][3];
    expect(JSON.parse(body)).toEqual({
      id: eventId,
      type: 'customer.created',
      occurredAt: TEST_NOW.toISOString(),
      partnerId: 'p-1',
      data: { customerId: 'c-1' },
    });
  });
});
