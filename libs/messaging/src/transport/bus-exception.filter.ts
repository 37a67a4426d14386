import { ArgumentsHost, Catch, Injectable } from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import { throwError } from 'rxjs';

/**
 * Nest's default RPC exception filter replaces every error a handler throws with `{ status: 'error', message:
 * 'Internal server error' }`; the bus needs the original (PermanentMessageError skips retries, the message becomes
 * the dead-letter reason). This global filter hands RPC errors back unchanged and leaves HTTP errors to Nest's
 * default handling.
 */
@Catch()
@Injectable()
export class BusExceptionFilter extends BaseExceptionFilter {
  constructor(adapterHost: HttpAdapterHost) {
    super(adapterHost.httpAdapter);
  }

  override catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() === 'rpc') return throwError(() => exception);
    return super.catch(exception, host);
  }
}
