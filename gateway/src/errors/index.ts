export { AppError, type ErrorClass, type AppErrorOptions } from './app-error';
export { errorClassOf } from './classify-infra';
