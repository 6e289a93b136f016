# Creates the session table in a DynamoDB Local container (`create`), or keeps deleting expired
# items as AWS's TTL would (`sweep`): stack/docker/session-table/main.ts. Build from the
# repository root:
#   docker build -f docker/session-table.Dockerfile -t gameday/session-table:dev .
# docker/dockerfile-coverage.test.ts checks that the COPY lines below hold every file the
# program imports, at the same paths.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY stack/docker/session-table ./stack/docker/session-table
COPY stack/session-table.ts stack/ttl-sweeper.ts stack/dynamodb.ts stack/managed-process.ts stack/errors.ts stack/java.ts stack/ports.ts ./stack/
ENV AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
USER node
ENTRYPOINT ["node", "--import", "tsx", "stack/docker/session-table/main.ts"]
CMD ["create"]
