// Invoices and their emails rendered with the built-in templates in three currencies with 0, 2
// and 3 decimals, each in its customer's locale and time zone. Expected strings are what ICU in
// Node 24 produces, written with escapes where it uses special spaces: fr-FR puts a no-break
// space (U+00A0) before "€" and "%", en-US ranges put thin spaces (U+2009) around the dash.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDocumentRenderer } from '../../documents/renderer.ts';
import type { InvoiceView } from '../../documents/views.ts';
import { usageInvoice } from '../support/document-views.ts';

const seller = {
  legalName: 'Billwright SAS',
  addressLines: ['12 rue de la Paix', '75002 Paris', 'France'],
  taxId: 'FR12345678901',
  email: 'billing@billwright.example',
  paymentInstructions: 'IBAN FR76 3000 6000 0112 3456 7890 189\nBIC AGRIFRPP',
};

/** Paris customer billed for December 2026 (local midnights), issued at 00:30 on 1 January. */
function euroView(overrides: Partial<InvoiceView> = {}): InvoiceView {
  return {
    seller,
    brand: { productName: 'Billwright Cloud', accentColor: '#4f46e5' },
    customer: {
      name: 'Amélie Durand',
      email: 'amelie@example.fr',
      locale: 'fr-FR',
      timezone: 'Europe/Paris',
    },
    invoice: {
      id: 'inv_eur',
      number: 'INV-2027-000001',
      status: 'open',
      currency: 'EUR',
      issuedAt: '2026-12-31T23:30:00Z', // 1 January 2027, 00:30 in Paris
      dueAt: '2027-01-30T23:00:00Z', // 31 January 2027, midnight in Paris
      periodStart: '2026-11-30T23:00:00Z',
      periodEnd: '2026-12-31T23:00:00Z',
      subtotal: 4900,
      tax: 980,
      total: 5880,
      taxRateBasisPoints: 2000,
    },
    lines: [
      {
        description: 'Pro plan',
        quantity: '1',
        unitAmount: '4900',
        amount: 4900,
        periodStart: '2026-11-30T23:00:00Z',
        periodEnd: '2026-12-31T23:00:00Z',
      },
    ],
    hostedUrl: 'https://billing.billwright.example/i/inv_eur',
    ...overrides,
  };
}

/** Tokyo customer; ¥4,900 has no minor unit. Issued 00:30 on 1 January in Tokyo. */
function yenView(): InvoiceView {
  return {
    seller: {
      legalName: 'Kaito KK',
      addressLines: ['Shibuya 1-2-3', 'Tokyo'],
      email: 'billing@kaito.example',
    },
    brand: { productName: 'Kaito', accentColor: '#0e7490' },
    customer: {
      name: '山田 太郎',
      email: 'taro@example.jp',
      locale: 'ja-JP',
      timezone: 'Asia/Tokyo',
    },
    invoice: {
      id: 'inv_jpy',
      number: 'KT-000042',
      status: 'open',
      currency: 'JPY',
      issuedAt: '2026-12-31T15:30:00Z', // 2027-01-01 00:30 JST
      dueAt: '2027-01-31T14:59:59Z', // 2027-01-31 23:59:59 JST
      subtotal: 4900,
      tax: 490,
      total: 5390,
    },
    lines: [{ description: 'Team plan', quantity: '1', unitAmount: '4900', amount: 4900 }],
  };
}

/** Bahraini dinars (3 decimals) for a customer in Los Angeles, where it is still 31 December. */
function dinarView(): InvoiceView {
  return {
    seller: {
      legalName: 'Gulf Ledger WLL',
      addressLines: ['Manama'],
      email: 'accounts@gulfledger.example',
    },
    brand: { productName: 'Gulf Ledger', accentColor: '#b45309' },
    customer: {
      name: 'Sam Carter',
      email: 'sam@example.com',
      locale: 'en-US',
      timezone: 'America/Los_Angeles',
    },
    invoice: {
      id: 'inv_bhd',
      number: 'GL-2027-7',
      status: 'open',
      currency: 'BHD',
      issuedAt: '2027-01-01T05:00:00Z', // 2026-12-31 21:00 in Los Angeles
      dueAt: '2027-01-15T08:00:00Z',
      periodStart: '2026-12-01T08:00:00Z',
      periodEnd: '2027-01-01T08:00:00Z',
      subtotal: 13845,
      tax: 0,
      total: 13845,
    },
    lines: [
      { description: 'Ledger plan', quantity: '1', unitAmount: '12345', amount: 12345 },
      { description: 'Extra seats', quantity: '3', unitAmount: '500', amount: 1500 },
    ],
  };
}

