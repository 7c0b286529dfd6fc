import { describe, expect, it } from 'vitest';
import { pipelineEvent } from '../../handlers/event-schemas';
import { BadEventError, parseEvent } from '../../handlers/parse-event';
import { getTestEvent } from '../../local/fixture-events';

/*
 * The pipeline's "Release Requested" detail: one service (the form before groups), a configured group by name, or
 * an ad hoc group; a malformed one is refused with the field and what it should be.
 */

const pipeline = 'shop/main#88';
/** The documented event with `detail` replaced (not merged), so a test states every field it sends. */
const requested = (detail: Record<string, unknown>) => ({
  ...getTestEvent('canary-agent/release-requested'),
  detail,
});
const problemOf = (detail: Record<string, unknown>): string => {
  try {
    parseEvent(pipelineEvent, requested(detail));
  } catch (error) {
    if (error instanceof BadEventError) return error.message;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(detail)} to be refused`);
};

describe('the "Release Requested" detail', () => {
  it('still reads one service’s release as before', () => {
    // Act
    const event = parseEvent(pipelineEvent, getTestEvent('canary-agent/release-requested'));

    // Assess
    expect(event.detail).toStrictEqual({
      service: 'orders-api',
      version: '1.4.2',
      pipeline: 'orders-api/main#512',
      percent: 10,
      windowSeconds: 900,
    });
  });

  it('reads a configured group by name, with versions for some members', () => {
    // Prepare
    const detail = { group: 'checkout', versions: { 'orders-api': '1.4.2' }, pipeline, steps: [5, 25, 100] };

    // Act
    const event = parseEvent(pipelineEvent, requested(detail));

    // Assess
    expect(event.detail).toStrictEqual(detail);
  });

  it('reads an ad hoc group: its members in call order', () => {
    // Prepare
    const members = [
      { service: 'front', version: '2.0.1' },
      { service: 'orders-api', version: '1.4.2' },
    ];

    // Act
    const event = parseEvent(pipelineEvent, requested({ members, pipeline, windowSeconds: 600 }));

    // Assess
    expect(event.detail).toStrictEqual({ members, pipeline, windowSeconds: 600 });
  });

  it.each([
    [
      { service: 'orders-api', version: '1.4.2', group: 'checkout', pipeline },
      'detail: give one of service, group or members, not service and group',
    ],
    [
      { members: [{ service: 'front', version: '2.0.1' }], pipeline },
      'detail.members: a group release needs at least two members',
    ],
    [
      {
        members: [
          { service: 'front', version: '2.0.1' },
          { service: 'front', version: '2.0.2' },
        ],
        pipeline,
      },
      'detail.members: a service appears twice',
    ],
    [
      {
        members: [
          { service: 'front', version: '2.0.1' },
          { service: 'orders-api', version: '1.4.2;rm' },
        ],
        pipeline,
      },
      'detail.members.1.version: a version (Docker tag) such as "1.4.2"',
    ],
    [{ group: 'Check out', pipeline }, 'detail.group: a group name such as "checkout"'],
    [
      { group: 'checkout', versions: { Orders_API: '1.4.2' }, pipeline },
      'detail.versions.Orders_API: a service name such as "orders-api"',
    ],
    [
      { group: 'checkout', pipeline, percent: 10 },
      'detail.percent: a group release routes by the tag in steps',
    ],
    [
      { group: 'checkout', pipeline, strategy: 'blue-green' },
      'detail.strategy: a group release routes by the tag',
    ],
    [{ group: 'checkout', pipeline, steps: [0, 50] }, 'detail.steps.0'],
    [{ group: 'checkout', pipeline, steps: [] }, 'detail.steps'],
    [{ group: 'checkout', pipeline, windowSeconds: 1.5 }, 'detail.windowSeconds'],
    [{ group: 'checkout' }, 'detail.pipeline'],
    [{ grup: 'checkout', pipeline }, 'detail.service: Invalid input'],
  ])('refuses %j, naming the field', (detail, problem) => {
    // Act
    const message = problemOf(detail);

    // Assess
    expect(message).toMatch(/^Unusable event: /);
    expect(message).toContain(problem);
  });

  it('refuses a field no group takes, rather than ignoring it', () => {
    expect(problemOf({ members: [], pipeline, mirror: 10 })).toContain('Unrecognized key: "mirror"');
  });
});
