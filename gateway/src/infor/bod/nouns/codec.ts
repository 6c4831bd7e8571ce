import type { XmlElement, XmlNode } from '../xml';

/** Typed model ⇄ noun element, one per noun. */
export interface NounCodec<T> {
  noun: string;
  /** `verbElement` is the DataArea verb (Sync/Process/Confirm…), for nouns that keep data there */
  decode(node: XmlNode, verbElement: XmlNode): T;
  encode(model: T): XmlNode;
  /** extra children of the verb element (after AccountingEntityID/LocationID) */
  encodeVerb?(model: T): XmlElement;
}
