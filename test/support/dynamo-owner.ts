import { startDynamoDbLocal } from '#infra/local/dynamodb-local';

/** Starts DynamoDB Local on a folder and port in its own Node process, prints `{"pid": …}`, and waits to be killed. */
const [dbPath, port] = process.argv.slice(2);
const dynamo = await startDynamoDbLocal({ port: Number(port), dbPath: dbPath! });
console.log(JSON.stringify({ pid: dynamo.pid }));
setInterval(() => undefined, 1 << 30);
