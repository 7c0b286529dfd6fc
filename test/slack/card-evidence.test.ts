import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { ACTION_IDS, releaseCard } from '../../adapters/slack-presentation/release-card';
import { stopConfirm } from '../../adapters/slack-presentation/stop-confirm';
import { REQUESTER } from '../../local/fixture-service-config';
import { analysed, latencies, reading } from '../support/analysis';
import { harness } from '../support/harness';

/* The canary's evidence where people decide: the score, the canary-vs-stable table, the marginal hold. */

const requester = { kind: 'person', id: REQUESTER } as const;

async function verifying(config = analysed()) {
  const h = harness({ configs: [config] });
  const started = await h.service.start({
    service: 'orders-api',
    toVersion: '1.4.2',
    requestedBy: requester,
  });
  if (!started.ok) throw new Error(started.message);
  await h.finishCommand('deployCanary');
  await h.finishCommand('startMirror');
  return { h, id: started.release.id };
}

const texts = (blocks: readonly KnownBlock[]) =>
  blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
const evidenceOf = (blocks: readonly KnownBlock[]) =>
  texts(blocks).find((t) => t.startsWith('*Canary against stable*'));

describe('the evidence on the card', () => {
  it('shows no evidence before the analysis judged anything', async () => {
    const { h, id } = await verifying();

    expect(evidenceOf(releaseCard(await h.load(id), h.now()).blocks)).toBeUndefined();
  });

  it('shows the score and a table of requests, error %, p50 and p99 on each side, with each verdict', async () => {
    const config = analysed({
      metrics: [
        { preset: 'requestCount' },
        { preset: 'errorRate' },
        { preset: 'latencyP50' },
        { preset: 'latencyP99' },
      ],
    });
    const { h, id } = await verifying(config);
    const figures = reading({ errors: 2 });
    h.answerMetrics({
      ...figures,
      data: {
        ...figures.data,
        latencyP50: { kind: 'distribution', canary: latencies(0.051), stable: latencies(0.05) },
      },
    });
    await h.elapseWindow(id);

    const shown = evidenceOf(releaseCard(await h.load(id), h.now()).blocks);

    expect(shown?.split('\n')[0]).toBe(
      '*Canary against stable*: score *100* ✅ pass (over the whole window)',
    );
    expect(shown).toContain('requests   1,000   9,000');
    expect(shown).toMatch(/error %\s+0\.20%\s+0\.11%\s+✓ pass/);
    expect(shown).toMatch(/p50\s+52 ms\s+51 ms\s+✓ pass/);
    expect(shown).toMatch(/p99\s+204 ms\s+204 ms\s+✓ pass/);
  });

  it("labels a group member's metrics as a single service's, under the member's name", async () => {
    const { h, id } = await verifying();
    h.answerMetrics(reading({ errors: 2 }));
    await h.elapseWindow(id);
    const release = await h.load(id);
    const evidence = release.evidence;
    if (evidence === undefined) throw new Error('the window passed without evidence');
    // As domain/group-plan.ts names a member's metrics in the group's merged analysis.
    const metrics = evidence.metrics.map((m) => ({ ...m, name: `payments ${m.name}` }));

    const shown = evidenceOf(releaseCard({ ...release, evidence: { ...evidence, metrics } }, h.now()).blocks);

    expect(shown).toMatch(/payments error %\s+0\.20%\s+0\.11%\s+✓ pass/);
    expect(shown).not.toContain('errorRate');
  });

  it('says why a failing canary rolls back, and marks the failing critical metric', async () => {
    const { h, id } = await verifying();
    h.answerMetrics(reading({ errors: 40 }));
    await h.elapseInterval(id);

    const card = releaseCard(await h.load(id), h.now());
    const fields = card.blocks.flatMap((b) => (b.type === 'section' && b.fields ? b.fields : []));

    expect(evidenceOf(card.blocks)).toMatch(/error %\s+4\.00%\s+0\.11%\s+✗ high \(critical\)/);
    expect(evidenceOf(card.blocks)).toContain('critical metric errorRate is high');
    expect(fields.map((f) => f.text).join('\n')).toContain(
      'the canary failed its analysis early (score 50: errorRate)',
    );
  });

  it('holds a marginal canary with its score, and asks before Promote', async () => {
    const config = analysed({
      metrics: [{ preset: 'requestCount' }, { preset: 'errorRate' }, { preset: 'latencyP99' }],
      thresholds: { pass: 95, marginal: 50 },
    });
    const { h, id } = await verifying(config);
    h.answerMetrics(reading({ canaryP99: 0.6 }));
    await h.elapseWindow(id);

    const card = releaseCard(await h.load(id), h.now());
    const promote = card.blocks
      .flatMap((b) => (b.type === 'actions' ? b.elements : []))
      .find((e) => e.type === 'button' && e.action_id === ACTION_IDS.promote);

    expect(texts(card.blocks)[0]).toContain('Marginal: the canary scored 50 against stable');
    expect(evidenceOf(card.blocks)).toContain('⚠️ marginal');
    // Asked after the clicker is checked (stop-confirm.ts), never in a Slack dialog first.
    expect(promote?.type === 'button' && promote.confirm).toBeUndefined();
    expect(stopConfirm('promote', await h.load(id)).text).toBe('Promote 1.4.2 on a marginal score?');
  });
});
