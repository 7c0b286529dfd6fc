// The SDK retries throttling and transient errors itself, with adaptive backoff, before a handler sees them.
export const sdk = { maxAttempts: 5, retryMode: 'adaptive' } as const;
