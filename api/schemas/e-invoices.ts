// The e-invoice answer: XML or the Factur-X PDF, as the customer's format says.
import { Type } from 'typebox';

export const EInvoiceDocument = {
  description:
    'The e-invoice, exactly as stored: XML (XRechnung, Peppol BIS) or the Factur-X PDF/A-3. ' +
    'Its ETag is the hash of its bytes.',
  content: {
    'application/xml': { schema: Type.String() },
    'application/pdf': { schema: Type.String({ format: 'binary' }) },
  },
};
