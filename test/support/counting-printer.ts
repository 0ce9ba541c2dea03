// Chromium's stand-in for tests of who prints what and how often: counts prints, and answers
// bytes that look like a PDF and say which print they were.
export function countingPrinter() {
  let prints = 0;
  return {
    get prints() {
      return prints;
    },
    render(html: string) {
      prints++;
      return Promise.resolve(Buffer.from(`%PDF-1.7 print ${prints} of ${html.length} chars`));
    },
  };
}
