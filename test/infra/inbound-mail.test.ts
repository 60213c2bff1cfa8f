import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthStack } from '../support/synth.ts';

let template: Template;
beforeAll(() => {
  template = synthStack().template();
});

const find = (type: string, idPart: string) => Object.entries(template.findResources(type)).find(([id]) => id.includes(idPart)) as [string, { Properties: any }];

describe('SES inbound', () => {
  it('scans for spam and viruses, requires TLS, stores the raw message first and then invokes the function asynchronously', () => {
    const [bucketId] = find('AWS::S3::Bucket', 'RawMail');
    const [fnId] = find('AWS::Lambda::Function', 'InboundMailHandler');
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: {
        Enabled: true,
        ScanEnabled: true,
        TlsPolicy: 'Require',
        Recipients: ['inbound.crm.example'],
        Actions: [
          { S3Action: { BucketName: { Ref: bucketId }, ObjectKeyPrefix: 'inbound/' } },
          { LambdaAction: { FunctionArn: { 'Fn::GetAtt': [fnId, 'Arn'] }, InvocationType: 'Event' } },
        ],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: 'ses.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' } });
  });

  it('keeps raw mail private, encrypted, TLS-only, and expires it', () => {
    const [bucketId, bucket] = find('AWS::S3::Bucket', 'RawMail');
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: [{ Prefix: 'inbound/', ExpirationInDays: 90, Status: 'Enabled' }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'ses.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/inbound/*']] },
          }),
        ]),
      },
    });
  });

  it('lets the function read only the inbound/ prefix of the bucket', () => {
    const [bucketId] = find('AWS::S3::Bucket', 'RawMail');
    const [, policy] = find('AWS::IAM::Policy', 'InboundMailHandler');
    const s3Statements = (policy.Properties.PolicyDocument.Statement as any[]).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
    expect(s3Statements).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/inbound/*']] } },
    ]);
  });

  it('retries failed invocations twice and then sends them to an alarmed queue', () => {
    const [queueId] = find('AWS::SQS::Queue', 'InboundMailFailures');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }], Threshold: 1 });
  });
});
