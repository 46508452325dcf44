# fleet-enroll: one image for every command (serve, emulator, agent, …), picked by the arguments.
# The TypeScript sources run through tsx (a runtime dependency), so there is no build step.
FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
RUN ln -s /app/bin/fleet-enroll.js /usr/local/bin/fleet-enroll
USER node
EXPOSE 8080 4566
ENTRYPOINT ["fleet-enroll"]
CMD ["--help"]
