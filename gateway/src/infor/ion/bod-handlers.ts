import type { AnyBod, Bod, KnownDocument, KnownNoun } from '../bod';

export interface BodHandlerContext {
  /** the inbox row holding the document */
  inboxId: string;
  correlationId: string;
  /** 1-based attempt of the job */
  attempt: number;
}

export type BodHandler<N extends KnownNoun = KnownNoun> = (bod: Bod<N>, context: BodHandlerContext) => Promise<void>;

/** The noun each document name carries, so a handler gets the right model type. */
export type NounOf<D extends KnownDocument> = D extends `${string}.${infer N}` ? (N extends KnownNoun ? N : never) : never;

/**
 * What to do with each inbound document, by `Verb.Noun`. Flows register their handlers at
 * start-up; a document with no handler is rejected back to ION with a ConfirmBOD.
 */
export class BodHandlers {
  readonly #handlers = new Map<string, BodHandler>();

  register<D extends KnownDocument>(documentName: D, handler: BodHandler<NounOf<D>>): void {
    if (this.#handlers.has(documentName)) throw new Error(`a handler for ${documentName} is already registered`);
    this.#handlers.set(documentName, handler as unknown as BodHandler);
  }

  get(documentName: string): ((bod: AnyBod, context: BodHandlerContext) => Promise<void>) | undefined {
    return this.#handlers.get(documentName) as ((bod: AnyBod, context: BodHandlerContext) => Promise<void>) | undefined;
  }

  documents(): string[] {
    return [...this.#handlers.keys()];
  }
}
