# Billwright API and worker image. Node 24 runs the TypeScript sources directly (type stripping),
# so there is no build step: what is tested is what runs.
FROM node:24-bookworm-slim
# Chromium prints invoice PDFs, attached to the invoice emails (BILLWRIGHT_EMAIL_PDF=attach, the
# default); the Noto fonts give every script on an invoice its glyphs. Debian's build, as in
# development and CI (infra/chromium.ts looks for /usr/bin/chromium).
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium fonts-noto-core fonts-noto-cjk \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts=false && npm cache clean --force
COPY . .
USER node
EXPOSE 3000
CMD ["node", "bin/api.ts"]
