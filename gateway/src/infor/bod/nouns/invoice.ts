import { BodError } from '../errors';
import { readAmount, readDecimal, writeAmount, type Amount, type BodId } from '../envelope';
import { attr, child, children, compact, el, path, type XmlNode } from '../xml';
import type { NounCodec } from './codec';
import { readDocumentId, readParty, readUserArea, writeDocumentId, writeParty, writeUserArea, type PartyRef } from './common';

export interface InvoiceLine {
  lineNumber: string;
  itemId?: string;
  description?: string;
  quantity: string;
  unitCode?: string;
  unitPrice?: Amount;
  extendedAmount: Amount;
  taxAmount?: Amount;
}

/** The M3 invoice common BOD (Sync.Invoice): what a payment link or a capture needs. */
export interface Invoice {
  /** IVNO (or CINO for AR invoices) with accountingEntity CONO_DIVI */
  id: BodId;
  /** EXIN, the extended invoice number shown to the customer */
  displayId?: string;
  /** YEA4, M3's invoice year (UserArea M3.YEA4) */
  invoiceYear?: string;
  /** INPX (UserArea M3.INPX) */
  invoicePrefix?: string;
  documentDateTime?: string;
  status?: string;
  customer: PartyRef;
  payer?: PartyRef;
  /** the customer order (ORNO) the invoice was made from */
  salesOrderId?: string;
  /** customer's PO (CUOR) */
  customerOrderReference?: string;
  extendedAmount?: Amount;
  taxAmount?: Amount;
  totalAmount: Amount;
  /** what is still to be paid (M3 RAFC / OCUA) */
  openAmount?: Amount;
  paymentTermCode?: string;
  /** M3 PYCD */
  paymentMethodCode?: string;
  dueDateTime?: string;
  lines: InvoiceLine[];
}

function readLine(node: XmlNode, index: number): InvoiceLine {
  const where = `InvoiceLine[${index + 1}]`;
  const quantityNode = child(node, 'Quantity');
  const extended = readAmount(child(node, 'ExtendedAmount'), `${where}/ExtendedAmount`);
  if (!extended) throw new BodError('BOD_MISSING_FIELD', `${where}/ExtendedAmount is missing`, { field: `${where}/ExtendedAmount` });
  return {
    lineNumber: path(node, 'LineNumber') ?? String(index + 1),
    itemId: path(node, 'Item', 'ItemID', 'ID'),
    description: path(node, 'Item', 'Description'),
    quantity: readDecimal(quantityNode, `${where}/Quantity`) ?? '1',
    unitCode: attr(quantityNode, 'unitCode'),
    unitPrice: readAmount(child(child(node, 'UnitPrice'), 'Amount'), `${where}/UnitPrice/Amount`),
    extendedAmount: extended,
    taxAmount: readAmount(child(node, 'TotalTaxAmount'), `${where}/TotalTaxAmount`),
  };
}

function writeLine(line: InvoiceLine): XmlNode {
  return compact({
    LineNumber: line.lineNumber,
    Item: line.itemId || line.description ? compact({ ItemID: line.itemId ? { ID: line.itemId } : undefined, Description: line.description }) : undefined,
    Quantity: el(line.quantity, { unitCode: line.unitCode }),
    UnitPrice: line.unitPrice ? { Amount: writeAmount(line.unitPrice) } : undefined,
    ExtendedAmount: writeAmount(line.extendedAmount),
    TotalTaxAmount: line.taxAmount ? writeAmount(line.taxAmount) : undefined,
  });
}

export const invoiceCodec: NounCodec<Invoice> = {
  noun: 'Invoice',
  decode(node: XmlNode): Invoice {
    const header = child(node, 'InvoiceHeader');
    if (header === undefined) throw new BodError('BOD_MISSING_FIELD', 'Invoice/InvoiceHeader is missing', { field: 'Invoice/InvoiceHeader' });
    const customer = readParty(child(header, 'CustomerParty'));
    if (!customer) throw new BodError('BOD_MISSING_FIELD', 'InvoiceHeader/CustomerParty/PartyIDs/ID is missing', { field: 'InvoiceHeader/CustomerParty' });
    const total = readAmount(child(header, 'TotalAmount'), 'InvoiceHeader/TotalAmount');
    if (!total) throw new BodError('BOD_MISSING_FIELD', 'InvoiceHeader/TotalAmount is missing', { field: 'InvoiceHeader/TotalAmount' });
    const user = readUserArea(header);
    return {
      id: readDocumentId(header, 'InvoiceHeader'),
      displayId: path(header, 'DisplayID'),
      // M3 carries the invoice year (YEA4) as FiscalYear or in the UserArea
      invoiceYear: path(header, 'FiscalYear') ?? user['M3.YEA4'],
      invoicePrefix: user['M3.INPX'],
      documentDateTime: path(header, 'DocumentDateTime'),
      status: path(header, 'Status', 'Code'),
      customer,
      payer: readParty(child(header, 'PayFromParty')),
      salesOrderId: path(header, 'SalesOrderReference', 'DocumentID', 'ID'),
      customerOrderReference: path(header, 'CustomerPurchaseOrderReference', 'DocumentID', 'ID'),
      extendedAmount: readAmount(child(header, 'ExtendedAmount'), 'InvoiceHeader/ExtendedAmount'),
      taxAmount: readAmount(child(header, 'TotalTaxAmount'), 'InvoiceHeader/TotalTaxAmount'),
      totalAmount: total,
      openAmount: readAmount(child(header, 'OpenAmount'), 'InvoiceHeader/OpenAmount'),
      paymentTermCode: path(header, 'PaymentTerm', 'PaymentTermCode'),
      paymentMethodCode: path(header, 'PaymentMethodCode'),
      dueDateTime: path(header, 'PaymentTerm', 'DueDateTime') ?? path(header, 'PaymentTerm', 'Term', 'DueDateTime'),
      lines: children(node, 'InvoiceLine').map(readLine),
    };
  },
  encode(model: Invoice): XmlNode {
    return compact({
      InvoiceHeader: compact({
        DocumentID: writeDocumentId(model.id),
        DisplayID: model.displayId,
        DocumentDateTime: model.documentDateTime,
        Status: model.status ? { Code: model.status } : undefined,
        CustomerParty: writeParty(model.customer),
        PayFromParty: model.payer ? writeParty(model.payer) : undefined,
        SalesOrderReference: model.salesOrderId ? { DocumentID: { ID: model.salesOrderId } } : undefined,
        CustomerPurchaseOrderReference: model.customerOrderReference ? { DocumentID: { ID: model.customerOrderReference } } : undefined,
        ExtendedAmount: model.extendedAmount ? writeAmount(model.extendedAmount) : undefined,
        TotalTaxAmount: model.taxAmount ? writeAmount(model.taxAmount) : undefined,
        TotalAmount: writeAmount(model.totalAmount),
        OpenAmount: model.openAmount ? writeAmount(model.openAmount) : undefined,
        PaymentTerm: model.paymentTermCode || model.dueDateTime ? compact({ PaymentTermCode: model.paymentTermCode, DueDateTime: model.dueDateTime }) : undefined,
        PaymentMethodCode: model.paymentMethodCode,
        UserArea: writeUserArea({ 'M3.YEA4': model.invoiceYear, 'M3.INPX': model.invoicePrefix }),
      }),
      InvoiceLine: model.lines.map(writeLine),
    });
  },
};
