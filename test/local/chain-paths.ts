/** The demo services' answers through the chain: each names its version and the answer of the service it called. */
export interface ChainAnswer {
  readonly service?: string;
  readonly version?: string;
  readonly calls?: ChainAnswer & { readonly status?: number };
}

/** Every hop an answer names, in call order: `['front@2.0.0', 'orders-api@1.4.2', 'payments@2.1.0']`. */
export function hops(answer: ChainAnswer | undefined): string[] {
  return answer ? [`${answer.service}@${answer.version}`, ...hops(answer.calls)] : [];
}

/** A service's answer at `url`: its status and the path it names (none when nginx itself answered). */
export async function askChain(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; hops: string[] }> {
  const response = await fetch(`${url}/orders/42`, { headers });
  const body = await response.text();
  return { status: response.status, hops: body.startsWith('{') ? hops(JSON.parse(body) as ChainAnswer) : [] };
}
