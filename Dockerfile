# Billwright API and worker image. Node 24 runs the TypeScript sources directly (type stripping),
# so there is no build step: what is tested is what runs.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts=false && npm cache clean --force
COPY . .
USER node
EXPOSE 3000
CMD ["node", "bin/api.ts"]
