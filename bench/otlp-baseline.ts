import { createServer } from 'node:http';
import { bareDecoders } from './otlp-decode';

/**
 * The baseline for OTLP throughput: a bare node:http endpoint that reads the body, decodes it with
 * protobufjs (the product's decoder library, over the same vendored definitions) and answers 200 —
 * what any OTLP receiver costs at least. Runs as its own process, like the server.
 */
const decode = bareDecoders();
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    if (request.url === '/v1/traces') decode.traces(body);
    else decode.metrics(body);
    response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0, pid: process.pid });
});
process.on('disconnect', () => process.exit(0));
// A clean exit on the bench's SIGTERM, so `--cpu-prof` (BENCH_CPU_PROFILE_DIR) writes its profile.
process.on('SIGTERM', () => process.exit(0));