const renderer = createDocumentRenderer({});

describe('invoice HTML', () => {
  it('renders a euro invoice in French formats and Paris dates', () => {
    const html = renderer.renderInvoiceHtml(euroView());

    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<title>Facture INV-2027-000001 · Billwright SAS</title>');
    expect(html).toContain('--accent: #4f46e5;');
    expect(html).toContain('49,00\u00a0€'); // line and subtotal
    expect(html).toContain('9,80\u00a0€'); // tax
    expect(html).toContain('<td class="num">58,80\u00a0€</td>'); // total and amount due
    expect(html).toContain('Taxe (20\u00a0%)'); // a French customer reads French
    expect(html).toContain('<td>1 janvier 2027</td>'); // issued: 31 December in UTC
    expect(html).toContain('<td>31 janvier 2027</td>'); // due
    expect(html).toContain('1–31 décembre 2026'); // exclusive end shown as the last day
    expect(html).toContain('FR12345678901');
    expect(html).toContain('https://billing.billwright.example/i/inv_eur');
    // Self-contained: no external stylesheet or script.
    expect(html).not.toMatch(/<link\b|<script\b/);
  });

  it('renders yen without decimals and Tokyo dates', () => {
    const html = renderer.renderInvoiceHtml(yenView());
    expect(html).toContain('<td class="num">￥4,900</td>');
    expect(html).toContain('￥490');
    expect(html).toContain('￥5,390');
    expect(html).toContain('KT-000042');
    expect(html).toContain('<td>2027年1月1日</td>');
    expect(html).toContain('<td>2027年1月31日</td>');
    expect(html).not.toContain('Service period'); // no period on this invoice
  });

  it('renders dinars with three decimals and Los Angeles dates', () => {
    const html = renderer.renderInvoiceHtml(dinarView());
    expect(html).toContain('<td class="num">BHD\u00a012.345</td>');
    expect(html).toContain('BHD\u00a00.500');
    expect(html).toContain('BHD\u00a01.500');
    expect(html).toContain('BHD\u00a013.845');
    expect(html).toContain('<td>December 31, 2026</td>');
    expect(html).toContain('<td>January 15, 2027</td>');
    expect(html).toContain('December 1\u2009–\u200931, 2026');
  });

  it('escapes what customers type', () => {
    const view = euroView();
    view.customer.name = '<script>alert("pwned")</script> & Sons';
    view.lines[0]!.description = 'Pro <b>plan</b>';
    const html = renderer.renderInvoiceHtml(view);
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; Sons');
    expect(html).toContain('Pro &lt;b&gt;plan&lt;/b&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>plan');
  });

  it('shows a paid invoice with nothing left to pay', () => {
    const html = renderer.renderInvoiceHtml(
      euroView({ invoice: { ...euroView().invoice, status: 'paid' } }),
    );
    expect(html).toContain('<div class="stamp paid">Payée</div>');
    expect(html).toContain(
      '<tr class="due"><th scope="row">Montant dû</th><td class="num">0,00\u00a0€</td></tr>',
    );
    expect(html).not.toContain('IBAN FR76');
  });

  it('refuses amounts that are not integer minor units', () => {
    const view = euroView();
    view.lines[0]!.amount = 49.5;
    expect(() => renderer.renderInvoiceHtml(view)).toThrow(RangeError);
  });

  it('refuses a pay link that is not a web address', () => {
    expect(() =>
      renderer.renderInvoiceHtml(euroView({ hostedUrl: 'javascript:alert(1)' })),
    ).toThrow(/hostedUrl must be an http\(s\) URL/);
  });
});

