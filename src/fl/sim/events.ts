/** What the simulator reports besides metrics: client failures and what it did about them. */

/** How a client's attempt failed. */
export type FailureCause = 'threw' | 'crashed' | 'timed-out' | 'error';

/** One failed attempt of a client. */
export interface ClientFailure {
  readonly round: number;
  readonly clientId: number;
  /** 0-based attempt number. */
  readonly attempt: number;
  readonly cause: FailureCause;
  readonly message: string;
  /** `retried`: another attempt follows; `dropped`: the round goes on without this client. */
  readonly action: 'retried' | 'dropped';
}
