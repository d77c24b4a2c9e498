import { describe, expect, it } from 'vitest';
import { drainBlockedReason, liveIndicator, registryHeadline } from './liveHealth';

describe('liveIndicator', () => {
  it('is green and says Live only with the socket up and etcd synced', () => {
    expect(liveIndicator('connected', { state: 'synced' })).toMatchObject({ tone: 'live', label: 'Live' });
  });

  it('says etcd is unreachable, not Live, while the socket is fine but etcd is not', () => {
    expect(liveIndicator('connected', { state: 'unreachable' })).toMatchObject({ tone: 'down', label: 'etcd unreachable' });
    expect(liveIndicator('connected', { state: 'connecting' })).toMatchObject({ tone: 'degraded', label: 'Reaching etcd…' });
  });

  it('names the registry\u2019s phase as the banner does, in a short form', () => {
    expect(liveIndicator('connected', { state: 'connecting', phase: 'catching-up' })).toMatchObject({ tone: 'degraded', label: 'Catching up…' });
    expect(liveIndicator('connected', { state: 'connecting', phase: 'relisting' })).toMatchObject({ tone: 'degraded', label: 'Rereading etcd…' });
    expect(liveIndicator('connected', { state: 'connecting', phase: 'relisting' }).explanation).toMatch(/listing etcd again/);
  });

  it('puts a lost socket first: then nothing from the server is current', () => {
    expect(liveIndicator('reconnecting', { state: 'synced' })).toMatchObject({ tone: 'degraded', label: 'Reconnecting…' });
    expect(liveIndicator('offline', { state: 'unreachable' })).toMatchObject({ tone: 'down', label: 'Offline' });
    expect(liveIndicator('connecting', { state: 'synced' })).toMatchObject({ tone: 'pending', label: 'Connecting…' });
  });
});

describe('drainBlockedReason', () => {
  it('allows drains only when etcd is synced and the socket is up', () => {
    expect(drainBlockedReason('connected', { state: 'synced' })).toBeNull();
    expect(drainBlockedReason('connecting', { state: 'synced' })).toBeNull();
  });

  it('names etcd when it is the cause', () => {
    expect(drainBlockedReason('connected', { state: 'unreachable' })).toMatch(/while etcd is unreachable/);
    expect(drainBlockedReason('reconnecting', { state: 'unreachable' })).toMatch(/etcd is unreachable/);
    expect(drainBlockedReason('connected', { state: 'connecting' })).toMatch(/once Switchyard has synced with etcd/);
  });

  it('names the lost connection when etcd was fine as last known', () => {
    expect(drainBlockedReason('reconnecting', { state: 'synced' })).toMatch(/connection to Switchyard is lost/);
    expect(drainBlockedReason('offline', { state: 'synced' })).toMatch(/connection to Switchyard is lost/);
  });
});

describe('registryHeadline', () => {
  it('sends the reader to etcd only when etcd is the cause', () => {
    expect(registryHeadline({ state: 'unreachable' })).toBe('etcd unreachable');
    expect(registryHeadline({ state: 'connecting' })).toBe('Connecting to etcd');
    expect(registryHeadline({ state: 'connecting', phase: 'catching-up' })).toBe('Catching up with etcd');
    expect(registryHeadline({ state: 'connecting', phase: 'relisting' })).toBe('Reading etcd again');
  });
});
