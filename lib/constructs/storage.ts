// Stateful storage: the message bucket (raw RFC 5322 blobs) and the DynamoDB tables of the mail
// index, built from the storage adapter's own table designs. Both are retained on stack deletion.
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ATTEMPT_KEY_PREFIX, attemptCounterTable, tableName, type KeyAttribute, type TableDesign } from '../../core/adapters/aws/table-design.js';

const ATTRIBUTE_TYPES = { S: dynamodb.AttributeType.STRING, N: dynamodb.AttributeType.NUMBER } as const;

function attribute(key: KeyAttribute): dynamodb.Attribute {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

export interface MailStorageProps {
  /** The tables, as the AWS storage adapter defines them (core/adapters/aws/table-design.ts). */
  readonly tableDesigns: readonly TableDesign[];
  /** Physical names are tableName(tablePrefix, design); the services get the prefix as YUBIN_TABLE_PREFIX. */
  readonly tablePrefix: string;
  /** Refuse DeleteTable while on. Default: true (mail is not recreatable). */
  readonly deletionProtection?: boolean;
  /** How long overwritten or deleted message versions stay recoverable. Default: 30 days. */
  readonly noncurrentVersionRetention?: Duration;
}

export class MailStorage extends Construct {
  readonly bucket: s3.Bucket;
  readonly tables: readonly dynamodb.Table[];
  readonly tablePrefix: string;
  /** Every table and every named index: the resources of the index grants, no wildcards. */
  private readonly indexArns: string[] = [];

  constructor(scope: Construct, id: string, props: MailStorageProps) {
    super(scope, id);
    this.tablePrefix = props.tablePrefix;
    this.bucket = new s3.Bucket(this, 'Messages', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-old-versions',
          noncurrentVersionExpiration: props.noncurrentVersionRetention ?? Duration.days(30),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Server access logs would need a second bucket and log every IMAP body fetch; CloudTrail data events are the audit option for this bucket.',
    });

    const deletionProtection = props.deletionProtection ?? true;
    this.tables = props.tableDesigns.map((design) => {
      const table = new dynamodb.Table(this, `Table-${design.suffix}`, {
        tableName: tableName(props.tablePrefix, design),
        partitionKey: attribute(design.partitionKey),
        sortKey: attribute(design.sortKey),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        deletionProtection,
        removalPolicy: RemovalPolicy.RETAIN,
        ...(design.timeToLiveAttribute === null ? {} : { timeToLiveAttribute: design.timeToLiveAttribute }),
      });
      this.indexArns.push(table.tableArn);
      for (const index of design.globalSecondaryIndexes) {
        this.indexArns.push(`${table.tableArn}/index/${index.indexName}`);
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          sortKey: attribute(index.sortKey),
          ...(index.projectedAttributes.length === 0
            ? { projectionType: dynamodb.ProjectionType.KEYS_ONLY }
            : { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...index.projectedAttributes] }),
        });
      }
      return table;
    });
  }

  /** Read and write messages and the whole index: delivery and the mail access service. */
  grantReadWrite(grantee: iam.IGrantable): void {
    this.grantObjects(grantee, [...OBJECT_READ_ACTIONS, ...OBJECT_WRITE_ACTIONS, 's3:DeleteObject']);
    this.grantIndex(grantee, [...INDEX_READ_ACTIONS, ...INDEX_WRITE_ACTIONS]);
  }

  /** Spool new messages and read the index: the SMTP service looks up recipients and queues jobs,
   *  but never deletes a message or writes a mailbox; delivery is the only writer (STYLE.md habit 6). */
  grantSpoolAndLookup(grantee: iam.IGrantable): void {
    this.grantObjects(grantee, [...OBJECT_READ_ACTIONS, ...OBJECT_WRITE_ACTIONS]);
    this.grantIndex(grantee, INDEX_READ_ACTIONS);
  }

  /**
   * Count failed logins (core/adapters/aws/dynamo-attempt-counter.ts): UpdateItem on the `attempts#`
   * items of their table and nothing else of it, for a service that otherwise only reads the index.
   */
  grantAttemptCounting(grantee: iam.IGrantable): void {
    const table = this.tables.find((candidate) => candidate.node.id === `Table-${attemptCounterTable.suffix}`);
    if (!table) throw new Error(`the ${attemptCounterTable.suffix} table holds the attempt counts but is not in tableDesigns`);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:UpdateItem', 'dynamodb:Query'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${ATTEMPT_KEY_PREFIX}*`] } },
      }),
    );
  }

  // Explicit actions rather than grant*()'s wildcard groups (s3:GetObject*, s3:List*): the adapters'
  // exact calls, so the policy reads as what the code does.
  private grantObjects(grantee: iam.IGrantable, actions: readonly string[]): void {
    iam.Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns: [this.bucket.arnForObjects('*')] });
    if (Construct.isConstruct(grantee.grantPrincipal)) {
      const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
      Validations.of(grantee.grantPrincipal).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
        reason: 'Objects of the one message bucket: keys are per message and not known at deploy time.',
      });
    }
    // ListBucket turns a HeadObject of a missing key into 404 instead of 403 (S3 API, HeadObject).
    iam.Grant.addToPrincipal({ grantee, actions: ['s3:ListBucket'], resourceArns: [this.bucket.bucketArn] });
  }

  private grantIndex(grantee: iam.IGrantable, actions: readonly string[]): void {
    iam.Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns: this.indexArns });
  }
}

/** GetObject covers HeadObject and ranged reads. */
const OBJECT_READ_ACTIONS = ['s3:GetObject'] as const;
/** PutObject covers CreateMultipartUpload, UploadPart and CompleteMultipartUpload. */
const OBJECT_WRITE_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload'] as const;
const INDEX_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
] as const;
/** Transactions (TransactWriteItems) are authorised per item by these same actions. */
const INDEX_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] as const;
