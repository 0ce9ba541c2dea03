// Where templates come from and how they are compiled: an operator's folder first, then the
// built-in templates/ (each file the operator's folder lacks falls back to the built-in one),
// parsed at once so a broken template fails at start-up. Shared by the documents' and emails'
// renderer (renderer.ts) and the customer portal's pages (portal-pages.ts).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Handlebars from 'handlebars';
import type { TemplateRoot } from './template-helpers.ts';

export const BUILT_IN_TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

/** The folders templates are looked up in, the operator's first. */
export function templateDirs(templatesDir: string | undefined): string[] {
  if (templatesDir === undefined) return [BUILT_IN_TEMPLATES_DIR];
  if (!existsSync(templatesDir) || !statSync(templatesDir).isDirectory()) {
    throw new Error(`templates directory ${templatesDir} does not exist`);
  }
  return [templatesDir, BUILT_IN_TEMPLATES_DIR];
}

/** The first folder that has the file wins: the operator's, then the built-in one. */
export function readTemplate(dirs: string[], file: string): { path: string; source: string } {
  for (const dir of dirs) {
    const path = join(dir, file);
    if (existsSync(path)) return { path, source: readFileSync(path, 'utf8') };
  }
  throw new Error(`template ${file} not found in ${dirs.join(', ')}`);
}

export function compileFile(
  hb: typeof Handlebars,
  dirs: string[],
  file: string,
  noEscape: boolean,
): Handlebars.TemplateDelegate<TemplateRoot> {
  const { path, source } = readTemplate(dirs, file);
  return compileSource(hb, path, source, noEscape);
}

export function compileSource(
  hb: typeof Handlebars,
  path: string,
  source: string,
  noEscape: boolean,
): Handlebars.TemplateDelegate<TemplateRoot> {
  try {
    hb.parse(source); // compile() is lazy: parse now so syntax errors surface at start-up
  } catch (error) {
    throw new Error(`template ${path}: ${(error as Error).message}`, { cause: error });
  }
  return hb.compile<TemplateRoot>(source, { noEscape });
}

/** partials/<name>.hbs becomes {{> name}}; an operator's partial replaces the built-in one. */
export function registerPartials(hb: typeof Handlebars, dirs: string[], noEscape: boolean): void {
  const files = new Map<string, string>();
  for (const dir of [...dirs].reverse()) {
    const partialsDir = join(dir, 'partials');
    if (!existsSync(partialsDir)) continue;
    for (const entry of readdirSync(partialsDir)) {
      if (entry.endsWith('.hbs'))
        files.set(entry.slice(0, -'.hbs'.length), join(partialsDir, entry));
    }
  }
  for (const [name, path] of files) {
    hb.registerPartial(name, compileSource(hb, path, readFileSync(path, 'utf8'), noEscape));
  }
}
