/** At most this much of a host's output is kept on a release: its end, where a script says why it stopped. */
export const HOST_OUTPUT_LIMIT = 1000;

/**
 * The end of what a host printed, standard error after standard output as a person reads a failure, bounded so
 * that a chatty script cannot bloat the release item.
 *
 * @example
 * hostOutputTail('pulling image\n', 'failed: health check 503\n') // 'pulling image\nfailed: health check 503'
 */
export function hostOutputTail(stdout: string, stderr: string): string | undefined {
  const text = [stdout.trimEnd(), stderr.trimEnd()].filter((part) => part.length > 0).join('\n');
  if (text.length === 0) return undefined;
  return text.length > HOST_OUTPUT_LIMIT ? `…${text.slice(-HOST_OUTPUT_LIMIT)}` : text;
}
