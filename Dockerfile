# The cloud service for a production-like run (see docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nest build cloud && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production CLOUD_HOST=0.0.0.0 CLOUD_PORT=3000 CLOUD_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The data folder (profile blobs with PROFILE_STORE=fs) is a volume the replicas share.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
CMD ["node", "dist/apps/cloud/apps/cloud/src/main.js"]
