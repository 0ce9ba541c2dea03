// The configuration switches an operator sets by environment.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';

describe('BILLWRIGHT_TEST_CLOCKS', () => {
  it('is on by default and off by default in production', () => {
    expect(loadConfig({}).testClocks).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).testClocks).toBe(false);
  });

  it('is set explicitly either way', () => {
    expect(loadConfig({ NODE_ENV: 'production', BILLWRIGHT_TEST_CLOCKS: 'on' }).testClocks).toBe(
      true,
    );
    expect(loadConfig({ BILLWRIGHT_TEST_CLOCKS: 'off' }).testClocks).toBe(false);
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => loadConfig({ BILLWRIGHT_TEST_CLOCKS: 'yes' })).toThrow(/BILLWRIGHT_TEST_CLOCKS/);
  });
});

describe('BILLWRIGHT_EMAIL_PDF', () => {
  it('attaches by default, links when asked, and refuses anything else', () => {
    expect(loadConfig({}).emailPdf).toBe('attach');
    expect(loadConfig({ BILLWRIGHT_EMAIL_PDF: 'link' }).emailPdf).toBe('link');
    expect(() => loadConfig({ BILLWRIGHT_EMAIL_PDF: 'none' })).toThrow(/BILLWRIGHT_EMAIL_PDF/);
  });
});
