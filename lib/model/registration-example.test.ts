import { describe, expect, it } from 'vitest';
import { exampleRegistrationKey } from './registration-example';

describe('exampleRegistrationKey', () => {
  it('puts the example under the first watched prefix, with or without its trailing slash', () => {
    expect(exampleRegistrationKey(['/e2e-nothing/', '/other/'], 'users', 'u-1')).toBe('/e2e-nothing/users/u-1');
    expect(exampleRegistrationKey(['/microservices/prod'], 'users', 'u-1')).toBe('/microservices/prod/users/u-1');
  });

  it('uses /services/ when the server watches every key', () => {
    expect(exampleRegistrationKey([], 'users', 'u-1')).toBe('/services/users/u-1');
  });
});
