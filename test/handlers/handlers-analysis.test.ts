import {
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricWidgetImageCommand,
} from '@aws-sdk/client-cloudwatch';
import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { SendCommandCommand } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { getTestEvent } from '../../local/fixture-events';
import { ANALYSED_ALB, configInput } from '../../local/fixture-service-config';
import { answerAgentParameters } from '../support/agent-parameters';
import { handlersOnDynamo, SIGNING_SECRET } from './handlers-on-dynamo';

/*
 * The canary analysis through the real middy handlers on DynamoDB Local: GetMetricData and GetMetricWidgetImage
 * mocked, the chart posted to the Slack stand-in.
 */

const { ssm, cloudWatch, scheduler, slack, invoke, load, finish, elapseWindow, startRelease } =
  handlersOnDynamo();
/** The eight bytes every PNG starts with: CloudWatch's image, as far as the agent cares. */
const PNG = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

describe('the canary analysis through the Lambda handlers (DynamoDB Local, GetMetricData and GetMetricWidgetImage mocked)', () => {
  const analysed = configInput({
    alarms: { canary: ['canary-orders-api-5xx'], stable: [] },
    validation: { defaultWindowSeconds: 300, minWindowSeconds: 300 },
    analysis: { loadBalancer: ANALYSED_ALB, minimumRequests: 100 },
  });
  /** GetMetricData's answer, as CloudWatch documents it, for the ids the adapter asks for: m0 requests, m1 5XX, m2 p99. */
  const figures = (canary: { requests: number; errors: number }) => {
    const at = (i: number) => new Date(Date.UTC(2026, 11, 4, 10, i));
    const series = (Id: string, values: number[]) => ({
      Id,
      Label: Id,
      Timestamps: values.map((_, i) => at(i)),
      Values: values,
      StatusCode: 'Complete' as const,
    });
    return {
      MetricDataResults: [
        series('m0q0canary', [canary.requests]),
        series('m0q0stable', [9000]),
        series('m1q0canary', [canary.errors]),
        series('m1q0stable', [9]),
        series('m2q0canary', [0.2, 0.21, 0.2]),
        series('m2q0stable', [0.2, 0.2, 0.21]),
      ],
      Messages: [],
    };
  };

  beforeEach(() => {
    answerAgentParameters(ssm, {
      signingSecret: SIGNING_SECRET,
      botToken: 'xoxb-handler-test',
      config: analysed,
      version: '1.4.1',
    });
    cloudWatch.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: PNG });
  });

  async function verifying(): Promise<string> {
    const releaseId = await startRelease();
    await finish('deploy-canary', 0);
    await finish('start-mirror', 1);
    return releaseId;
  }

  /** Fires the analysis' next interval timer as Scheduler does, once that interval is over. */
  async function elapseInterval(releaseId: string): Promise<void> {
    const run = (await load(releaseId)).run;
    const next = run?.kind === 'validate' ? run.analysis?.next : undefined;
    if (run?.kind !== 'validate' || next === undefined) throw new Error('no interval timer is set');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse(run.startedAt) + next.interval * 60_000);
    await invoke('timer', getTestEvent('canary-agent/timer-elapsed', { releaseId, timerId: next.timerId }));
  }

  it('judges each interval with one GetMetricData call for both fleets, and rolls back early on the error rate, with the chart in the thread', async () => {
    const releaseId = await verifying();
    expect(scheduler).toHaveReceivedCommandTimes(CreateScheduleCommand, 2);
    cloudWatch.on(GetMetricDataCommand).resolves(figures({ requests: 1000, errors: 1 }));

    await elapseInterval(releaseId);
    expect(await load(releaseId)).toMatchObject({
      state: 'verifying',
      evidence: { verdict: 'pass', score: 100 },
    });

    cloudWatch.on(GetMetricDataCommand).resolves(figures({ requests: 1000, errors: 60 }));
    await elapseInterval(releaseId);

    const release = await load(releaseId);
    expect(release.state).toBe('rollingBack');
    expect(release.rollback?.reason).toMatchObject({
      kind: 'analysisFailed',
      early: true,
      metrics: ['errorRate'],
    });
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect(cloudWatch.commandCalls(GetMetricDataCommand)[1]?.args[0].input.MetricDataQueries).toHaveLength(6);
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricWidgetImageCommand, 1);
    expect(slack.files().map((f) => [f.title, f.mimetype])).toEqual([
      ['orders-api 1.4.2: canary against stable', 'image/png'],
    ]);
    // Under the release's card: the thread of the first message the agent posted.
    const [card] = slack.messages().filter((m) => m.from === 'app' && m.threadTs === undefined);
    const shared = slack.messages().filter((m) => (m.files ?? []).length > 0);
    expect(shared.map((m) => m.threadTs)).toEqual([card?.ts]);
  });

  it('never passes a window whose metrics could not be read: access denied holds the release as inconclusive', async () => {
    const releaseId = await verifying();
    cloudWatch.on(GetMetricDataCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: cloudwatch:GetMetricData'), {
        name: 'AccessDenied',
      }),
    );

    await elapseWindow(releaseId);

    const release = await load(releaseId);
    expect(release.state).toBe('inconclusive');
    expect(release.evidence?.reason).toContain('could not be read: AccessDenied');
  });

  it('refuses a pipeline start whose watched alarm does not exist, naming it, and starts nothing', async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });

    const result = await invoke('pipeline', getTestEvent('canary-agent/release-requested'));

    expect(result).toMatchObject({
      refused: 'missing-alarms',
      message: expect.stringContaining('do not exist in CloudWatch: canary-orders-api-5xx'),
    });
    expect(ssm).not.toHaveReceivedCommand(SendCommandCommand);
  });
});
