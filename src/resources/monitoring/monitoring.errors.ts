import { AppError } from '../../common/errors/app-errors';

/** POST /resources/testing/performance while a run is still going: one run at a time. */
export class SelfTestRunningError extends AppError {
  readonly code = 'E_SELF_TEST_RUNNING';
  readonly status = 409;
  constructor() {
    super('a performance self-test is already running; try again when it has finished');
  }
}
