import { parseArgs } from 'node:util';
import { EventBridgeClient, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { type FAMILIES, RULES } from '#events/rules';
import { TRIGGERS, isDetailType } from '#events/registry';
import { localConfig } from './config.ts';

/**
 * `npm run replay`: events again, after a fix. Replays are safe because every run is claimed by
 * (automation, eventKey): what ran is not run again, what never ran runs now.
 *
 *   npm run replay -- --from 2026-11-27T08:00:00Z --to 2026-11-27T10:00:00Z [--type ContactCreated]
 *   npm run replay -- --redrive
 *
 * Locally it asks the running `npm start` (its bus keeps an archive under .data/event-bus). With
 * `--aws` it starts an EventBridge replay from the bus's archive (`--archive-arn`, `--bus-arn`;
 * `--type` limits it to the rule of that type's family, `--rule-arn` names it), or with
 * `--redrive --queue-arn` moves a dead-letter queue's messages back to their source.
 */
const { values } = parseArgs({
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    type: { type: 'string' },
    redrive: { type: 'boolean', default: false },
    aws: { type: 'boolean', default: false },
    'archive-arn': { type: 'string' },
    'bus-arn': { type: 'string' },
    'rule-arn': { type: 'string' },
    'queue-arn': { type: 'string' },
  },
});

async function main(): Promise<string> {
  if (values.type && !isDetailType(values.type)) throw new Error(`--type ${values.type} is no event type; use one of ${Object.keys(TRIGGERS).join(', ')}`);
  if (values.aws) return aws();
  const api = `http://127.0.0.1:${localConfig.apiPort}`;
  const call = async (path: string, body?: unknown) => {
    const response = await fetch(`${api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) }).catch(() => {
      throw new Error(`No local stack at ${api}: start it with npm start`);
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(JSON.stringify(json));
    return json;
  };
  if (values.redrive) return `redriven: ${(await call('/_local/redrive')).redriven} dead letter(s)`;
  if (!values.from) throw new Error('Give --from (and --to, default now)');
  const replayed = await call('/_local/replays', { from: values.from, to: values.to ?? new Date().toISOString(), ...(values.type ? { detailType: values.type } : {}) });
  return `replayed: ${replayed.replayed} event(s)`;
}

async function aws(): Promise<string> {
  if (values.redrive) {
    if (!values['queue-arn']) throw new Error('--redrive --aws needs --queue-arn (a dead-letter queue of the stack)');
    const task = await new SQSClient({}).send(new StartMessageMoveTaskCommand({ SourceArn: values['queue-arn'] }));
    return `redrive started: ${task.TaskHandle}`;
  }
  if (!values.from || !values['archive-arn'] || !values['bus-arn']) throw new Error('--aws needs --from, --archive-arn and --bus-arn');
  const family = values.type && isDetailType(values.type) ? TRIGGERS[values.type].family : undefined;
  if (family && !values['rule-arn']) throw new Error(`--type needs --rule-arn: the ARN of the ${family} rule (pattern ${JSON.stringify(RULES[family as (typeof FAMILIES)[number]])})`);
  const name = `replay-${Date.now()}`;
  await new EventBridgeClient({}).send(
    new StartReplayCommand({
      ReplayName: name,
      EventSourceArn: values['archive-arn'],
      EventStartTime: new Date(values.from),
      EventEndTime: new Date(values.to ?? Date.now()),
      Destination: { Arn: values['bus-arn'], ...(values['rule-arn'] ? { FilterArns: [values['rule-arn']] } : {}) },
    }),
  );
  return `replay ${name} started`;
}

main().then(
  (line) => console.log(line),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
