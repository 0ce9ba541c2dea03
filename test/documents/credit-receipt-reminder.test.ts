// Credit notes, receipts and payment reminders, and the tax breakdown on invoices: a
// multi-line invoice at two VAT rates in EUR (2 decimals), JPY (0) and BHD (3), in en-GB and
// fr-FR. fr-FR puts a no-break space (U+00A0) before "€" and "%"; en-GB puts none.
import { describe, expect, it } from 'vitest';
import { createDocumentRenderer, type RenderedEmail } from '../../documents/renderer.ts';
import { REMINDER_TONES, type ReminderTone } from '../../documents/views.ts';
import {
  creditNote,
  multiRateInvoice,
  receipt,
  reminder,
  type Currency,
} from '../support/document-views.ts';

const renderer = createDocumentRenderer({});
const NBSP = '\u00a0';

/** Plain text that reads well: no markup, no trailing spaces, never two blank lines in a row. */
function expectTidyText(email: RenderedEmail): void {
  expect(email.text).not.toMatch(/<\/?[a-z][^>]*>|&[a-z]+;|&#/i);
  expect(email.text).not.toMatch(/[ \t]$|\n\n\n/m);
  expect(email.text.endsWith('\n')).toBe(true);
  expect(email.subject).not.toMatch(/\n/);
  expect(email.html.startsWith('<!doctype html>')).toBe(true);
}

/** Expected money strings per currency and locale. */
const MONEY: Record<Currency, Record<'en-GB' | 'fr-FR', Record<string, string>>> = {
  EUR: {
    'en-GB': { total: '€105.35', vat20: '€15.80', base20: '€79.00', seats: '€36.00' },
    'fr-FR': {
      total: `105,35${NBSP}€`,
      vat20: `15,80${NBSP}€`,
      base20: `79,00${NBSP}€`,
      seats: `36,00${NBSP}€`,
    },
  },
  JPY: {
    'en-GB': { total: 'JP¥10,535', vat20: 'JP¥1,580', base20: 'JP¥7,900', seats: 'JP¥3,600' },
    'fr-FR': {
      total: `10${'\u202f'}535${NBSP}JPY`,
      vat20: `1${'\u202f'}580${NBSP}JPY`,
      base20: `7${'\u202f'}900${NBSP}JPY`,
      seats: `3${'\u202f'}600${NBSP}JPY`,
    },
  },
  BHD: {
    'en-GB': {
      total: `BHD${NBSP}17.669`,
      vat20: `BHD${NBSP}2.769`,
      base20: `BHD${NBSP}13.845`,
      seats: `BHD${NBSP}1.800`,
    },
    'fr-FR': {
      total: `17,669${NBSP}BHD`,
      vat20: `2,769${NBSP}BHD`,
      base20: `13,845${NBSP}BHD`,
      seats: `1,800${NBSP}BHD`,
    },
  },
};

/** The words each locale's customer reads (fr-FR: the French catalogue, i18n/messages/fr). */
const WORDS = {
  'en-GB': {
    vat: 'VAT',
    on: 'on',
    total: 'Total',
    vatNumber: 'VAT number',
    creditNote: 'Credit note',
    totalCredited: 'Total credited',
    refunding: (amount = '') => `We are refunding ${amount} to the payment method you used`,
    cnSubject: (amount = '') =>
      `Credit note CN-2027-000004: ${amount} credited on invoice INV-2027-000001`,
    cnIssued: (amount = '') =>
      `We have issued credit note CN-2027-000004 for ${amount} on invoice INV-2027-000001.\n\nWhy: Three seats were billed twice in December.\n`,
    writeTo: 'write to billing@billwright.example. A person on our team',
    attached: 'attached as a PDF (CN-2027-000004.pdf)',
    receipt: 'Receipt',
    paid: 'Paid',
    paidInFull: 'This invoice is paid in full.',
    receiptSubject: 'Thank you: invoice INV-2027-000001 is paid',
    received: (amount = '') => `Thank you: we received your payment of ${amount} on `,
    forInvoice: '(Visa ending 4242) for invoice INV-2027-000001.',
    nothingMore: 'paid in full, so there is nothing more you need to do',
    stillToPay: 'Still to pay',
    amountDue: 'Amount due',
    dueDate: 'Due date',
    replyOrWrite: /reply to this email or write to billing@billwright\.example/i,
  },
  'fr-FR': {
    vat: 'TVA',
    on: 'sur',
    total: 'Total',
    vatNumber: 'N° de TVA',
    creditNote: 'Avoir',
    totalCredited: 'Total de l’avoir',
    refunding: (amount = '') =>
      `Nous remboursons ${amount} sur le moyen de paiement que vous avez utilisé`,
    cnSubject: (amount = '') =>
      `Avoir CN-2027-000004 : ${amount} crédités sur la facture INV-2027-000001`,
    cnIssued: (amount = '') =>
      `Nous avons émis l’avoir CN-2027-000004 d’un montant de ${amount} sur la facture INV-2027-000001.\n\nMotif : Three seats were billed twice in December.\n`,
    writeTo: 'écrivez à billing@billwright.example. Une personne de notre équipe',
    attached: 'joint au format PDF (CN-2027-000004.pdf)',
    receipt: 'Reçu',
    paid: 'Payée',
    paidInFull: 'Cette facture est intégralement réglée.',
    receiptSubject: 'Merci : la facture INV-2027-000001 est réglée',
    received: (amount = '') => `Merci : nous avons bien reçu votre paiement de ${amount} le `,
    forInvoice: '(Visa ending 4242) pour la facture INV-2027-000001.',
    nothingMore: 'intégralement réglée, vous n’avez plus rien à faire',
    stillToPay: 'Reste à payer',
    amountDue: 'Montant dû',
    dueDate: 'Date d’échéance',
    replyOrWrite: /répondez à cet e-mail ou écrivez à billing@billwright\.example/i,
  },
} as const;

const CASES = (['EUR', 'JPY', 'BHD'] as const).flatMap((currency) =>
  (['en-GB', 'fr-FR'] as const).map((locale) => ({ currency, locale })),
);

describe('invoice tax breakdown', () => {
  it.each(CASES)(
    'prints each rate with its base, and the notes ($currency, $locale)',
    ({ currency, locale }) => {
      const m = MONEY[currency][locale];
      const w = WORDS[locale];
      const pct = locale === 'fr-FR' ? `20${NBSP}%` : '20%';
      const html = renderer.renderInvoiceHtml(multiRateInvoice(currency, locale));
      expect(html).toContain(
        `<th scope="row">${w.vat} ${pct} (FR) ${w.on} ${m.base20}</th><td class="num">${m.vat20}</td>`,
      );
      expect(html).toContain(locale === 'fr-FR' ? `TVA 5,5${NBSP}% (FR)` : 'VAT 5.5% (FR)');
      expect(html).not.toContain('<th scope="row">Tax'); // the breakdown replaces the single line
      expect(html).toContain(`<td class="num">${m.total}</td>`);
      expect(html).toContain('<div class="tax-notes">');
      expect(html).toContain('E-books are taxed at the reduced rate');
      expect(html).toContain(`${w.vatNumber} FR98765432109`);
      expect(html).toContain('<div>8 quai des Chartrons</div>');

      const email = renderer.renderInvoiceEmail(multiRateInvoice(currency, locale));
      expect(email.text).toContain(`  ${w.vat} ${pct} (FR) ${w.on} ${m.base20}: ${m.vat20}\n`);
      expect(email.text).toContain(`  ${w.total}: ${m.total}\n`);
      expectTidyText(email);
    },
  );

  it('shows a discount and an untaxed (reverse-charge) row with its mention', () => {
    const view = multiRateInvoice('EUR', 'en-GB');
    view.invoice.discount = 500;
    view.taxBreakdown = [
      { jurisdiction: 'DE', ratePercent: '0', taxableAmount: 8400, taxAmount: 0 },
    ];
    view.taxNotes = [
      'Reverse charge: VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC).',
    ];
    view.customer.taxExemptReference = 'EX-42';
    const html = renderer.renderInvoiceHtml(view);
    expect(html).toContain('<tr><th scope="row">Discount</th><td class="num">−€5.00</td></tr>');
    expect(html).toContain('No tax (DE) on €84.00');
    expect(html).toContain('<p>Reverse charge: VAT to be accounted for by the recipient');
    expect(html).toContain('Tax exemption EX-42');
    const email = renderer.renderInvoiceEmail(view);
    expect(email.text).toContain('  Discount: −€5.00\n  No tax (DE) on €84.00: €0.00\n');
    expect(email.text).toContain('  Reverse charge: VAT to be accounted for');
  });

  it('links the hosted page and mentions the attached PDF', () => {
    const view = multiRateInvoice('EUR', 'en-GB');
    const email = renderer.renderInvoiceEmail(view, { attachmentName: 'INV-2027-000001.pdf' });
    expect(email.html).toContain('href="https://billing.billwright.example/i/inv_tok"');
    expect(email.text).toContain(
      'pay it online here:\nhttps://billing.billwright.example/i/inv_tok\n',
    );
    expect(email.html).toContain('attached as a PDF (INV-2027-000001.pdf)');
    expect(email.text).toContain(
      'The invoice is attached as a PDF (INV-2027-000001.pdf) for your records.',
    );
    const withoutLink = { ...view };
    delete withoutLink.hostedUrl;
    const bare = renderer.renderInvoiceEmail(withoutLink);
    expect(bare.text).not.toContain('attached');
    expect(bare.text).not.toContain('pay it online');
  });
});

describe('credit note', () => {
  it.each(CASES)('renders the document and email ($currency, $locale)', ({ currency, locale }) => {
    const m = MONEY[currency][locale];
    const w = WORDS[locale];
    const view = creditNote(currency, locale);
    const html = renderer.renderCreditNoteHtml(view);
    expect(html).toContain(`<title>${w.creditNote} CN-2027-000004 · Billwright SAS</title>`);
    expect(html).toContain('--accent: #4f46e5;'); // the shared styles
    expect(html).toContain(`<h1>${w.creditNote}</h1>`);
    expect(html).toContain('<td>INV-2027-000001</td>');
    expect(html).toContain('Three seats were billed twice in December.');
    expect(html).toContain(
      `<tr class="due"><th scope="row">${w.totalCredited}</th><td class="num">${m.seats}</td></tr>`,
    );
    expect(html).toContain(w.refunding(m.seats));
    expect(html).not.toMatch(/<link\b|<script\b/);

    const email = renderer.renderCreditNoteEmail(view, { attachmentName: 'CN-2027-000004.pdf' });
    expect(email.subject).toBe(w.cnSubject(m.seats));
    expect(email.text).toContain(w.cnIssued(m.seats));
    expect(email.text).toContain(`  ${w.totalCredited}: ${m.seats}\n`);
    expect(email.text).toContain(w.writeTo);
    expect(email.text).toContain(w.attached);
    expectTidyText(email);
  });

  it('says what happens to the money for each settlement', () => {
    const toInvoice = renderer.renderCreditNoteEmail(creditNote('EUR', 'en-GB', 'invoice'));
    expect(toInvoice.text).toContain(
      '€36.00 is taken off what invoice INV-2027-000001 asks you to pay.',
    );
    const balance = renderer.renderCreditNoteEmail(creditNote('EUR', 'en-GB', 'balance'));
    expect(balance.text).toContain('€36.00 stays on your account as credit');
  });
});

describe('receipt', () => {
  it.each(CASES)('thanks for a full payment ($currency, $locale)', ({ currency, locale }) => {
    const m = MONEY[currency][locale];
    const w = WORDS[locale];
    const view = receipt(currency, locale);
    const html = renderer.renderReceiptHtml(view);
    expect(html).toContain(`<h1>${w.receipt}</h1>`);
    expect(html).toContain(`<div class="stamp paid">${w.paid}</div>`);
    expect(html).toContain('<td>Visa ending 4242</td>');
    expect(html).toContain(w.paidInFull);

    const email = renderer.renderReceiptEmail(view);
    expect(email.subject).toBe(w.receiptSubject);
    expect(email.text).toContain(w.received(m.total));
    expect(email.text).toContain(w.forInvoice);
    expect(email.text).toContain(w.nothingMore);
    expect(email.text).not.toContain(w.stillToPay);
    expectTidyText(email);
  });

  it('shows what remains after a partial payment, and where to pay it', () => {
    const email = renderer.renderReceiptEmail(receipt('BHD', 'en-GB', 5000));
    expect(email.subject).toBe(
      `Thank you: we received BHD${NBSP}5.000 for invoice INV-2027-000001`,
    );
    expect(email.text).toContain(
      `There is still BHD${NBSP}12.669 open on this invoice, due by 31 January 2027.`,
    );
    expect(email.text).toContain(
      `  This payment: BHD${NBSP}5.000\n  Still to pay: BHD${NBSP}12.669\n`,
    );
    expect(email.text).toContain(
      'pay the rest online here:\nhttps://billing.billwright.example/i/inv_tok\n',
    );
    expect(email.html).toContain('Pay the rest online');
    const html = renderer.renderReceiptHtml(receipt('BHD', 'fr-FR', 5000));
    expect(html).toContain(`Reste à payer</th><td class="num">12,669${NBSP}BHD</td>`);
    expect(html).not.toContain('stamp paid');
  });
});

describe('payment reminder', () => {
  const texts = (currency: Currency, locale: string) =>
    Object.fromEntries(
      REMINDER_TONES.map((tone) => [
        tone,
        renderer.renderReminderEmail(reminder(currency, locale, tone)),
      ]),
    ) as Record<ReminderTone, RenderedEmail>;

  it.each(CASES)(
    'always gives the amount, due date, pay link and a person ($currency, $locale)',
    ({ currency, locale }) => {
      const m = MONEY[currency][locale];
      const w = WORDS[locale];
      const due = locale === 'fr-FR' ? '31 janvier 2027' : '31 January 2027';
      for (const [tone, email] of Object.entries(texts(currency, locale))) {
        expect(email.subject, tone).toContain(m.total);
        expect(email.subject, tone).toContain(due);
        expect(email.text, tone).toContain(`  ${w.amountDue}: ${m.total}\n`);
        expect(email.text, tone).toContain(`  ${w.dueDate}: ${due}\n`);
        expect(email.text, tone).toContain('https://billing.billwright.example/i/inv_tok');
        expect(email.html, tone).toContain('href="https://billing.billwright.example/i/inv_tok"');
        expect(email.text, tone).toMatch(w.replyOrWrite);
        expectTidyText(email);
      }
    },
  );

  it('speaks differently at each step: heads-up, warm, clearer, final', () => {
    const all = texts('EUR', 'en-GB');
    expect(all.before_due.subject).toBe(
      'A friendly heads-up: invoice INV-2027-000001 (€105.35) is due 31 January 2027',
    );
    expect(all.gentle.subject).toBe('Invoice INV-2027-000001: €105.35 was due 31 January 2027');
    expect(all.firm.subject).toBe(
      'Invoice INV-2027-000001 is overdue: €105.35 due since 31 January 2027',
    );
    expect(all.final_notice.subject).toBe(
      'Final notice: invoice INV-2027-000001, €105.35 overdue since 31 January 2027',
    );
    expect(all.before_due.text).toContain('Just a friendly heads-up');
    expect(all.gentle.text).toContain('It happens, and an email is easy to miss');
    expect(all.firm.text).toContain('Please pay it now');
    expect(all.final_notice.text).toContain('This is our final reminder');
    expect(all.final_notice.text).toContain('we will agree a plan with you');
    // Every tone is its own text.
    expect(new Set(Object.values(all).map((e) => e.text)).size).toBe(4);
    expect(new Set(Object.values(all).map((e) => e.subject)).size).toBe(4);

    const final = renderer.renderReminderEmail({
      ...reminder('EUR', 'en-GB', 'final_notice'),
      consequence: 'Without payment, your workspace will be paused on 14 February 2027.',
    });
    expect(final.text).toContain(
      'Without payment, your workspace will be paused on 14 February 2027.',
    );
    expect(() =>
      renderer.renderReminderEmail({
        ...reminder('EUR', 'en-GB', 'firm'),
        tone: 'angry' as ReminderTone,
      }),
    ).toThrow(/reminder tone must be one of/);
  });

  it('falls back on the payment instructions without a hosted page', () => {
    const withoutLink = reminder('EUR', 'en-GB', 'gentle');
    delete withoutLink.hostedUrl;
    const email = renderer.renderReminderEmail(withoutLink);
    expect(email.text).toContain('How to pay:\nIBAN FR76');
    expect(email.text).not.toContain('pay it online');
  });
});

describe('escaping what customers and operators type', () => {
  const hostile = `<script>alert(1)</script> O'Brien & Co`;

  it('escapes names, reasons, methods and notes in HTML and keeps them as written in text', () => {
    const cn = creditNote('EUR', 'en-GB');
    cn.customer.name = hostile;
    cn.creditNote.reason = '<img src=x onerror=alert(1)> refund';
    const cnHtml = renderer.renderCreditNoteHtml(cn);
    const cnEmail = renderer.renderCreditNoteEmail(cn);
    for (const html of [cnHtml, cnEmail.html]) {
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Brien &amp; Co');
      expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; refund');
      expect(html).not.toMatch(/<script>|<img src=x/);
    }
    expect(cnEmail.text).toContain(`Hello ${hostile},`);
    expect(cnEmail.text).toContain('Why: <img src=x onerror=alert(1)> refund');

    const rc = receipt('EUR', 'en-GB', 1000);
    rc.customer.name = hostile;
    rc.payment.method = '<b>Visa</b>';
    const rcEmail = renderer.renderReceiptEmail(rc);
    expect(rcEmail.html).toContain('(&lt;b&gt;Visa&lt;/b&gt;)');
    expect(renderer.renderReceiptHtml(rc)).not.toContain('<b>Visa');
    expect(rcEmail.text).toContain('(<b>Visa</b>)');

    const inv = multiRateInvoice('EUR', 'en-GB');
    inv.taxNotes = ['<i>note</i>'];
    inv.customer.vatNumber = '<u>FR</u>';
    const invHtml = renderer.renderInvoiceHtml(inv);
    expect(invHtml).toContain('&lt;i&gt;note&lt;/i&gt;');
    expect(invHtml).toContain('VAT number &lt;u&gt;FR&lt;/u&gt;');

    const rm = reminder('EUR', 'en-GB', 'final_notice');
    rm.customer.name = hostile;
    rm.consequence = '<a href="x">click</a>';
    const rmEmail = renderer.renderReminderEmail(rm);
    expect(rmEmail.html).not.toContain('<script>');
    expect(rmEmail.html).toContain('&lt;a href&#x3D;&quot;x&quot;&gt;click&lt;/a&gt;');
  });

  it('refuses a pay link that is not a web address', () => {
    expect(() =>
      renderer.renderReminderEmail({
        ...reminder('EUR', 'en-GB', 'gentle'),
        hostedUrl: 'javascript:alert(1)',
      }),
    ).toThrow(/hostedUrl must be an http\(s\) URL/);
  });
});
