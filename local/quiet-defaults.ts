/**
 * Defaults for running on a developer's machine or in CI, imported first by every entry point (`npm start`, the
 * demo, Socket Mode, the bench) and by vitest.config.ts, so they hold before any module builds the Powertools logger
 * or an AWS SDK client (both read the environment once, when they are built). A value already set wins.
 */

// Powertools logs only warnings and errors; `POWERTOOLS_LOG_LEVEL=INFO npm test` shows every handler's log.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
// The AWS SDK warns on Node 20 that its releases after January 2027 need Node 22 (README, "Quick start"). This is
// its documented opt-out (aws/aws-sdk-js-v3#7983); Lambda already runs nodejs22.x.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
