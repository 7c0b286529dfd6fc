import type { Release } from './types';

/** Stable codes for logs and alarms; handlers map errors by class, never by name or message. */
export type ErrorCode =
  | 'VERSION_CONFLICT'
  | 'DUPLICATE_EVENT'
  | 'SERVICE_BUSY'
  | 'SERVICE_FROZEN'
  | 'QUEUE_CHANGED'
  | 'UNKNOWN_RELEASE'
  | 'CONFLICT_RETRIES_EXHAUSTED'
  | 'LISTENER_SWITCH_REFUSED'
  | 'TARGET_GATE_REFUSED'
  | 'CANARY_STACK_REFUSED';

abstract class CodedError extends Error {
  abstract readonly code: ErrorCode;
}

/** Someone else changed the release first; `current` is what is stored now, if it could be read. */
export class VersionConflictError extends CodedError {
  readonly code = 'VERSION_CONFLICT';
  override readonly name = 'VersionConflictError';
  constructor(
    readonly releaseId: string,
    readonly expectedVersion: number,
    readonly current?: Release,
    options?: ErrorOptions,
  ) {
    super(`Release ${releaseId} is no longer at version ${expectedVersion}`, options);
  }
}

/** This delivery of an event was already applied. */
export class DuplicateEventError extends CodedError {
  readonly code = 'DUPLICATE_EVENT';
  override readonly name = 'DuplicateEventError';
  constructor(
    readonly eventId: string,
    options?: ErrorOptions,
  ) {
    super(`Event ${eventId} was already applied`, options);
  }
}

/** The service already has an active release. */
export class ServiceBusyError extends CodedError {
  readonly code = 'SERVICE_BUSY';
  override readonly name = 'ServiceBusyError';
  constructor(
    readonly service: string,
    readonly activeReleaseId: string | null,
    options?: ErrorOptions,
  ) {
    super(`Service ${service} already has an active release ${activeReleaseId ?? ''}`.trim(), options);
  }
}

/**
 * A freeze on the service (or on every service) was set between the start's check and its write: the store's
 * create refuses it in the same transaction that takes the service's lock.
 */
export class ServiceFrozenError extends CodedError {
  readonly code = 'SERVICE_FROZEN';
  override readonly name = 'ServiceFrozenError';
  constructor(
    readonly service: string,
    options?: ErrorOptions,
  ) {
    super(`Service ${service} is frozen`, options);
  }
}

/**
 * The service's queued start is no longer the one a write expected (queued, replaced, cancelled or started by
 * someone else meanwhile): read it again and decide again.
 */
export class QueueChangedError extends CodedError {
  readonly code = 'QUEUE_CHANGED';
  override readonly name = 'QueueChangedError';
  constructor(
    readonly service: string,
    options?: ErrorOptions,
  ) {
    super(`The start queued for ${service} changed meanwhile`, options);
  }
}

/**
 * An event names a release (or SSM command) the store does not know. For command results this is usually a
 * race with the write that records the command id, so handlers treat it as retryable.
 */
export class UnknownReleaseError extends CodedError {
  readonly code = 'UNKNOWN_RELEASE';
  override readonly name = 'UnknownReleaseError';
  constructor(
    readonly reference: string,
    options?: ErrorOptions,
  ) {
    super(`No release is known for ${reference}`, options);
  }
}

/** Writers kept colliding on one release; the event is retried later rather than lost. */
export class ConflictRetriesExhaustedError extends CodedError {
  readonly code = 'CONFLICT_RETRIES_EXHAUSTED';
  override readonly name = 'ConflictRetriesExhaustedError';
  constructor(
    readonly releaseId: string,
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(`Release ${releaseId} changed under us ${attempts} times in a row`, options);
  }
}

/**
 * The load balancer will not take the switch: the listener forwards somewhere unexpected, or the listener or a
 * target group is missing or not the agent's to change. Retrying cannot help; the release must be told.
 */
export class ListenerSwitchRefusedError extends CodedError {
  readonly code = 'LISTENER_SWITCH_REFUSED';
  override readonly name = 'ListenerSwitchRefusedError';
}

/** CloudFormation refused to create a canary stack (its template, parameters, or the agent's rights): no retry helps. */
export class CanaryStackRefusedError extends CodedError {
  readonly code = 'CANARY_STACK_REFUSED';
  override readonly name = 'CanaryStackRefusedError';
}

/** The load balancer refused to move targets for good: a target group is gone, or the agent may not touch it. */
export class TargetGateRefusedError extends CodedError {
  readonly code = 'TARGET_GATE_REFUSED';
  override readonly name = 'TargetGateRefusedError';
}

export { CodedError };
