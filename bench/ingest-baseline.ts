import { createServer } from 'node:http';

/**
 * The baseline for ingest throughput: a bare node:http endpoint that reads the body, parses the
 * JSON and answers 202 — what any ingest costs at least. Runs as its own process, like the server.
 */
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    response.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1}');
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('disconnect', () => process.exit(0));
