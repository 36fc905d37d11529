# The cloud service and the web console it serves, for a production-like run (see docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node tools/build.mjs cloud console
# Only the cloud's dependencies go into the image: none of the development tools, and none of what
# only the local agent uses (test/cloud/image-dependencies.e2e-spec.ts checks that the cloud loads
# none of these).
RUN npm pkg delete dependencies.puppeteer-core 'dependencies.@puppeteer/browsers' dependencies.yauzl dependencies.yazl dependencies.commander dependencies.better-sqlite3 \
  && npm install --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production CLOUD_HOST=0.0.0.0 CLOUD_PORT=3000 CLOUD_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
# dist/apps/cloud and dist/console are symlinks into dist/builds: copied as they are.
COPY --from=build /app/dist ./dist
# The data folder (profile blobs with PROFILE_STORE=fs) is a volume the replicas share.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
CMD ["node", "dist/apps/cloud/apps/cloud/src/main.js"]
