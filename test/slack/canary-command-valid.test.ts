import { describe, expect, it } from 'vitest';
import { commandOf } from './canary-command-fixtures';

describe('parseCanaryCommand: valid commands', () => {
  it('reads a start with only a service and a version, leaving every option to the service', () => {
    // Act
    const command = commandOf('start orders-api 1.4.2');

    // Assess
    expect(command).toStrictEqual({ kind: 'start', service: 'orders-api', version: '1.4.2' });
  });

  it('reads the options of start in any order', () => {
    // Prepare
    const expected = {
      kind: 'start',
      service: 'orders-api',
      version: 'v2025.11.3-rc1',
      percent: 2.5,
      windowSeconds: 5400,
      strategy: { kind: 'mirror' },
    };

    // Act
    const forwards = commandOf('start orders-api v2025.11.3-rc1 mirror=2.5 window=1h30m strategy=mirror');
    const backwards = commandOf('start orders-api v2025.11.3-rc1 strategy=mirror window=1h30m mirror=2.5');

    // Assess
    expect(forwards).toStrictEqual(expected);
    expect(backwards).toStrictEqual(expected);
  });

  it.each([
    ['mirror=0.01', 0.01],
    ['mirror=10', 10],
    ['mirror=10%', 10],
    ['mirror=99.99', 99.99],
    ['mirror=100', 100],
    ['mirror=100.00', 100],
  ])('reads %s as a mirror share of %s percent', (option, percent) => {
    // Act
    const command = commandOf(`start orders-api 1.4.2 ${option}`);

    // Assess
    expect(command).toMatchObject({ kind: 'start', percent });
  });

  it('reads strategy=steps without a list as the service’s own steps', () => {
    // Act
    const command = commandOf('start orders-api 1.4.2 strategy=steps window=10m');

    // Assess
    expect(command).toStrictEqual({
      kind: 'start',
      service: 'orders-api',
      version: '1.4.2',
      windowSeconds: 600,
      strategy: { kind: 'steps' },
    });
  });

  it('reads strategy=steps with a list of rising integer and decimal percentages', () => {
    // Act
    const command = commandOf('start orders-api 1.4.2 strategy=steps:0.5,5,25.25,50,100');

    // Assess
    expect(command).toMatchObject({ strategy: { kind: 'steps', steps: [0.5, 5, 25.25, 50, 100] } });
  });

  it('reads strategy=mirror,steps with its steps, or the service’s own, and a mirror share for its first window', () => {
    expect(commandOf('start orders-api 1.4.2 strategy=mirror,steps:5,25,100 mirror=2.5')).toMatchObject({
      percent: 2.5,
      strategy: { kind: 'steps', steps: [5, 25, 100], mirrorFirst: true },
    });
    expect(commandOf('start orders-api 1.4.2 strategy=Mirror,Steps')).toStrictEqual({
      kind: 'start',
      service: 'orders-api',
      version: '1.4.2',
      strategy: { kind: 'steps', mirrorFirst: true },
    });
  });

  it('reads status with and without a service', () => {
    // Act
    const all = commandOf('status');
    const one = commandOf('status orders-api');

    // Assess
    expect(all).toStrictEqual({ kind: 'status' });
    expect(one).toStrictEqual({ kind: 'status', service: 'orders-api' });
  });

  it('reads list', () => {
    expect(commandOf('list')).toStrictEqual({ kind: 'list' });
  });

  it.each(['promote', 'rollback', 'abort', 'retry', 'history'] as const)(
    'reads %s with its service',
    (kind) => {
      // Act
      const command = commandOf(`${kind} orders-api`);

      // Assess
      expect(command).toStrictEqual({ kind, service: 'orders-api' });
    },
  );

  it.each(['', '   ', 'help', 'HELP', 'help start'])('answers %j with help', (text) => {
    expect(commandOf(text)).toStrictEqual({ kind: 'help' });
  });

  it('takes roll-back as rollback', () => {
    expect(commandOf('roll-back orders-api')).toStrictEqual({ kind: 'rollback', service: 'orders-api' });
  });

  it('ignores the case of sub-commands, option names and strategies, but not of versions', () => {
    // Act
    const start = commandOf('START orders-api V1.4.2 MIRROR=5 Window=15M');
    const steps = commandOf('Start orders-api 1.4.2 STRATEGY=Steps:5,50');
    const rollback = commandOf('Roll-Back orders-api');

    // Assess
    expect(start).toStrictEqual({
      kind: 'start',
      service: 'orders-api',
      version: 'V1.4.2',
      percent: 5,
      windowSeconds: 900,
    });
    expect(steps).toMatchObject({ strategy: { kind: 'steps', steps: [5, 50] } });
    expect(rollback).toStrictEqual({ kind: 'rollback', service: 'orders-api' });
  });

  it.each([
    ['extra spaces and tabs', '  start \t orders-api   1.4.2\t'],
    ['a newline', 'start orders-api\n1.4.2'],
    ['no-break spaces (U+00A0)', 'start\u00a0orders-api\u00a01.4.2'],
    ['ideographic spaces (U+3000)', 'start\u3000orders-api\u30001.4.2'],
    ['a zero-width space pasted from a document', 'start orders-api\u200b 1.4.2'],
  ])('treats %s as whitespace', (_, text) => {
    expect(commandOf(text)).toStrictEqual({ kind: 'start', service: 'orders-api', version: '1.4.2' });
  });
});
