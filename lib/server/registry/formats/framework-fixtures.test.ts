import { describe, expect, it } from 'vitest';
import { decodeEntry, isRecognised } from '../decode';
import { createUnrecognisedCounter } from '../unrecognised';
import { FRAMEWORK_FIXTURES } from './framework-fixtures';
import { REGISTRY_FORMATS } from './index';

const decode = (fixture: (typeof FRAMEWORK_FIXTURES)[number]) =>
  decodeEntry({ key: fixture.key, value: Buffer.from(fixture.value), lease: fixture.lease });

describe.each(REGISTRY_FORMATS.map((format) => format.id))('%s against its framework’s own registrations', (id) => {
  const fixtures = FRAMEWORK_FIXTURES.filter((fixture) => fixture.format === id);

  it('has at least one fixture', () => expect(fixtures.length).toBeGreaterThan(0));

  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('decodes %s', (_, fixture) => {
    const decoded = decode(fixture);
    // A key known but not an instance must be claimed (an empty list), not refused (null).
    expect(decoded).not.toBeNull();
    expect(decoded?.map(({ format, service, id: instanceId, address }) => ({ format, service, id: instanceId, address }))).toEqual(
      fixture.instances.map((instance) => ({ format: id, ...instance })),
    );
  });
});

it('leaves no fixture unrecognised in the diagnostics count', () => {
  const unrecognised = createUnrecognisedCounter();
  for (const fixture of FRAMEWORK_FIXTURES) if (!isRecognised(decode(fixture))) unrecognised.count(fixture.key);
  expect(unrecognised.summary()).toEqual({ unrecognisedKeys: 0, unrecognised: [] });
});