describe('line arithmetic', () => {
  // Tags and layout whitespace away; the no-break spaces of the formats stay (\s would eat them).
  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/[ \t\r\n]+/g, ' ');

  it('shows quantity × exact unit price, free units, parts, proration and the cap', () => {
    const html = text(renderer.renderInvoiceHtml(usageInvoice('en-IE')));
    expect(html).toContain('Pro plan prorated 19/28 1 €49.00 €33.25');
    expect(html).toContain('API calls capped at €8.00 1,200 €0.01 €8.00');
    expect(html).toContain('SMS 260 used, 50 free 210 €0.045 €9.45'); // never rounded to cents
    // No single price: the tiers and the fee are listed under the line.
    expect(html).toContain('Storage 12.5 €13.50');
    expect(html).toContain('first 10 GB 10 €1.00 €10.00');
    expect(html).toContain('above 10 GB 2.5 €0.80 €2.00');
    expect(html).toContain('flat fee (tier 2) €1.50');
  });

  it('formats them in the customer’s locale', () => {
    const html = text(renderer.renderInvoiceHtml(usageInvoice('fr-FR')));
    expect(html).toContain('plafonné à 8,00\u00a0€ 1\u202f200 0,01\u00a0€ 8,00\u00a0€');
    expect(html).toContain('210 0,045\u00a0€ 9,45\u00a0€');
    expect(html).toContain('above 10 GB 2,5 0,80\u00a0€ 2,00\u00a0€');
  });

  it('writes them into the email, each equation in the text part true as written', () => {
    const email = renderer.renderInvoiceEmail(usageInvoice('en-IE')).text;
    expect(email).toContain(
      [
        '  - Pro plan: €33.25 — 1 × €49.00, prorated 19/28',
        '  - API calls: €8.00 — 1,200 × €0.01, capped at €8.00',
        '  - SMS: 210 × €0.045 = €9.45 (260 used, 50 free)',
        '  - Storage: €13.50',
        '      first 10 GB: 10 × €1.00 = €10.00',
        '      above 10 GB: 2.5 × €0.80 = €2.00',
        '      flat fee (tier 2): €1.50',
        '  Subtotal: €64.20',
      ].join('\n'),
    );
    const html = text(renderer.renderInvoiceEmail(usageInvoice('en-IE')).html);
    expect(html).toContain('API calls 1,200 × €0.01 capped at €8.00 €8.00');
    expect(html).toContain('SMS 210 × €0.045 260 used, 50 free €9.45');
    expect(html).toContain('Storage first 10 GB: 10 × €1.00 = €10.00');
  });
});

describe('invoice email', () => {
  it('writes a euro email: subject on one line, amount, due date, link, a person to reach', () => {
    const email = renderer.renderInvoiceEmail(euroView());

    expect(email.subject).toBe(
      'Votre facture Billwright Cloud INV-2027-000001 : 58,80\u00a0€ à régler avant le 31 janvier 2027',
    );
    expect(email.text).toContain('Bonjour Amélie Durand,');
    expect(email.text).toContain(
      'Votre facture pour la période 1–31 décembre 2026 est disponible.',
    );
    expect(email.text).toContain(
      'Le montant dû est de 58,80\u00a0€, à régler avant le 31 janvier 2027.',
    );
    expect(email.text).toContain('  - Pro plan (1–31 décembre 2026): 49,00\u00a0€\n');
    expect(email.text).toContain(
      'payer en ligne ici :\nhttps://billing.billwright.example/i/inv_eur\n',
    );
    expect(email.text).toContain(
      'Si vous préférez payer par virement :\nIBAN FR76 3000 6000 0112 3456 7890 189\nBIC AGRIFRPP',
    );
    expect(email.text).toContain(
      'écrivez à billing@billwright.example. Une personne de notre équipe',
    );
    expect(email.text).toContain('L’équipe Billwright Cloud');
    // Plain text stays tidy: no trailing spaces, never two blank lines in a row, no markup.
    expect(email.text).not.toMatch(/[ \t]$|\n\n\n|<\/?[a-z]/m);

    expect(email.html).toContain('<strong>58,80\u00a0€</strong>');
    expect(email.html).toContain('<strong>31 janvier 2027</strong>');
    expect(email.html).toContain('href="https://billing.billwright.example/i/inv_eur"');
    expect(email.html).toContain('Voir et payer la facture');
  });

  it('writes yen and dinar emails in their own formats', () => {
    const yen = renderer.renderInvoiceEmail(yenView());
    expect(yen.subject).toBe('Your Kaito invoice KT-000042: ￥5,390 due 2027年1月31日');
    expect(yen.text).toContain('Invoice KT-000042, issued 2027年1月1日');
    expect(yen.text).toContain('Your new invoice is ready.'); // no period to name
    expect(yen.text).toContain('write to billing@kaito.example');
    expect(yen.text).not.toContain('pay it online'); // no hosted page

    const dinar = renderer.renderInvoiceEmail(dinarView());
    expect(dinar.subject).toBe(
      'Your Gulf Ledger invoice GL-2027-7: BHD\u00a013.845 due January 15, 2027',
    );
    expect(dinar.text).toContain('Your invoice for December 1\u2009–\u200931, 2026 is ready.');
    expect(dinar.text).toContain('  - Extra seats: 3 × BHD\u00a00.500 = BHD\u00a01.500\n');
    expect(dinar.text).toContain('Invoice GL-2027-7, issued December 31, 2026');
  });

  it('escapes the customer name in HTML but keeps it as written in the text part', () => {
    const view = euroView();
    view.customer.name = `<script>alert(1)</script> O'Brien & Co`;
    const email = renderer.renderInvoiceEmail(view);
    expect(email.html).toContain(
      'Bonjour &lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Brien &amp; Co,',
    );
    expect(email.html).not.toContain('<script>');
    expect(email.text).toContain(`Bonjour <script>alert(1)</script> O'Brien & Co,`);
  });

  it('tells a customer whose invoice is already paid that there is nothing to do', () => {
    const email = renderer.renderInvoiceEmail(
      euroView({ invoice: { ...euroView().invoice, status: 'paid' } }),
    );
    expect(email.subject).toBe(
      'Votre reçu Billwright Cloud pour la facture INV-2027-000001 (58,80\u00a0€)',
    );
    expect(email.text).toContain('elle est déjà réglée, vous n’avez donc rien à faire');
    expect(email.text).not.toContain('montant dû');
    expect(email.html).toContain('Voir votre facture');
  });
});

