import { Logger } from '@aws-lambda-powertools/logger';

/** The agent's structured JSON logger (Powertools): one per container, shared by every handler. */
export const logger = new Logger({ serviceName: 'canary-agent' });
