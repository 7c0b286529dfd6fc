import { CloudFormationClient, type ResourceStatus } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudFormationCanaryStacks, firstFailure } from '../../adapters/cloudformation-canary-stacks';
import { CanaryStackRefusedError } from '../../domain/errors';
import { cloudFormationStandin } from '../support/cloudformation-standin';

/* The CloudFormation adapter through the real SDK client, against CloudFormation's Query API on loopback. */

const ROLE = 'arn:aws:iam::123456789012:role/canary-agent-test-canary-stacks';
const TEMPLATE = 'https://canary-agent-test-canary-templates.s3.eu-west-1.amazonaws.com/orders-api.yml';

let cfn: Awaited<ReturnType<typeof cloudFormationStandin>>;
let stacks: ReturnType<typeof cloudFormationCanaryStacks>;
beforeAll(async () => {
  cfn = await cloudFormationStandin({
    refuse: (name) =>
      name.endsWith('-refused') ? 'Template format error: unsupported structure.' : undefined,
  });
  const client = new CloudFormationClient({
    endpoint: cfn.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  stacks = cloudFormationCanaryStacks(client, { stackPrefix: 'canary-agent-test-', roleArn: ROLE });
});
afterAll(() => cfn.stop());

const request = (stackName: string) => ({
  stackName,
  templateUrl: TEMPLATE,
  parameters: { Service: 'orders-api', Version: '1.4.2', Image: 'repo/orders-api:1.4.2' },
  timeoutMinutes: 30,
  token: `${stackName}-1`,
  tags: { 'canary-agent:release': 'orders-api-r1' },
});

describe('the CloudFormation canary stacks adapter', () => {
  it("creates the stack under the agent's prefix, with CloudFormation's role, a token, the parameters and tags", async () => {
    await stacks.create(request('canary-orders-api-r1'));

    const sent = cfn.requests.find((r) => r.action === 'CreateStack')?.form;
    expect(sent).toMatchObject({
      StackName: 'canary-agent-test-canary-orders-api-r1',
      TemplateURL: TEMPLATE,
      RoleARN: ROLE,
      TimeoutInMinutes: '30',
      ClientRequestToken: 'canary-orders-api-r1-1',
      'Parameters.member.1.ParameterKey': 'Service',
      'Parameters.member.1.ParameterValue': 'orders-api',
      'Parameters.member.3.ParameterKey': 'Image',
      'Tags.member.1.Key': 'canary-agent:release',
      'Tags.member.1.Value': 'orders-api-r1',
    });
    // The same request again (a rerun effect) is the same stack, not an error.
    await expect(stacks.create(request('canary-orders-api-r1'))).resolves.toBeUndefined();
    expect(await stacks.describe('canary-orders-api-r1')).toEqual({ status: 'inProgress' });
  });

  it('refuses, with the reason, what CloudFormation will never accept', async () => {
    const refused = stacks.create(request('canary-orders-api-refused'));
    await expect(refused).rejects.toThrow(CanaryStackRefusedError);
    await expect(refused).rejects.toThrow('Template format error: unsupported structure.');
  });

  it('reads a created stack’s outputs', async () => {
    await stacks.create(request('canary-orders-api-r2'));
    cfn.settle('canary-agent-test-canary-orders-api-r2', 'CREATE_COMPLETE', {
      outputs: {
        CanaryLoadBalancerDNSName: 'internal-canary-1.eu-west-1.elb.amazonaws.com',
        CanaryAlarmNames: 'canary-x-5xx',
      },
    });

    expect(await stacks.describe('canary-orders-api-r2')).toEqual({
      status: 'created',
      outputs: {
        CanaryLoadBalancerDNSName: 'internal-canary-1.eu-west-1.elb.amazonaws.com',
        CanaryAlarmNames: 'canary-x-5xx',
      },
    });
  });

  it('gives the first resource that failed as the reason a create failed, not the ones cancelled after it', async () => {
    await stacks.create(request('canary-orders-api-r3'));
    cfn.settle('canary-agent-test-canary-orders-api-r3', 'ROLLBACK_COMPLETE', {
      events: [
        {
          logicalId: 'canary-agent-test-canary-orders-api-r3',
          type: 'AWS::CloudFormation::Stack',
          status: 'ROLLBACK_COMPLETE',
        },
        {
          logicalId: 'CanaryLoadBalancer',
          type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
          status: 'CREATE_FAILED',
          reason: 'Resource creation cancelled',
        },
        {
          logicalId: 'CanaryGroup',
          type: 'AWS::AutoScaling::AutoScalingGroup',
          status: 'CREATE_FAILED',
          reason: 'Received 0 SUCCESS signal(s) out of 1',
        },
      ],
    });

    expect(await stacks.describe('canary-orders-api-r3')).toEqual({
      status: 'createFailed',
      reason: 'CanaryGroup (AWS::AutoScaling::AutoScalingGroup): Received 0 SUCCESS signal(s) out of 1',
    });
  });

  it('starts a deletion, and says `gone` for a stack that is not there, since no event would ever say so', async () => {
    await stacks.create(request('canary-orders-api-r4'));

    expect(await stacks.delete('canary-orders-api-r4', 'canary-orders-api-r4-9')).toBe('deleting');
    expect(cfn.requests.filter((r) => r.action === 'DeleteStack').at(-1)?.form).toMatchObject({
      StackName: 'canary-agent-test-canary-orders-api-r4',
      RoleARN: ROLE,
      ClientRequestToken: 'canary-orders-api-r4-9',
    });
    expect(await stacks.delete('canary-orders-api-never-made', 'x-1')).toBe('gone');
  });

  it('finds a deleted stack by its id, as a status event names it, and a failed deletion with its reason', async () => {
    await stacks.create(request('canary-orders-api-r5'));
    const id = cfn.stackNamed('canary-agent-test-canary-orders-api-r5')?.id ?? '';
    cfn.settle('canary-agent-test-canary-orders-api-r5', 'DELETE_FAILED', {
      events: [
        {
          logicalId: 'CanaryTargetGroup',
          type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
          status: 'DELETE_FAILED',
          reason: 'Target group is in use',
        },
      ],
    });
    expect(await stacks.describe('canary-orders-api-r5', id)).toEqual({
      status: 'deleteFailed',
      reason: 'CanaryTargetGroup (AWS::ElasticLoadBalancingV2::TargetGroup): Target group is in use',
    });

    cfn.settle('canary-agent-test-canary-orders-api-r5', 'DELETE_COMPLETE');

    expect(await stacks.describe('canary-orders-api-r5', id)).toEqual({ status: 'deleted' });
    expect(await stacks.describe('canary-orders-api-r5')).toBeNull();
  });
});

describe('firstFailure', () => {
  it('looks no further back than the operation that began last', () => {
    const older = {
      LogicalResourceId: 'Old',
      ResourceType: 'AWS::EC2::LaunchTemplate',
      ResourceStatus: 'CREATE_FAILED' as ResourceStatus,
      ResourceStatusReason: 'old failure',
    };
    const began = {
      LogicalResourceId: 's',
      ResourceType: 'AWS::CloudFormation::Stack',
      ResourceStatus: 'DELETE_IN_PROGRESS' as ResourceStatus,
      ResourceStatusReason: 'User Initiated',
    };
    expect(firstFailure([began, older])).toBeUndefined();
    expect(
      firstFailure([
        {
          ...older,
          LogicalResourceId: 'New',
          ResourceStatus: 'DELETE_FAILED' as ResourceStatus,
          ResourceStatusReason: 'in use',
        },
        began,
        older,
      ]),
    ).toBe('New (AWS::EC2::LaunchTemplate): in use');
  });
});
