/** The BOD library: envelope and noun decoding, and every hostile-XML case refused with a classified error. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BodError, buildBod, newEnvelope, parseBod, parseXml, rejectionConfirmBod, splitAccountingEntity, type AnyBod } from '../../../gateway/src/infor/bod';

const SAMPLES = path.resolve(__dirname, '..', '..', '..', 'ion-bods', 'samples');
const sample = (name: string) => readFileSync(path.join(SAMPLES, name), 'utf8');

function refused(xml: string | Buffer, limits?: Parameters<typeof parseBod>[1]): BodError {
  try {
    parseBod(xml, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(BodError);
    return err as BodError;
  }
  throw new Error('the document was accepted');
}

describe('decoding', () => {
  test('Sync.Invoice: envelope, accounting entity, amounts as exact strings, lines, M3 user area', () => {
    const bod = parseBod(sample('Sync.Invoice.xml'));
    expect(bod.documentName).toBe('Sync.Invoice');
    expect(bod.envelope).toMatchObject({
      verb: 'Sync',
      noun: 'Invoice',
      bodId: '6f1d3c2a-9b7e-4c1a-8d55-0e2f4a9b1c77',
      sender: { logicalId: 'lid://infor.m3.m3', componentId: 'M3BE', confirmationCode: 'OnError' },
      accountingEntityId: '100_AAA',
      tenantId: 'M3PT_TST',
      actionCode: 'Replace',
    });
    if (bod.envelope.noun !== 'Invoice') throw new Error('not an invoice');
    const invoice = (bod as Extract<AnyBod, { envelope: { noun: 'Invoice' } }>).model;
    expect(invoice.id).toEqual({ value: '200001', accountingEntity: '100_AAA', variationId: '1', location: undefined, lid: undefined });
    expect(invoice.totalAmount).toEqual({ value: '1250.00', currency: 'USD' });
    expect(invoice.customer.name).toBe('Acme Supply Co & Sons'); // predefined entity decoded
    expect(invoice.invoiceYear).toBe('2026');
    expect(invoice.lines).toHaveLength(2);
    expect(invoice.lines[1]).toMatchObject({ itemId: 'ITM2000', quantity: '1', unitPrice: { value: '149.99', currency: 'USD' } });
    expect(splitAccountingEntity(bod.envelope.accountingEntityId!)).toEqual({ cono: '100', divi: 'AAA' });
  });

  test('a namespace prefix on the root is as good as the default namespace', () => {
    const prefixed = sample('Sync.MyPTPayment.xml')
      .replace('<SyncMyPTPayment xmlns="http://schema.infor.com/InforOAGIS/2"', '<ns0:SyncMyPTPayment xmlns:ns0="http://schema.infor.com/InforOAGIS/2"')
      .replace('</SyncMyPTPayment>', '</ns0:SyncMyPTPayment>');
    expect(parseBod(prefixed).documentName).toBe('Sync.MyPTPayment');
  });

  test('built documents escape markup in values', () => {
    const envelope = newEnvelope({ verb: 'Sync', noun: 'MyPTPaymentLink', logicalId: 'lid://infor.ims.m3paytrace', accountingEntityId: '100_AAA' });
    const xml = buildBod(envelope, {
      id: { value: 'lnk_1' },
      status: 'Active',
      invoice: { id: '200001', year: '2026' },
      customer: { id: { value: 'C10001' }, name: '<script>&"x"' },
      amount: { value: '10.00', currency: 'USD' },
    });
    expect(xml).not.toContain('<script>');
    const back = parseBod(xml);
    expect(back.model).toMatchObject({ customer: { name: '<script>&"x"' } });
  });

  test('rejectionConfirmBod answers the original BODID with the error code', () => {
    const original = parseBod(sample('Sync.Invoice.xml'));
    const confirm = parseBod(rejectionConfirmBod(original.envelope, { code: 'BOD_UNKNOWN_NOUN', message: 'nope' }, { logicalId: 'lid://infor.ims.m3paytrace' }));
    expect(confirm.documentName).toBe('Confirm.BOD');
    expect(confirm.model).toEqual({
      original: { logicalId: 'lid://infor.m3.m3', componentId: 'M3BE', creationDateTime: '2026-11-20T14:03:11.482Z', bodId: '6f1d3c2a-9b7e-4c1a-8d55-0e2f4a9b1c77' },
      outcome: 'Rejected',
      messages: [{ description: 'nope', type: 'Error', reasonCode: 'BOD_UNKNOWN_NOUN' }],
    });
  });
});

describe('hostile and malformed XML', () => {
  test('XXE: an external entity is refused before parsing (nothing is read)', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${sample('Sync.Invoice.xml').replace(/^<\?xml[^>]*>/, '').replace('Acme Supply Co &amp; Sons', '&xxe;')}`;
    const err = refused(xxe);
    expect(err.code).toBe('BOD_DOCTYPE_REFUSED');
    expect(err.errorClass).toBe('business');
    expect(err.message).not.toContain('root:');
  });

  test('billion laughs is refused at once', () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>`;
    expect(refused(lol).code).toBe('BOD_DOCTYPE_REFUSED');
  });

  test('an undeclared entity reference is refused as not well-formed (XML 1.0 "Entity Declared"), never expanded', () => {
    const err = refused(sample('Sync.Invoice.xml').replace('Acme Supply Co &amp; Sons', '&secret;'));
    expect(err.code).toBe('BOD_MALFORMED_XML');
    expect(err.message).toMatch(/undefined entity.*\(line \d+, column \d+\)/);
    expect(err.details).toEqual({ line: expect.any(Number), column: expect.any(Number) });
  });

  test('predefined entities and character references are resolved', () => {
    const bod = parseBod(sample('Sync.Invoice.xml').replace('Acme Supply Co &amp; Sons', 'Acme &#x26; &#38; Sons &lt;&gt;'));
    expect(bod.model).toMatchObject({ customer: { name: 'Acme & & Sons <>' } });
  });

  test('wrong namespace', () => {
    const err = refused(sample('Sync.Invoice.xml').replace('http://schema.infor.com/InforOAGIS/2', 'http://www.openapplications.org/oagis/10'));
    expect(err.code).toBe('BOD_WRONG_NAMESPACE');
    expect(err.details).toEqual({ namespace: 'http://www.openapplications.org/oagis/10' });
  });

  test('no namespace at all', () => {
    expect(refused(sample('Sync.Invoice.xml').replace(' xmlns="http://schema.infor.com/InforOAGIS/2"', '')).code).toBe('BOD_WRONG_NAMESPACE');
  });

  test('missing BODID names the field', () => {
    const err = refused(sample('Sync.Invoice.xml').replace(/<BODID>[^<]*<\/BODID>/, ''));
    expect(err.code).toBe('BOD_MISSING_FIELD');
    expect(err.details).toEqual({ field: 'ApplicationArea/BODID' });
  });

  test('a body over the size cap (10 MB) is refused before parsing', () => {
    const padding = `<!--${'x'.repeat(10 * 1024 * 1024)}-->`;
    const err = refused(sample('Sync.Invoice.xml').replace('<DataArea>', `<DataArea>${padding}`));
    expect(err.code).toBe('BOD_TOO_LARGE');
    expect(err.httpStatus).toBe(413);
  });

  test('deep nesting is refused', () => {
    const deep = `${'<a>'.repeat(5000)}x${'</a>'.repeat(5000)}`;
    const err = refused(sample('Sync.Invoice.xml').replace('<Name>Acme Supply Co &amp; Sons</Name>', `<Name>${deep}</Name>`));
    expect(err.code).toBe('BOD_TOO_DEEP');
  });

  test('the depth limit is exact: maxDepth levels pass, one more is refused', () => {
    const nested = (levels: number) => `${'<a>'.repeat(levels - 1)}<b>x</b>${'</a>'.repeat(levels - 1)}`;
    expect(parseXml(nested(12), { maxDepth: 12 }).rootName).toBe('a');
    const err = (() => {
      try {
        parseXml(nested(13), { maxDepth: 12 });
      } catch (e) {
        return e as BodError;
      }
      throw new Error('13 levels were accepted');
    })();
    expect(err.code).toBe('BOD_TOO_DEEP');
  });

  test('the root is what the parser reads: a comment or a prefixed root cannot fake the namespace', () => {
    expect(parseXml('<!-- <X xmlns="urn:a"> --><X xmlns="urn:b"/>').namespace).toBe('urn:b');
    expect(parseXml('<p:X xmlns="urn:a" xmlns:p="urn:b"/>')).toMatchObject({ rootName: 'X', namespace: 'urn:b' });
  });

  test('bytes that are not UTF-8, or another declared encoding, are refused', () => {
    const codeOf = (input: Buffer) => {
      try {
        parseXml(input);
        return 'accepted';
      } catch (e) {
        return (e as BodError).code;
      }
    };
    expect(codeOf(Buffer.from([0x3c, 0x78, 0x3e, 0xe0, 0xa4, 0x3c, 0x2f, 0x78, 0x3e]))).toBe('BOD_ENCODING_INVALID');
    expect(codeOf(Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><x/>'))).toBe('BOD_ENCODING_INVALID');
    expect(codeOf(Buffer.from('<?xml version="1.0" encoding="utf-8"?><x>é</x>'))).toBe('accepted');
  });

  test('not well-formed', () => {
    expect(refused(sample('Sync.Invoice.xml').replace('</InvoiceHeader>', '</InvoiceHeaderX>')).code).toBe('BOD_MALFORMED_XML');
    expect(refused('just text').code).toBe('BOD_MALFORMED_XML');
    const invoice = sample('Sync.Invoice.xml');
    // cases a lenient parser lets through, each refused with where it went wrong
    for (const [broken, reason] of [
      [invoice.slice(0, invoice.lastIndexOf('</')), /unclosed tag/], // cut off in transit
      [invoice.replace('<BODID>', '<BODID x="1" x="2">'), /duplicate attribute: x/],
      [invoice.replace('Acme Supply Co &amp; Sons', 'Acme\u0001'), /disallowed character/],
      [`${invoice}<Extra/>`, /only one root/],
      [invoice.replace('Acme Supply Co &amp; Sons', 'A & B'), /.+/],
    ] as const) {
      const err = refused(broken);
      expect(err.code).toBe('BOD_MALFORMED_XML');
      expect(err.message).toMatch(reason);
      expect(err.message).toMatch(/\(line \d+, column \d+\)$/);
    }
  });

  test('unknown noun', () => {
    const xml = sample('Sync.Invoice.xml').replace(/SyncInvoice/g, 'SyncPurchaseOrder').replace(/<(\/?)Invoice>/g, '<$1PurchaseOrder>');
    const err = refused(xml);
    expect(err.code).toBe('BOD_UNKNOWN_NOUN');
    expect(err.details).toEqual({ documentName: 'Sync.PurchaseOrder' });
  });

  test('a root that is not Verb+Noun', () => {
    expect(refused('<Invoice xmlns="http://schema.infor.com/InforOAGIS/2"/>').code).toBe('BOD_NOT_A_BOD');
  });

  test('a float-looking or exponent amount is refused, never rounded', () => {
    const err = refused(sample('Sync.Invoice.xml').replace('<TotalAmount currencyID="USD">1250.00</TotalAmount>', '<TotalAmount currencyID="USD">1.25e3</TotalAmount>'));
    expect(err.code).toBe('BOD_INVALID_VALUE');
    expect(err.details).toEqual({ field: 'InvoiceHeader/TotalAmount' });
  });
});
