import { ClientResources } from './client-resources';

describe('ClientResources', () => {
  it("undoes what a leaving client set up, lets go the requests only its intercepts held, and refuses removing another's", () => {
    const resources = new ClientResources<string>();
    resources.answered('a', false, 'network.addIntercept', {}, { intercept: 'i-a' });
    resources.answered('b', false, 'network.addIntercept', {}, { intercept: 'i-b' });
    resources.answered('a', false, 'script.addPreloadScript', {}, { script: 's-a' });
    resources.answered('a', false, 'session.subscribe', {}, { subscription: 'sub-a' });
    resources.answered('a', false, 'network.addDataCollector', {}, { collector: 'c-a' });
    resources.observe('network.beforeRequestSent', { isBlocked: true, intercepts: ['i-a'], request: { request: 'r1' } });
    resources.observe('network.responseStarted', { isBlocked: true, intercepts: ['i-a', 'i-b'], request: { request: 'r2' } });
    resources.observe('network.authRequired', { isBlocked: true, intercepts: ['i-a'], request: { request: 'r3' } });
    resources.observe('network.beforeRequestSent', { isBlocked: true, intercepts: ['i-a'], request: { request: 'r4' } });
    resources.answered('a', false, 'network.continueRequest', { request: 'r4' }, {});

    expect(resources.refusal('b', 'network.removeIntercept', { intercept: 'i-a' })).toEqual({
      error: 'no such intercept',
      message: 'No intercept i-a of this client',
    });
    expect(resources.refusal('b', 'session.unsubscribe', { subscriptions: ['sub-a'] })?.error).toBe('invalid argument');
    expect(resources.refusal('a', 'network.removeIntercept', { intercept: 'i-a' })).toBeNull();

    expect(resources.release('a')).toEqual(
      expect.arrayContaining([
        { method: 'network.removeIntercept', params: { intercept: 'i-a' } },
        { method: 'script.removePreloadScript', params: { script: 's-a' } },
        { method: 'network.removeDataCollector', params: { collector: 'c-a' } },
        { method: 'session.unsubscribe', params: { subscriptions: ['sub-a'] } },
        { method: 'network.continueRequest', params: { request: 'r1' } },
        { method: 'network.continueWithAuth', params: { request: 'r3', action: 'default' } },
      ]),
    );
    // r2 is still held by b's intercept, r4 was let go already; nothing of a's is left.
    expect(resources.release('a')).toEqual([]);
    expect(resources.release('b')).toEqual([
      { method: 'network.removeIntercept', params: { intercept: 'i-b' } },
      { method: 'network.continueResponse', params: { request: 'r2' } },
    ]);
  });

  it('removes at once what an answer made for a client that has already left', () => {
    const resources = new ClientResources<string>();
    expect(resources.answered('gone', true, 'network.addIntercept', {}, { intercept: 'late' })).toEqual([
      { method: 'network.removeIntercept', params: { intercept: 'late' } },
    ]);
    expect(resources.answered('gone', true, 'session.subscribe', {}, { subscription: 'late-sub' })).toEqual([
      { method: 'session.unsubscribe', params: { subscriptions: ['late-sub'] } },
    ]);
  });
});
