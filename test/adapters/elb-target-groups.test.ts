import {
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  TargetGroupNotFoundException,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { elbTargetGroups } from '../../adapters/elb-target-groups';
import { TargetGateRefusedError } from '../../domain/errors';
import { holdToContract } from '../support/aws-contract';
import { smithyModel } from '../support/smithy-model';

const elb = mockClient(ElasticLoadBalancingV2Client);
holdToContract('elb', elb);
// The class mocks patch every client of the class: restore them for the next file in this worker.
afterAll(() => elb.restore());
beforeEach(() => elb.reset());

const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/0000000000000b1e';
const TG2 = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders-admin/0000000000000b1f';
const groups = elbTargetGroups(new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }));

/** AWS's Smithy model of ELBv2: every request sent and every answer faked here must fit it. */
const { misfits, NS, requestMisfits } = smithyModel('elastic-load-balancing-v2-2015-12-01.json');

/** Every request the adapter sent fits its operation's input shape. */
const requestsFitTheModel = () => requestMisfits(elb.calls());

function health(...descriptions: TargetHealthDescription[]) {
  const answer = { TargetHealthDescriptions: descriptions };
  expect(misfits(`${NS}DescribeTargetHealthOutput`, answer)).toEqual([]);
  return answer;
}

const target = (id: string, state: string, reason?: string, port = 8080): TargetHealthDescription => ({
  Target: { Id: id, Port: port },
  HealthCheckPort: String(port),
  TargetHealth: {
    State: state as NonNullable<TargetHealthDescription['TargetHealth']>['State'],
    ...(reason ? { Reason: reason as 'Target.NotRegistered' } : {}),
  },
});

const delay = (seconds: string) => ({
  Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: seconds }],
});

describe('elbTargetGroups: a drained rollout on ELBv2', () => {
  it('deregisters only the hosts still serving, on the port they are registered on, and waits the delay', async () => {
    elb
      .on(DescribeTargetHealthCommand)
      .resolves(health(target('i-01', 'healthy'), target('i-02', 'unused', 'Target.NotRegistered')));
    elb.on(DescribeTargetGroupAttributesCommand).resolves(delay('120'));

    const report = await groups.drain([TG], ['i-01', 'i-02'], 0);

    expect(elb.commandCalls(DeregisterTargetsCommand).map((c) => c.args[0].input)).toEqual([
      { TargetGroupArn: TG, Targets: [{ Id: 'i-01', Port: 8080 }] },
    ]);
    expect(report).toEqual({
      instanceIds: ['i-01', 'i-02'],
      settled: false,
      unsettled: [{ instanceId: 'i-01', state: 'draining' }],
      checkAgainInSeconds: 120,
    });
    expect(requestsFitTheModel()).toEqual([]);
  });

  it('sends no second deregistration when asked again, and looks again sooner once the delay has passed', async () => {
    elb
      .on(DescribeTargetHealthCommand)
      .resolves(health(target('i-01', 'draining', 'Target.DeregistrationInProgress')));
    elb.on(DescribeTargetGroupAttributesCommand).resolves(delay('120'));

    const report = await groups.drain([TG], ['i-01'], 1);

    expect(elb.commandCalls(DeregisterTargetsCommand)).toHaveLength(0);
    expect(report.settled).toBe(false);
    expect(report.checkAgainInSeconds).toBe(15);
  });

  it('is settled once no host is registered in any group, with no attributes read', async () => {
    elb.on(DescribeTargetHealthCommand).resolves(health(target('i-01', 'unused', 'Target.NotRegistered')));

    const report = await groups.drain([TG, TG2], ['i-01'], 2);

    expect(report).toEqual({ instanceIds: ['i-01'], settled: true, unsettled: [], checkAgainInSeconds: 0 });
    expect(elb.commandCalls(DescribeTargetHealthCommand)).toHaveLength(2);
    expect(elb.commandCalls(DescribeTargetGroupAttributesCommand)).toHaveLength(0);
  });

  it('registers the hosts that are out, then waits for the health checks to pass the healthy threshold', async () => {
    elb
      .on(DescribeTargetHealthCommand)
      .resolvesOnce(health(target('i-01', 'unused', 'Target.NotRegistered'), target('i-02', 'healthy')))
      .resolves(health(target('i-01', 'initial', 'Elb.RegistrationInProgress'), target('i-02', 'healthy')));
    elb.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [{ TargetGroupArn: TG, HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 3 }],
    });

    const report = await groups.admit([TG], ['i-01', 'i-02'], 0);

    expect(elb.commandCalls(RegisterTargetsCommand).map((c) => c.args[0].input)).toEqual([
      { TargetGroupArn: TG, Targets: [{ Id: 'i-01' }] },
    ]);
    expect(report).toEqual({
      instanceIds: ['i-01', 'i-02'],
      settled: false,
      unsettled: [{ instanceId: 'i-01', state: 'initial', reason: 'Elb.RegistrationInProgress' }],
      checkAgainInSeconds: 30,
    });
    expect(requestsFitTheModel()).toEqual([]);
  });

  it('is settled when every host is healthy, registering nothing', async () => {
    elb.on(DescribeTargetHealthCommand).resolves(health(target('i-01', 'healthy')));
    const report = await groups.admit([TG], ['i-01'], 3);
    expect(report.settled).toBe(true);
    expect(elb.commandCalls(RegisterTargetsCommand)).toHaveLength(0);
  });

  it('reads who is registered in every group, leaving out those already draining', async () => {
    elb
      .on(DescribeTargetHealthCommand, { TargetGroupArn: TG })
      .resolves(health(target('i-01', 'healthy'), target('i-02', 'draining')))
      .on(DescribeTargetHealthCommand, { TargetGroupArn: TG2 })
      .resolves(health(target('i-01', 'healthy', undefined, 9090), target('i-03', 'unhealthy')));

    const report = await groups.registered([TG, TG2]);

    expect(report.instanceIds).toEqual(['i-01', 'i-03']);
    expect(requestsFitTheModel()).toEqual([]);
  });

  it('turns a missing target group into a refusal, and leaves throttling to be retried', async () => {
    elb
      .on(DescribeTargetHealthCommand)
      .rejectsOnce(
        new TargetGroupNotFoundException({ message: 'One or more target groups not found', $metadata: {} }),
      )
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    await expect(groups.drain([TG], ['i-01'], 0)).rejects.toBeInstanceOf(TargetGateRefusedError);
    await expect(groups.drain([TG], ['i-01'], 0)).rejects.toThrow('Rate exceeded');
  });
});
