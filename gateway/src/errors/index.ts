export { AppError, type ErrorClass, type AppErrorOptions } from './app-error';
export { errorClassOf } from './classify-infra';
export { ERROR_CODES, describeErrorCode, registeredError, type ErrorCode, type ErrorCodeInfo } from './registry';
