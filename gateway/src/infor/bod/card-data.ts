import { CARD_FIELDS, findCardData } from '../../http/middleware/refuse-card-data';
import { luhnValid, replaceCardLikeRuns } from '../../observability/redact';
import type { XmlElement } from './xml';

/**
 * Card data in a document from ION — a Luhn-valid card number in any element or attribute, or a
 * card-data element (CSC, CVV, track data, `Card/Number`, …) — found the same way as in JSON
 * bodies (http/middleware/refuse-card-data.ts). Returns where, as an element path, or undefined.
 */
export function findCardDataInBod(rootName: string, root: XmlElement): string | undefined {
  return findCardData(root, rootName, rootName.toLowerCase());
}

const ELEMENT_WITH_TEXT = /<((?:[A-Za-z_][\w.-]*:)?)([A-Za-z_][\w.-]*)(\s[^>]*)?>([^<]*)<\/\1\2\s*>/g;

/**
 * The document with its card data masked, for the inbox copy of a refused BOD: every Luhn-valid
 * 13–19 digit run (wherever it stands) becomes `[CARD ****1234]`, and the text of every card-data
 * element `[REDACTED]`. The markup stays, so the copy still reads as the document it was.
 */
export function redactCardDataInXml(xml: string): string {
  const masked = replaceCardLikeRuns(xml, (run, digits) => (digits.length >= 13 && digits.length <= 19 && luhnValid(digits) ? `[CARD ****${digits.slice(-4)}]` : run));
  return masked.replace(ELEMENT_WITH_TEXT, (whole, prefix: string, name: string, attrs: string | undefined, text: string) =>
    text.trim() && CARD_FIELDS.has(name.toLowerCase().replace(/[-_]/g, '')) ? `<${prefix}${name}${attrs ?? ''}>[REDACTED]</${prefix}${name}>` : whole,
  );
}