describe('custom templates', () => {
  const dirs: string[] = [];
  function templatesDir(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'bw-templates-'));
    dirs.push(dir);
    for (const [file, source] of Object.entries(files)) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), source);
    }
    return dir;
  }
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('uses the files an operator provides and the built-in ones for the rest', () => {
    const dir = templatesDir({
      'partials/footer.hbs':
        '<footer class="acme">Pay {{customer.name}} by {{date invoice.dueAt}}</footer>',
      'emails/invoice-issued.subject.hbs':
        'Acme bill {{invoice.number}} — {{money invoice.total}}\n',
    });
    const custom = createDocumentRenderer({ templatesDir: dir });
    const view = euroView();
    view.customer.name = 'Tom & Jerry';

    const html = custom.renderInvoiceHtml(view);
    expect(html).toContain('<footer class="acme">Pay Tom &amp; Jerry by 31 janvier 2027</footer>');
    expect(html).not.toContain('Des questions ?'); // the built-in footer is replaced
    expect(html).toContain('<div class="label">Facturé à</div>'); // built-in header
    expect(html).toContain('<td class="num">49,00\u00a0€</td>'); // built-in line table

    const email = custom.renderInvoiceEmail(view);
    expect(email.subject).toBe('Acme bill INV-2027-000001 — 58,80\u00a0€');
    expect(email.text).toContain('Bonjour Tom & Jerry,'); // built-in text part
    expect(email.html).toContain('Voir et payer la facture'); // built-in HTML part

    // The built-in renderer is untouched by another renderer's overrides.
    expect(renderer.renderInvoiceHtml(view)).toContain('Des questions ?');
  });

  it('gives templates the helpers with explicit currency, zone and locale', () => {
    const dir = templatesDir({
      'emails/invoice-issued.subject.hbs':
        '{{money 1500 "BHD" "en-US"}} | {{money 4900 "JPY" "en-US"}} | {{date "2027-01-01T05:00:00Z" "Asia/Tokyo" "en-GB"}}' +
        ' | {{percent "0.0825" "en-US"}} | {{percent 2000}} | {{percent 1250 "de-DE"}} | {{number 12000}}',
    });
    const email = createDocumentRenderer({ templatesDir: dir }).renderInvoiceEmail(euroView());
    expect(email.subject).toBe(
      'BHD\u00a01.500 | ¥4,900 | 1 January 2027 | 8.25% | 20\u00a0% | 12,5\u00a0% | 12\u202f000',
    );
  });

  it('lets the operator brand win over the view brand', () => {
    const custom = createDocumentRenderer({
      brand: { accentColor: '#0f766e', productName: 'Acme Billing' },
    });
    const html = custom.renderInvoiceHtml(euroView());
    expect(html).toContain('--accent: #0f766e;');
    expect(html).toContain('Merci d’avoir choisi Acme Billing.');
    expect(() =>
      createDocumentRenderer({ brand: { accentColor: 'red;} body{display:none' } }),
    ).toThrow(/accentColor must be a hex colour/);
  });

  it('fails at creation on a missing folder or a broken template', () => {
    expect(() =>
      createDocumentRenderer({ templatesDir: join(tmpdir(), 'bw-no-such-dir') }),
    ).toThrow(/does not exist/);
    const broken = templatesDir({ 'partials/header.hbs': '{{#if customer.name}}unclosed' });
    expect(() => createDocumentRenderer({ templatesDir: broken })).toThrow(/partials\/header\.hbs/);
  });
});
