import { describe, expect, it } from 'vitest';
import { parseDemoArgs, UsageError } from './args';

describe('parseDemoArgs', () => {
  it('defaults to the full fleet at 10 rps', () => {
    expect(parseDemoArgs([])).toEqual({ mode: 'fleet', chaos: false, rps: 10 });
  });

  it('takes chaos, one scenario with a target, and a rate', () => {
    expect(parseDemoArgs(['--chaos', '--rps', '25'])).toMatchObject({ mode: 'fleet', chaos: true, rps: 25 });
    expect(parseDemoArgs(['--scenario', 'service-down', '--target', 'users'])).toMatchObject({ scenario: 'service-down', target: 'users' });
    expect(parseDemoArgs(['--scenario=flapping'])).toMatchObject({ scenario: 'flapping' });
  });

  it('takes scale mode', () => {
    expect(parseDemoArgs(['--services', '500', '--instances', '5000', '--traffic'])).toEqual({
      mode: 'scale',
      services: 500,
      instances: 5000,
      traffic: true,
      rps: 10,
    });
  });

  it('names the valid scenarios when given an unknown one', () => {
    expect(() => parseDemoArgs(['--scenario', 'meteor'])).toThrow(UsageError);
    expect(() => parseDemoArgs(['--scenario', 'meteor'])).toThrow(/unknown scenario "meteor"; valid: kill-instance, hang-health, .*service-down/);
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--target', 'users'], /--target needs --scenario/],
    [['--scenario', 'lose-etcd-all', '--target', 'payments'], /lose-etcd-all hits the whole fleet: no --target/],
    [['--scenario', 'kill-instance', '--target', 'nope'], /unknown service "nope"/],
    [['--services', '10'], /go together/],
    [['--services', '10', '--instances', '5'], /at least --services/],
    [['--services', '1', '--instances', '1000'], /at most 256 instances per service/],
    [['--services', '10', '--instances', '20', '--chaos'], /not scale mode/],
    [['--traffic'], /belongs to scale mode/],
    [['--rps', '-1'], /--rps/],
    [['--services', 'many', '--instances', '5'], /--services/],
    [['stray'], /positional/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(message);
  });

  it('recognises --help', () => {
    expect(parseDemoArgs(['--help'])).toEqual({ mode: 'help' });
  });
});
