import { HarnessError } from '../wire/errors.ts';

export type ProxyErrorCode =
  /** The listening port could not be bound (in use, no permission, no such address). */
  | 'PROXY_LISTEN_FAILED'
  /** The forward target could not be reached for a connection: the client's connection is closed. */
  | 'PROXY_FORWARD_FAILED'
  /** The passive observer of a connection failed: it stops, forwarding goes on. */
  | 'PROXY_OBSERVER_FAILED';

export class ProxyError extends HarnessError {
  constructor(
    readonly code: ProxyErrorCode,
    message: string,
    /** The system error code behind it (EADDRINUSE, ECONNREFUSED …), when there is one. */
    readonly systemCode?: string,
  ) {
    super(message);
  }
}
