// PLACEHOLDER so that `npm run package` can bundle every function; the Slack engineer's handlers/slack.ts replaces it.
export const handler = async (_event: unknown, _context: unknown) => ({ statusCode: 503, body: 'not ready' });
