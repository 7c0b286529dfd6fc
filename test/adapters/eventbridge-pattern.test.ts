import { describe, expect, it } from 'vitest';
import { matchesPattern, UnsupportedPatternError } from '../../adapters/eventbridge-pattern';

const event = {
  source: 'aws.ssm',
  'detail-type': 'EC2 Command Status-change Notification',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'document-name': 'canary-agent-dev-promote', status: 'Failed', nested: { depth: 2 } },
};

describe('matchesPattern', () => {
  it.each([
    ['exact values', { source: ['aws.ssm', 'aws.ec2'] }, true],
    ['exact value mismatch', { source: ['aws.ec2'] }, false],
    ['prefix', { detail: { 'document-name': [{ prefix: 'canary-agent-dev-' }] } }, true],
    ['prefix mismatch', { detail: { 'document-name': [{ prefix: 'canary-agent-prod-' }] } }, false],
    ['anything-but list', { detail: { status: [{ 'anything-but': ['Success', 'InProgress'] }] } }, true],
    ['anything-but hit', { detail: { status: [{ 'anything-but': ['Failed'] }] } }, false],
    ['anything-but prefix', { detail: { status: [{ 'anything-but': { prefix: 'Fail' } }] } }, false],
    ['exists true', { detail: { status: [{ exists: true }] } }, true],
    ['exists false on a present field', { detail: { status: [{ exists: false }] } }, false],
    ['exists false on a missing field', { detail: { 'instance-id': [{ exists: false }] } }, true],
    ['nested detail', { detail: { nested: { depth: [2] } } }, true],
    ['array field: any element', { resources: [{ prefix: 'arn:aws:ec2:' }] }, true],
    ['missing field never matches a value', { detail: { 'instance-id': ['i-1'] } }, false],
    ['$or', { $or: [{ source: ['aws.ec2'] }, { detail: { status: ['Failed'] } }] }, true],
    ['all fields must match', { source: ['aws.ssm'], detail: { status: ['Success'] } }, false],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it('refuses matchers it does not implement rather than guessing', () => {
    expect(() => matchesPattern({ detail: { status: [{ suffix: 'ed' }] } }, event)).toThrow(
      UnsupportedPatternError,
    );
  });
});
