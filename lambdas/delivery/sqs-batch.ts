// The SQS → Lambda event shapes this function uses (a subset of the documented event), and the
// partial batch response: only the failed records return to the queue, not the whole batch.

/** One record of an SQS event (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html). */
export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: { readonly ApproximateReceiveCount?: string; readonly SentTimestamp?: string };
}

export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}

/** ReportBatchItemFailures: the ids listed stay on the queue; every other record is deleted. */
export interface SqsBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}
