import { inspect } from 'node:util';

const MASK = '[REDACTED]';

/**
 * A value that must never appear in logs, errors or JSON. Its string, JSON and
 * util.inspect forms are masked; only `reveal()` returns the real value, so every
 * place that uses a secret is greppable.
 */
export class Secret<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return `Secret(${MASK})`;
  }

  static mask = MASK;
}

export function secret<T>(value: T): Secret<T> {
  return new Secret(value);
}
