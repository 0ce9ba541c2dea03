// Every document and email in each of the six languages: an invoice, a credit note and a receipt
// (the documents and their emails) and the four payment reminders, for a customer in each
// locale, read that language's key phrases, and no English phrase of ours remains outside en.
import { describe, expect, it } from 'vitest';
import { createDocumentRenderer, type RenderedEmail } from '../../documents/renderer.ts';
import { taxNoteText } from '../../documents/tax-mentions.ts';
import { REMINDER_TONES } from '../../documents/views.ts';
import { LANGUAGES, type Language } from '../../i18n/catalogue.ts';
import { creditNote, multiRateInvoice, receipt, reminder } from '../support/document-views.ts';

const renderer = createDocumentRenderer({});

const LOCALES: Record<Language, string> = {
  en: 'en-GB',
  de: 'de-DE',
  fr: 'fr-FR',
  es: 'es-ES',
  it: 'it-IT',
  nl: 'nl-NL',
};

/** Words each language's customer reads: the documents' titles and a few labels. */
const PHRASES: Record<Language, Record<string, string>> = {
  en: {
    invoice: 'Invoice',
    creditNote: 'Credit note',
    receipt: 'Receipt',
    amountDue: 'Amount due',
    hello: 'Hello Amélie Durand,',
    vat: 'VAT 20%',
    reverseCharge: 'Reverse charge',
    accountCredit: 'account credit',
  },
  de: {
    invoice: 'Rechnung',
    creditNote: 'Gutschrift',
    receipt: 'Zahlungsbestätigung',
    amountDue: 'Fälliger Betrag',
    hello: 'Hallo Amélie Durand,',
    vat: 'USt. 20\u00a0%',
    reverseCharge: 'Steuerschuldnerschaft des Leistungsempfängers',
    accountCredit: 'Guthaben auf dem Kundenkonto',
  },
  fr: {
    invoice: 'Facture',
    creditNote: 'Avoir',
    receipt: 'Reçu',
    amountDue: 'Montant dû',
    hello: 'Bonjour Amélie Durand,',
    vat: 'TVA 20\u00a0%',
    reverseCharge: 'Autoliquidation',
    accountCredit: 'avoir sur le compte client',
  },
  es: {
    invoice: 'Factura',
    creditNote: 'Factura rectificativa',
    receipt: 'Recibo',
    amountDue: 'Importe pendiente',
    hello: 'Hola, Amélie Durand:',
    vat: 'IVA 20\u00a0%',
    reverseCharge: 'Inversión del sujeto pasivo',
    accountCredit: 'saldo a favor en la cuenta',
  },
  it: {
    invoice: 'Fattura',
    creditNote: 'Nota di credito',
    receipt: 'Ricevuta',
    amountDue: 'Importo dovuto',
    hello: 'Gentile Amélie Durand,',
    vat: 'IVA 20%',
    reverseCharge: 'Inversione contabile',
    accountCredit: 'credito sul conto cliente',
  },
  nl: {
    invoice: 'Factuur',
    creditNote: 'Creditnota',
    receipt: 'Betalingsbewijs',
    amountDue: 'Te betalen',
    hello: 'Beste Amélie Durand,',
    vat: 'btw 20%',
    reverseCharge: 'Btw verlegd',
    accountCredit: 'tegoed op de klantrekening',
  },
};

/** Phrases of our English templates that no other language may show (the views' data aside). */
const ENGLISH = [
  'Amount due',
  'Hello ',
  'Thank you',
  'Thanks',
  'Due date',
  'Date of issue',
  'Questions?',
  'How to pay',
  'Credit note',
  'Total credited',
  'Invoice total',
  'Still to pay',
  'Payment date',
  'Bill to',
  'Unit price',
  'Service period',
  'reply to this email',
  'A person on our team',
  'for your records',
  'Reverse charge',
  ' on €',
  'VAT ',
  'due by',
];

function everything(email: RenderedEmail): string {
  return [email.subject, email.html, email.text].join('\n');
}

describe.each(LANGUAGES)('in %s', (language) => {
  const locale = LOCALES[language];
  const words = PHRASES[language];
  const invoiceView = multiRateInvoice('EUR', locale);
  const invoiceHtml = renderer.renderInvoiceHtml(invoiceView);
  const invoiceEmail = renderer.renderInvoiceEmail(invoiceView);
  const creditHtml = renderer.renderCreditNoteHtml(creditNote('EUR', locale));
  const creditEmail = renderer.renderCreditNoteEmail(creditNote('EUR', locale));
  const receiptHtml = renderer.renderReceiptHtml(receipt('EUR', locale, 5000));
  const receiptEmail = renderer.renderReceiptEmail(receipt('EUR', locale, 5000));
  const reminders = REMINDER_TONES.map((tone) =>
    renderer.renderReminderEmail(reminder('EUR', locale, tone)),
  );
  const all = [
    invoiceHtml,
    creditHtml,
    receiptHtml,
    ...[invoiceEmail, creditEmail, receiptEmail, ...reminders].map(everything),
  ];

  it('titles and labels every document in the language', () => {
    expect(invoiceHtml).toContain(`<html lang="${language}">`);
    expect(invoiceHtml).toContain(`<h1>${words.invoice}</h1>`);
    expect(invoiceHtml).toContain(words.amountDue);
    expect(invoiceHtml).toContain(words.vat);
    expect(creditHtml).toContain(`<h1>${words.creditNote}</h1>`);
    expect(receiptHtml).toContain(`<h1>${words.receipt}</h1>`);
  });

  it('greets and writes every email in the language', () => {
    for (const email of [invoiceEmail, creditEmail, receiptEmail, ...reminders]) {
      expect(email.html).toContain(`<html lang="${language}">`);
      expect(email.text).toContain(words.hello);
    }
    expect(invoiceEmail.subject).toContain('INV-2027-000001');
    // Each reminder step keeps its own words in every language.
    expect(new Set(reminders.map((r) => r.subject)).size).toBe(REMINDER_TONES.length);
    expect(new Set(reminders.map((r) => r.text)).size).toBe(REMINDER_TONES.length);
  });

  it('words a payment by account credit on the receipt and its email', () => {
    const view = receipt('EUR', locale, 5000);
    view.payment.method = 'account credit';
    const html = renderer.renderReceiptHtml(view);
    const email = renderer.renderReceiptEmail(view);
    expect(html).toContain(`<td>${words.accountCredit}</td>`);
    expect(email.text).toContain(words.accountCredit);
    // An operator's own method is printed as typed, in every language.
    expect(receiptHtml).toContain('<td>Visa ending 4242</td>');
    if (language !== 'en') expect(everything(email) + html).not.toContain('account credit');
  });

  it('prints the reverse-charge mention the language’s law expects', () => {
    const view = multiRateInvoice('EUR', locale);
    view.taxNotes = [taxNoteText(locale, { mention: 'eu_reverse_charge', params: {} })];
    expect(renderer.renderInvoiceHtml(view)).toContain(words.reverseCharge);
  });

  it.skipIf(language === 'en')('leaves no English phrase of ours', () => {
    for (const output of all) {
      const found = ENGLISH.filter((phrase) => output.includes(phrase));
      expect(found).toEqual([]);
    }
  });
});
