import { ConfigError, loadConfig } from '../../../src/common/config/app-config';

describe('outbound delivery configuration', () => {
  it('retries from 10 s and gives up after 26 hours by default', () => {
    expect(loadConfig({})).toMatchObject({ outboundRetryBaseMs: 10_000, outboundGiveUpHours: 26 });
    expect(loadConfig({ OUTBOUND_RETRY_BASE_MS: '50', OUTBOUND_GIVE_UP_HOURS: '0.5' })).toMatchObject({ outboundRetryBaseMs: 50, outboundGiveUpHours: 0.5 });
  });

  it.each([
    [{ OUTBOUND_RETRY_BASE_MS: '0' }, 'OUTBOUND_RETRY_BASE_MS must be a positive whole number'],
    [{ OUTBOUND_RETRY_BASE_MS: '1.5' }, 'OUTBOUND_RETRY_BASE_MS must be a positive whole number'],
    [{ OUTBOUND_GIVE_UP_HOURS: '-1' }, 'OUTBOUND_GIVE_UP_HOURS must be a positive number'],
    [{ OUTBOUND_GIVE_UP_HOURS: 'a day' }, 'OUTBOUND_GIVE_UP_HOURS must be a positive number'],
    [{ OUTBOUND_GIVE_UP_HOURS: '0' }, 'OUTBOUND_GIVE_UP_HOURS must be a positive number'],
  ])('fails on %p naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
